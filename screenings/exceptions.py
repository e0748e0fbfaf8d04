from __future__ import annotations

from typing import TYPE_CHECKING

from mpp.exceptions import (
    ConcurrentEdit,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotPermitted,
    PolicyRefusal,
)

if TYPE_CHECKING:
    from cases.models import Alien

__all__ = [
    "ConcurrentEdit",
    "DomainError",
    "IllegalTransition",
    "InvalidInput",
    "NotPermitted",
    "PolicyRefusal",
]


class PossibleDuplicate(InvalidInput):
    """Intake refused: members may already be registered. ``candidates`` maps each such member's index
    (from 0, in the order given) to the registered people they may be."""

    code = "possible_duplicate"

    def __init__(self, message: str, *, candidates: dict[int, list[Alien]]) -> None:
        super().__init__(message, code="possible_duplicate", field="members")
        self.candidates = candidates
