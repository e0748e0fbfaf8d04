"""Start-up checks of the case core (``manage.py check`` and every test run)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error

from cases.models import TRANSITIONS
from cases.registry import edge_for


def check_every_move_has_an_owner(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every move in the transition table is made by a workflow or the generic status change, for at
    least one role: a legal move nobody can make would strand the cases that need it."""
    errors: list[CheckMessage] = []
    for source, targets in TRANSITIONS.items():
        for target in sorted(targets):
            if edge_for(source, target) is None:
                errors.append(
                    Error(
                        f"The move {source} → {target} is in the transition table but nobody makes it.",
                        hint="Register it in an app's ready() (cases.registry.edge_register) or GENERIC_EDGES.",
                        id="cases.E001",
                    )
                )
    return errors
