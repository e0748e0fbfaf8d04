"""Celery tasks of the hearings app: load by id, call a service."""

from __future__ import annotations

from celery import shared_task

from hearings.services import print_batch_build

# A 200-sheet batch builds in well under a minute; the limits only stop a stuck worker.
PRINT_SOFT_LIMIT = 300
PRINT_HARD_LIMIT = 360


@shared_task(
    name="hearings.print_batch_build",
    acks_late=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=PRINT_SOFT_LIMIT,
    time_limit=PRINT_HARD_LIMIT,
)
def print_batch_build_task(batch_id: int) -> str:
    """Build a print batch's PDF (``hearings.services.print_batch_build``). Safe to run twice."""
    return print_batch_build(batch_id=batch_id).status
