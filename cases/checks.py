"""Start-up checks of the case core (``manage.py check`` and every test run)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error

from cases.models import TRANSITIONS
from cases.registry import edge_for


def check_every_move_has_an_owner(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every move in the transition table is made by the one workflow that owns it, for at least one role
    (there is no generic status change): a legal move nobody can make would strand the cases that need
    it. ``edge_register`` already refuses an edge with no owner, roles or words for where it is made;
    this also refuses one registered around it."""
    errors: list[CheckMessage] = []
    for source, targets in TRANSITIONS.items():
        for target in sorted(targets):
            edge = edge_for(source, target)
            if edge is None or not edge.owner or not edge.roles:
                errors.append(
                    Error(
                        f"The move {source} → {target} is in the transition table but no workflow makes it.",
                        hint="Register it with its owning workflow in that app's ready() "
                        "(cases.registry.edge_register(owner=..., roles=..., where=...)).",
                        id="cases.E001",
                    )
                )
    return errors
