from mpp.exceptions import (
    ConcurrentEdit,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotPermitted,
    PolicyRefusal,
)

__all__ = [
    "CaseNotFound",
    "ConcurrentEdit",
    "DomainError",
    "IllegalTransition",
    "InvalidInput",
    "NotPermitted",
    "PolicyRefusal",
]


class CaseNotFound(DomainError):
    http_status = 404
    code = "not_found"
