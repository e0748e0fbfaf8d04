"""The case registry's subscribers on the event bus (mpp.outbox): in-app notifications rendered from the
event and the case as they are when delivered. Each is safe to run twice (one notification per event and
user)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus, CustodyReferral, EroHandoff
from mpp.accounts.roles import Role
from mpp.outbox.models import OutboxEvent
from mpp.outbox.services import notify, subscribe


def case_words(case: Case) -> str:
    """Who the case is about, for a notice: name and A-number."""
    return f"{case.alien.full_name} ({case.alien.a_number or 'no A-number yet'}, case {case.pk})"


def local_time_words(moment: object, time_zone: str) -> str:
    """A time as the people at a location read it, with the zone named."""
    local = timezone.localtime(moment, ZoneInfo(time_zone))  # type: ignore[arg-type]
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _case_of(event: OutboxEvent) -> Case:
    if event.case_id is None:
        raise ValueError(f"{event} names no case.")
    return Case.objects.select_related("alien", "location").get(pk=event.case_id)


# Status reached → who is told (H4: ICE ERO about hand-offs). A removal order is not told here: it may be
# appealed; ICE at the location is told when it becomes final (``ero.handoff_due``, below).
_TELL_ON_STATUS: dict[str, tuple[frozenset[str], str]] = {
    CaseStatus.HANDED_TO_ICE: (frozenset({Role.ICE_OFFICER}), "handed over to ICE ERO"),
}


def notify_status_changed(event: OutboxEvent) -> None:
    told = _TELL_ON_STATUS.get(event.payload.get("to", ""))
    if told is None:
        return
    roles, what = told
    case = _case_of(event)
    when = local_time_words(event.created_at, case.location.time_zone)
    notify(
        event=event,
        roles=sorted(roles),
        message=f"{case_words(case)}: {what} — {case.location.name}, {when}.",
        url=reverse("cases:detail", args=[case.pk]),
    )


def notify_custody_referred(event: OutboxEvent) -> None:
    """S4: ICE officers at the case's location are told a custody determination is due."""
    case = _case_of(event)
    notify(
        event=event,
        roles=[Role.ICE_OFFICER],
        location_id=case.location_id,
        message=f"{case_words(case)} at {case.location.name}: a custody determination is due (S4).",
        url=reverse("cases:custody", args=[case.pk]),
    )


def notify_custody_withdrawn(event: OutboxEvent) -> None:
    """F6/H4: ICE officers at the referral's location — the ones told it was due — are told it was
    withdrawn: the person was granted relief, and no custody determination is due."""
    referral = CustodyReferral.objects.select_related("case__alien", "location").get(
        pk=event.payload["referral_id"]
    )
    notify(
        event=event,
        roles=[Role.ICE_OFFICER],
        location_id=referral.location_id,
        message=f"{case_words(referral.case)} at {referral.location.name}: referral to ICE withdrawn. "
        f"{referral.withdrawn_reason}",
        url=reverse("cases:custody", args=[referral.case_id]),
    )


def notify_ero_handoff_due(event: OutboxEvent) -> None:
    """H4: ICE officers posted at the hand-off's location are told a final order of removal is to be
    carried out (and see it on the queue's hand-off tab)."""
    handoff = EroHandoff.objects.select_related("case__alien", "location").get(pk=event.payload["handoff_id"])
    if handoff.handed_at is not None or handoff.cancelled_at is not None:
        return  # recorded or reopened before this delivery ran: nothing to tell
    case = handoff.case
    notify(
        event=event,
        roles=[Role.ICE_OFFICER],
        location_id=handoff.location_id,
        message=f"{case_words(case)} at {handoff.location.name}: final order of removal — hand-off to ICE ERO "
        f"due (H4). {handoff.order_words}",
        url=f"{reverse('cases:custody-queue')}?tab=ero",
    )


def register() -> None:
    subscribe("case.status_changed", notify_status_changed, name="cases.notify_status_changed")
    subscribe("custody.referred", notify_custody_referred, name="cases.notify_custody_referred")
    subscribe("custody.withdrawn", notify_custody_withdrawn, name="cases.notify_custody_withdrawn")
    subscribe("ero.handoff_due", notify_ero_handoff_due, name="cases.notify_ero_handoff_due")
