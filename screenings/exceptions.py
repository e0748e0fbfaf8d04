from mpp.exceptions import (
    ConcurrentEdit,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotPermitted,
    PolicyRefusal,
)

__all__ = [
    "ConcurrentEdit",
    "DomainError",
    "IllegalTransition",
    "InvalidInput",
    "NotPermitted",
    "PolicyRefusal",
]
