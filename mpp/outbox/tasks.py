from celery import shared_task

from mpp.outbox.services import outbox_relay


@shared_task(
    name="mpp.outbox.relay",
    acks_late=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def relay_outbox() -> int:
    """Run the due deliveries in one bounded batch. Safe to run twice or concurrently (SKIP LOCKED)."""
    return outbox_relay()
