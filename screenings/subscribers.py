"""The screenings app's subscribers on the event bus: in-app notices rendered when delivered, naming
who (names, A-number), what, where, and when in the location's time zone. Safe to run twice."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Case
from cases.subscribers import case_words, local_time_words
from mpp.accounts.roles import Role
from mpp.outbox.models import OutboxEvent
from mpp.outbox.services import notify, subscribe
from screenings.models import AmenabilityReview, FearClaim


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


def _claim(event: OutboxEvent) -> FearClaim:
    return FearClaim.objects.select_related("case__alien", "case__location", "location", "asylum_office").get(
        pk=event.payload["claim_id"]
    )


def notify_fear_claim_referred(event: OutboxEvent) -> None:
    """S1: a claim refers the person to the asylum office that serves the place; its officers are told
    (no account or statement in the notice)."""
    claim = _claim(event)
    when = local_time_words(claim.stated_at, claim.location.time_zone)
    notify(
        event=event,
        roles=[Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER],
        location_id=claim.asylum_office_id,
        message=f"{case_words(claim.case)}: fear of return to Mexico stated at {claim.location.name}, {when}; "
        f"an MPP assessment interview is needed (S1, {claim.asylum_office.name}).",
        url=reverse("screenings:fear-claim", args=[claim.pk]),
    )


def notify_fear_assessment_submitted(event: OutboxEvent) -> None:
    """S3: the office's supervisory asylum officers review it (the assessor is excluded by the rule, not
    here: they may be a supervisor too, and are told nothing new)."""
    claim = _claim(event)
    notify(
        event=event,
        roles=[Role.SUPERVISORY_ASYLUM_OFFICER],
        location_id=claim.asylum_office_id,
        message=f"{case_words(claim.case)}: a fear assessment awaits supervisory review (S3).",
        url=reverse("screenings:fear-claim", args=[claim.pk]),
    )


def notify_fear_assessment_returned(event: OutboxEvent) -> None:
    claim = _claim(event)
    assessed_by = event.payload.get("assessed_by_id")
    notify(
        event=event,
        user_ids=[assessed_by] if assessed_by else [],
        message=f"{case_words(claim.case)}: your fear assessment was returned for correction (S3).",
        url=reverse("screenings:fear-claim", args=[claim.pk]),
    )


def notify_fear_concurred(event: OutboxEvent) -> None:
    """S4: the concurred result goes to the CBP supervisors of the case's port and ICE officers there (the
    outcome, not the grounds or the account)."""
    claim = _claim(event)
    outcome = FearClaim.Outcome(claim.outcome).label if claim.outcome else "decided"
    moved = len(event.payload.get("moved_case_ids", []))
    if claim.outcome != FearClaim.Outcome.POSITIVE:
        effect = "; the hold is released and nobody was moved (S4)"
    elif moved:
        effect = f"; {moved} case(s) of the family not processed for MPP or removed from MPP (S4, F5)"
    else:  # e.g. the family awaits its amenability review: the supervisor decides, on the assessment
        effect = "; no case was moved: members in screening or review are not amenable when decided (S4, F5)"
    notify(
        event=event,
        roles=[Role.CBP_SUPERVISOR, Role.ICE_OFFICER],
        location_id=claim.case.location_id,
        message=f"{case_words(claim.case)}: fear assessment concurred — {outcome}{effect}.",
        url=reverse("cases:detail", args=[claim.case_id]),
    )


def register() -> None:
    subscribe(
        "amenability.review_requested", notify_review_requested, name="screenings.notify_review_requested"
    )
    subscribe("amenability.decided", notify_review_closed, name="screenings.notify_review_decided")
    subscribe("amenability.returned", notify_review_closed, name="screenings.notify_review_returned")
    subscribe("fear.claim_referred", notify_fear_claim_referred, name="screenings.notify_fear_claim_referred")
    subscribe(
        "fear.assessment_submitted",
        notify_fear_assessment_submitted,
        name="screenings.notify_fear_assessment_submitted",
    )
    subscribe(
        "fear.assessment_returned",
        notify_fear_assessment_returned,
        name="screenings.notify_fear_assessment_returned",
    )
    subscribe("fear.concurred", notify_fear_concurred, name="screenings.notify_fear_concurred")
