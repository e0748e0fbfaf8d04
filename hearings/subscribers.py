"""The hearings app's subscribers on the event bus. A moved hearing issues the new tear sheet here (N5),
not in the hearings service: the service records the move and emits ``hearing.rescheduled``; this
subscriber supersedes the old sheet, queues the new one and tells that location's print staff. Safe to
run twice (the reissue and the notices are idempotent)."""

from __future__ import annotations

from django.urls import reverse

from cases.subscribers import case_words, local_time_words
from hearings.models import NoticeToAppear, TearSheet
from hearings.services import tear_sheet_reissue
from mpp.accounts.roles import Role
from mpp.outbox.models import OutboxEvent
from mpp.outbox.services import notify, subscribe


def _sheet_notice(event: OutboxEvent, sheet: TearSheet, what: str) -> None:
    hearing = sheet.hearing
    place = hearing.hearing_location
    when = local_time_words(hearing.starts_at, place.time_zone)
    notify(
        event=event,
        roles=[Role.PRINT_STAFF],
        location_id=sheet.location_id,
        message=f"{what}: tear sheet v{sheet.version} for {case_words(sheet.case)}, hearing at {place.name} "
        f"{when}, is waiting to be printed.",
        url=reverse("hearings:print-queue"),
    )


def reissue_tear_sheet(event: OutboxEvent) -> None:
    """N5: the hearing moved, so the person needs a new sheet; the old one is superseded."""
    sheet = tear_sheet_reissue(
        old_hearing_id=event.payload["old_hearing_id"], new_hearing_id=event.payload["new_hearing_id"]
    )
    sheet = TearSheet.objects.select_related("case__alien", "hearing__hearing_location").get(pk=sheet.pk)
    verb = "Continued" if event.payload.get("mode") == "continued" else "Rescheduled"
    _sheet_notice(event, sheet, f"{verb} hearing")


def notify_tear_sheet_issued(event: OutboxEvent) -> None:
    sheet = TearSheet.objects.select_related("case__alien", "hearing__hearing_location").get(
        pk=event.payload["tear_sheet_id"]
    )
    _sheet_notice(event, sheet, "NTA served")


def notify_nta_served(event: OutboxEvent) -> None:
    """Court staff confirm the filing (only filed NTAs count as enrolled, M3/M4)."""
    ntas = list(
        NoticeToAppear.objects.filter(pk__in=event.payload["nta_ids"])
        .select_related("case__alien", "court", "served_location")
        .order_by("pk")
    )
    if not ntas:
        return
    head = ntas[0]
    others = f" and {len(ntas) - 1} more" if len(ntas) > 1 else ""
    notify(
        event=event,
        roles=[Role.COURT_STAFF],
        message=f"NTA served on {case_words(head.case)}{others} at {head.served_location.name} for "
        f"{head.court.name}: confirm the filing.",
        url=reverse("hearings:filing-queue"),
    )


def register() -> None:
    subscribe("hearing.rescheduled", reissue_tear_sheet, name="hearings.reissue_tear_sheet")
    subscribe("tear_sheet.issued", notify_tear_sheet_issued, name="hearings.notify_tear_sheet_issued")
    subscribe("nta.served", notify_nta_served, name="hearings.notify_nta_served")
