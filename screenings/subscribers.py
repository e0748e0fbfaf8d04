"""The screenings app's subscribers on the event bus: in-app notices rendered when delivered, naming
who (names, A-number), what, where, and when in the location's time zone. Safe to run twice."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Case, Hold
from cases.subscribers import case_words, local_time_words
from mpp.accounts.roles import Role
from mpp.outbox.models import OutboxEvent
from mpp.outbox.services import notify, subscribe
from screenings.models import AmenabilityReview
from screenings.workflow import FEAR_CLAIM


def _review(event: OutboxEvent) -> AmenabilityReview:
    return AmenabilityReview.objects.select_related("location", "decided_by", "encounter").get(
        pk=event.payload["review_id"]
    )


def _family_words(review: AmenabilityReview) -> tuple[str, list[Case]]:
    cases = list(Case.objects.filter(encounter_id=review.encounter_id).select_related("alien").order_by("pk"))
    head = cases[0]
    others = f" and {len(cases) - 1} more" if len(cases) > 1 else ""
    return f"{head.alien.full_name} ({head.alien.a_number or 'no A-number yet'}){others}", cases


def notify_review_requested(event: OutboxEvent) -> None:
    review = _review(event)
    who, cases = _family_words(review)
    when = local_time_words(review.submitted_at, review.location.time_zone)
    notify(
        event=event,
        roles=[Role.CBP_SUPERVISOR],
        location_id=review.location_id,
        message=f"Family of {len(cases)}, {who}, at {review.location.name} is waiting for amenability "
        f"review (submitted {when}).",
        url=reverse("screenings:review", args=[review.pk]),
    )


def notify_review_closed(event: OutboxEvent) -> None:
    review = _review(event)
    who, cases = _family_words(review)
    when = local_time_words(review.decided_at, review.location.time_zone)
    by = review.decided_by.display_name if review.decided_by else "a supervisor"
    if review.status == AmenabilityReview.Status.RETURNED:
        what = f"returned for re-screening by {by}: {review.decision_reason}"
        url = reverse("screenings:family-screening", args=[review.encounter_id])
    else:
        amenable = len(event.payload.get("amenable", []))
        what = f"amenability decided by {by}: {amenable} of {len(cases)} amenable"
        url = reverse("screenings:review", args=[review.pk])
    notify(
        event=event,
        user_ids=sorted({review.submitted_by_id, review.encounter.created_by_id}),
        message=f"Family of {who} at {review.location.name}: {what} ({when}).",
        url=url,
    )


def notify_fear_claim(event: OutboxEvent) -> None:
    """S1: a fear claim refers the person to USCIS; asylum offices are told (no account in the notice)."""
    if event.payload.get("kind") != FEAR_CLAIM.code:
        return
    hold = Hold.objects.select_related("case__alien", "location").get(pk=event.payload["hold_id"])
    when = local_time_words(hold.opened_at, hold.location.time_zone)
    notify(
        event=event,
        roles=[Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER],
        message=f"{case_words(hold.case)}: fear of return to Mexico stated at {hold.location.name}, {when}; "
        "an MPP assessment interview is needed (S1).",
        url=reverse("cases:detail", args=[hold.case_id]),
    )


def register() -> None:
    subscribe(
        "amenability.review_requested", notify_review_requested, name="screenings.notify_review_requested"
    )
    subscribe("amenability.decided", notify_review_closed, name="screenings.notify_review_decided")
    subscribe("amenability.returned", notify_review_closed, name="screenings.notify_review_returned")
    subscribe("hold.opened", notify_fear_claim, name="screenings.notify_fear_claim")
