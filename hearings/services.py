"""Every write of the hearings app: docket time (slots), serving the NTA (N1, N3) with the initial hearing
and the first tear sheet, filing it (M3/M4), moving hearings (H2), reissuing tear sheets (N5), changes of
address (N6) and printing. Each service runs in one transaction (printing a batch commits its progress
sheet by sheet, on purpose), stamps who and why on the history rows, and appends case events."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from cases.exceptions import CaseNotFound, ConcurrentEdit, IllegalTransition, InvalidInput, NotPermitted
from cases.models import CASE_CLOSED_STATUSES, Case, CaseStatus, Encounter, Language
from cases.selectors import case_is_visible_to, move_refusal
from cases.services import (
    case_event_record,
    case_move,
    case_reporting_port_set,
    family_lock,
    require_reason,
)
from hearings.i18n import local_words
from hearings.models import (
    AddressInMexico,
    Charge,
    Hearing,
    HearingLocation,
    HearingSlot,
    NoticeToAppear,
    NtaCharge,
    PrintBatch,
    PrintBatchItem,
    TearSheet,
    TearSheetPrint,
)
from hearings.rules import tear_sheet_language
from hearings.workflow import ADDRESS_ROLES, COURT_ROLES, NTA_SERVICE, PRINT_ROLES, SERVE_ROLES
from mpp.accounts.models import User
from mpp.accounts.roles import roles_in_words
from mpp.audit.services import history_stamp
from mpp.outbox.services import outbox_emit

# Batches of more than this many sheets are built by the Celery task; smaller ones while the page waits.
INLINE_BATCH_MAX = 2
MAX_BATCH = 500


def _require_role(actor: User, roles: frozenset[str], what: str, *, field: str | None = None) -> None:
    if not actor.has_role(*roles):
        raise NotPermitted(f"{what} is for: {roles_in_words(roles)}.", field=field)


def local_moment(*, day: dt.date, at: dt.time, tz_name: str, field: str) -> dt.datetime:
    """``day`` at ``at`` in the zone, as an aware datetime; a time the clocks skip is refused and a time
    that occurs twice is read as the first (daylight) occurrence."""
    zone = zoneinfo.ZoneInfo(tz_name)
    naive = dt.datetime.combine(day, at)
    moment = naive.replace(tzinfo=zone, fold=0)
    if moment.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise InvalidInput(
            f"{at:%H:%M} does not exist on {day:%Y-%m-%d} in {tz_name} (the clocks skip it).", field=field
        )
    return moment


# --- slots (docket time) -----------------------------------------------------------------------------


@transaction.atomic
def slots_publish(
    *, hearing_location_id: int, day: dt.date, times: Sequence[dt.time], capacity: int, actor: User
) -> list[HearingSlot]:
    """Court staff publish docket time: one slot per start time on ``day`` at the hearing location, in
    that location's zone, each with ``capacity`` places. All or nothing: a time that already has a slot
    is refused naming it. Raises NotPermitted, InvalidInput (hearing_location, day, times, capacity)."""
    _require_role(actor, COURT_ROLES, "Publishing hearing slots")
    place = HearingLocation.objects.filter(pk=hearing_location_id, is_active=True).first()
    if place is None:
        raise InvalidInput("Choose an active hearing location.", field="hearing_location")
    if not 1 <= capacity <= 500:
        raise InvalidInput("Capacity is the number of people the slot can hear: 1 to 500.", field="capacity")
    if not times:
        raise InvalidInput("Give at least one start time.", field="times")
    if len(set(times)) != len(times):
        raise InvalidInput("A start time is given twice.", field="times")
    today = timezone.localdate(timezone.now(), place.zone)
    if day < today:
        raise InvalidInput(f"{day:%Y-%m-%d} is in the past at {place.name}.", field="day")
    moments = [local_moment(day=day, at=t, tz_name=place.time_zone, field="times") for t in sorted(times)]
    taken = set(
        HearingSlot.objects.filter(hearing_location=place, starts_at__in=moments).values_list(
            "starts_at", flat=True
        )
    )
    if taken:
        words = ", ".join(local_words(m, place.time_zone) for m in sorted(taken))
        raise InvalidInput(f"{place.name} already has a slot at {words}.", code="slot_exists", field="times")
    slots = []
    for moment in moments:
        slot = HearingSlot(hearing_location=place, starts_at=moment, capacity=capacity, published_by=actor)
        history_stamp(slot, actor=actor, reason=f"Docket time published for {place.name}")
        slot.save()
        slots.append(slot)
    return slots


def _slot_book(*, slot_id: int, places: int, actor: User, reason: str) -> HearingSlot:
    """Take ``places`` in a slot under its row lock: of two officers booking the last place, the second
    waits here, then reads what the first committed and is told the slot is full."""
    slot = (
        HearingSlot.objects.select_for_update(of=("self",))
        .select_related("hearing_location")
        .filter(pk=slot_id)
        .first()
    )
    if slot is None:
        raise InvalidInput("Choose a hearing slot.", field="slot")
    if slot.starts_at <= timezone.now():
        raise InvalidInput("That slot has already begun; choose a later one.", code="slot_past", field="slot")
    if slot.room < places:
        when = local_words(slot.starts_at, slot.hearing_location.time_zone)
        left = f"{slot.room} place left" if slot.room == 1 else f"{slot.room} places left"
        raise ConcurrentEdit(
            f"{slot.hearing_location.name}, {when}, has {left}; {places} needed. Choose another slot.",
            code="slot_full",
        )
    slot.booked = F("booked") + places
    history_stamp(slot, actor=actor, reason=reason)
    slot.save(update_fields=["booked", "updated_at"])
    slot.refresh_from_db(fields=["booked"])
    return slot


def _slot_release(*, slot: HearingSlot, places: int, actor: User, reason: str) -> None:
    slot.booked = F("booked") - places
    history_stamp(slot, actor=actor, reason=reason)
    slot.save(update_fields=["booked", "updated_at"])


# --- the NTA (N1) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressInput:
    address: str
    city: str
    state: str
    phone: str = ""

    def cleaned(self) -> AddressInput:
        values = {k: (getattr(self, k) or "").strip() for k in ("address", "city", "state", "phone")}
        for name in ("address", "city", "state"):
            if not values[name]:
                raise InvalidInput(
                    f"Give the {name} of the address in Mexico.",
                    field=f"address_{name}" if name != "address" else "address",
                )
        return AddressInput(**values)


def _language(code: str | None, *, field: str) -> Language | None:
    if not code:
        return None
    found = Language.objects.filter(code=code).first()
    if found is None:
        raise InvalidInput(f"“{code}” is not a language on the list.", field=field)
    return found


def _new_tear_sheet(*, case: Case, hearing: Hearing, reason: str, actor: User | None, why: str) -> TearSheet:
    version = (TearSheet.objects.filter(case=case).aggregate(v=Max("version"))["v"] or 0) + 1
    sheet = TearSheet(
        case=case,
        hearing=hearing,
        location_id=case.location_id,
        version=version,
        reason=reason,
        language_code=tear_sheet_language(case.alien.preferred_language),
    )
    history_stamp(sheet, actor=actor, reason=why)
    sheet.save()
    return sheet


@transaction.atomic
def nta_serve_family(
    *,
    encounter_id: int,
    slot_id: int,
    actor: User,
    classification: str,
    charge_codes: Sequence[str],
    oral_notice_language: str,
    interpretation: str,
    interpreter_language: str | None,
    address: AddressInput,
    case_ids: Sequence[int] | None = None,
    served_at: dt.datetime | None = None,
) -> list[NoticeToAppear]:
    """Serve the NTA on every amenable member of the family (or those of ``case_ids``), in one
    transaction: each member's NTA with its allegations and charges, the initial master-calendar hearing
    booked in one slot for the family, the address in Mexico, the first tear sheet in the person's language
    (N1, N1a), and the move to enrolled (``case_move`` through the NTA workflow, which refuses a member
    whose fear claim is pending: S1/S4). N3: the oral notice language and the interpretation are recorded.

    Locks the family unit, then the family's cases in id order, then the slot. Serving a family that is
    already served is a no-op (the existing NTAs are returned). Emits ``nta.served`` (court staff: filing)
    and ``tear_sheet.issued`` (print staff) after commit through the outbox.
    Raises NotPermitted, CaseNotFound, InvalidInput (naming the field), IllegalTransition, PolicyRefusal
    (a hold), ConcurrentEdit (``slot_full``).
    """
    _require_role(actor, SERVE_ROLES, "Serving a Notice to Appear")
    encounter = Encounter.objects.select_related("location").filter(pk=encounter_id).first()
    if encounter is None or (
        actor.is_location_scoped and encounter.location_id not in actor.duty_location_ids
    ):
        raise CaseNotFound(f"No family {encounter_id} that you can see.")
    if classification not in NoticeToAppear.Classification.values:
        raise InvalidInput("Choose how the person is classed on the NTA.", field="classification")
    codes = sorted(set(charge_codes))
    if not codes:
        raise InvalidInput("Choose at least one charge.", field="charges")
    charges = list(Charge.objects.filter(code__in=codes, is_active=True))
    if len(charges) != len(codes):
        unknown = sorted(set(codes) - {c.code for c in charges})
        raise InvalidInput(f"Not a charge on the list: {', '.join(unknown)}.", field="charges")
    notice_language = _language(oral_notice_language, field="oral_notice_language")
    if notice_language is None:
        raise InvalidInput("Give the language the NTA was explained in (N3).", field="oral_notice_language")
    if interpretation not in NoticeToAppear.Interpretation.values:
        raise InvalidInput("Choose the interpretation used (N3).", field="interpretation")
    interpreter = _language(interpreter_language, field="interpreter_language")
    if interpretation == NoticeToAppear.Interpretation.NONE and interpreter is not None:
        raise InvalidInput(
            "No interpreter was used: leave the interpreter's language empty (N3).",
            field="interpreter_language",
            code="n3_interpretation",
        )
    if interpretation != NoticeToAppear.Interpretation.NONE and interpreter is None:
        raise InvalidInput(
            "Give the language the interpreter used (N3).",
            field="interpreter_language",
            code="n3_interpretation",
        )
    where = address.cleaned()
    now = timezone.now()
    served_at = served_at or now
    if served_at > now + dt.timedelta(minutes=5):
        raise InvalidInput("The NTA cannot be served in the future.", field="served_at")
    if served_at < encounter.occurred_at:
        raise InvalidInput("The NTA cannot be served before the encounter.", field="served_at")

    family_lock(family_unit_id=encounter.family_unit_id)
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("alien", "alien__preferred_language", "location")
        .filter(encounter_id=encounter_id)
        .order_by("pk")
    )
    if case_ids is not None:
        unknown_ids = set(case_ids) - {c.pk for c in cases}
        if unknown_ids:
            raise InvalidInput("A chosen case is not in this family.", field="cases")
        cases = [c for c in cases if c.pk in set(case_ids)]
    served = {n.case_id: n for n in NoticeToAppear.objects.filter(case__in=cases)}
    # A member who is not amenable (e.g. the Mexican child, F2) is never served: once the others are,
    # serving the family again is the no-op, not "nobody amenable".
    targets = [c for c in cases if c.pk not in served and c.status == CaseStatus.AMENABLE]
    if not targets and served:
        return list(served.values())
    if not targets:
        raise IllegalTransition(
            "Nobody in this family is amenable and waiting for an NTA (the supervisor decides amenability, A3).",
            code="nobody_amenable",
        )
    for case in targets:
        refusal = move_refusal(actor=actor, case=case, target=CaseStatus.ENROLLED, workflow=NTA_SERVICE)
        if refusal is not None:
            refusal.message = f"{case.alien.full_name}: {refusal.message}"
            raise refusal
    slot = _slot_book(
        slot_id=slot_id,
        places=len(targets),
        actor=actor,
        reason=f"Initial hearings booked for family {encounter.family_unit_id}",
    )
    place = slot.hearing_location
    hearing_words = f"{place.name}, {local_words(slot.starts_at, place.time_zone)}"
    created: list[NoticeToAppear] = []
    for case in targets:
        why = f"NTA served in person at {encounter.location.name}; initial master calendar hearing at {hearing_words}"
        hearing = Hearing(
            case=case,
            slot=slot,
            hearing_location=place,
            starts_at=slot.starts_at,
            kind=Hearing.Kind.MASTER,
            is_initial=True,
            scheduled_by=actor,
            reason="Initial master calendar hearing named in the NTA (N1).",
        )
        history_stamp(hearing, actor=actor, reason=why)
        hearing.save()
        case_reporting_port_set(case=case, port_id=place.reporting_port_id, actor=actor, reason=why)
        nta = NoticeToAppear(
            case=case,
            court_id=place.court_id,
            initial_hearing=hearing,
            classification=classification,
            citizen_of=case.alien.country_of_citizenship,
            arrived_at=encounter.location,
            arrived_on=timezone.localdate(
                encounter.occurred_at, zoneinfo.ZoneInfo(encounter.location.time_zone)
            ),
            served_at=served_at,
            served_by=actor,
            served_location=encounter.location,
            oral_notice_language=notice_language,
            interpretation=interpretation,
            interpreter_language=interpreter,
        )
        history_stamp(nta, actor=actor, reason=why)
        try:
            with transaction.atomic():
                nta.save()
        except IntegrityError as exc:
            raise InvalidInput(
                f"The NTA for {case.alien.full_name} could not be recorded: {exc}", field="served_at"
            ) from exc
        for charge in charges:
            link = NtaCharge(nta=nta, charge=charge)
            history_stamp(link, actor=actor, reason=why)
            link.save()
        home = AddressInMexico(
            alien=case.alien,
            case=case,
            address=where.address,
            city=where.city,
            state=where.state,
            phone=where.phone,
            source=AddressInMexico.Source.NTA,
            # The day of service where it was served, not in UTC (an evening service is "tomorrow" there).
            received_on=timezone.localdate(served_at, zoneinfo.ZoneInfo(encounter.location.time_zone)),
            how_received=AddressInMexico.Received.AT_SERVICE,
            recorded_by=actor,
        )
        history_stamp(home, actor=actor, reason=why)
        home.save()
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.ENROLLED,
            actor=actor,
            reason=why,
            workflow=NTA_SERVICE,
            subject=nta,
            data={
                "nta_id": nta.pk,
                "hearing_id": hearing.pk,
                "court": place.court.name,
                "hearing_location": place.name,
                "hearing_at": slot.starts_at.isoformat(),
                "charges": [c.code for c in charges],
                "interpretation": interpretation,
                "rule": "N1",
            },
        )
        sheet = _new_tear_sheet(case=case, hearing=hearing, reason=TearSheet.Reason.NEW, actor=actor, why=why)
        case_event_record(
            case=case,
            type="tear_sheet.issued",
            actor=actor,
            reason=f"Tear sheet v{sheet.version} for the hearing at {hearing_words} "
            f"({sheet.language_code or 'English and Spanish'}); waiting to be printed at {case.location.name}.",
            data={
                "tear_sheet_id": sheet.pk,
                "version": sheet.version,
                "language": sheet.language_code,
                "rule": "N1",
            },
            subject=sheet,
        )
        outbox_emit(
            event="tear_sheet.issued",
            case_id=case.pk,
            data={"tear_sheet_id": sheet.pk, "location_id": sheet.location_id},
        )
        created.append(nta)
    outbox_emit(
        event="nta.served",
        case_id=targets[0].pk,
        data={"nta_ids": [n.pk for n in created], "court_id": place.court_id, "encounter_id": encounter_id},
    )
    return [*served.values(), *created]


@transaction.atomic
def nta_file(*, nta_ids: Sequence[int], filed_on: dt.date, actor: User) -> list[NoticeToAppear]:
    """Court staff confirm the NTAs were filed with the court on ``filed_on``: only filed NTAs count as
    enrolled (M3/M4). Locks the NTAs in id order; an NTA already filed is left as it is (a double submit
    is a no-op). Records ``nta.filed`` on each case. Raises NotPermitted, InvalidInput (nta_ids, filed_on)."""
    _require_role(actor, COURT_ROLES, "Confirming the filing of an NTA")
    ids = sorted(set(nta_ids))
    if not ids:
        raise InvalidInput("Choose at least one NTA.", field="nta_ids")
    if filed_on > timezone.localdate():
        raise InvalidInput("The filing date cannot be in the future.", field="filed_on")
    ntas = list(
        NoticeToAppear.objects.select_for_update(of=("self",))
        .select_related("case", "court")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(ntas) != len(ids):
        raise InvalidInput("A chosen NTA does not exist.", field="nta_ids")
    for nta in ntas:
        if nta.filed_on is None and filed_on < nta.served_at.date() - dt.timedelta(days=1):
            raise InvalidInput(
                f"NTA {nta.pk} was served on {nta.served_at:%Y-%m-%d}; it cannot be filed before that.",
                field="filed_on",
            )
    for nta in ntas:
        if nta.filed_on is not None:
            continue
        nta.filed_on = filed_on
        nta.filed_by = actor
        why = f"NTA filed with {nta.court.name} on {filed_on:%Y-%m-%d}"
        history_stamp(nta, actor=actor, reason=why)
        nta.save(update_fields=["filed_on", "filed_by", "updated_at"])
        case_event_record(
            case=nta.case,
            type="nta.filed",
            actor=actor,
            reason=why,
            data={"nta_id": nta.pk, "filed_on": filed_on.isoformat(), "rule": "M3"},
            subject=nta,
        )
        outbox_emit(event="nta.filed", case_id=nta.case_id, data={"nta_id": nta.pk})
    return ntas


# --- hearings (H2) -----------------------------------------------------------------------------------


@transaction.atomic
def hearings_move(
    *, hearing_ids: Sequence[int], slot_id: int, mode: str, actor: User, reason: str
) -> list[Hearing]:
    """H2: reschedule (the hearing does not take place on its date) or continue (it took place and goes on
    to a later day) one or several scheduled hearings — e.g. a family heard together — into another slot
    with room. The old hearing keeps its record and points to the new one; a rescheduled hearing gives its
    place back to its slot. Emits ``hearing.rescheduled`` per hearing: the tear sheet subscriber issues the
    new version and supersedes the old one (N5).

    Locks the hearings in id order, then every slot the move touches (the new one; when rescheduling, the
    old ones too) in id order. Raises NotPermitted, InvalidInput (hearings, slot, mode, reason),
    IllegalTransition (not scheduled, case closed), ConcurrentEdit (slot_full).
    """
    _require_role(actor, COURT_ROLES, "Rescheduling or continuing a hearing")
    reason = require_reason(reason)
    if mode not in (Hearing.Status.RESCHEDULED, Hearing.Status.CONTINUED):
        raise InvalidInput("Choose reschedule or continue.", field="mode")
    ids = sorted(set(hearing_ids))
    if not ids:
        raise InvalidInput("Choose at least one hearing.", field="hearings")
    hearings = list(
        Hearing.objects.select_for_update(of=("self",))
        .select_related("case", "hearing_location", "slot")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(hearings) != len(ids) or not all(case_is_visible_to(actor, h.case) for h in hearings):
        raise CaseNotFound("A chosen hearing does not exist or is not one you can see.")
    for hearing in hearings:
        if hearing.status != Hearing.Status.SCHEDULED:
            raise IllegalTransition(
                f"The hearing of {hearing.starts_at:%Y-%m-%d} is already {hearing.get_status_display().lower()}; "
                "move the hearing that replaced it.",
                code="hearing_not_scheduled",
            )
        if hearing.case.status in CASE_CLOSED_STATUSES:
            raise IllegalTransition(
                f"Case {hearing.case_id} is closed ({hearing.case.get_status_display()}); its hearings do not move.",
                code="case_closed",
            )
    target = HearingSlot.objects.select_related("hearing_location").filter(pk=slot_id).first()
    if target is None:
        raise InvalidInput("Choose a hearing slot.", field="slot")
    for hearing in hearings:
        if target.pk == hearing.slot_id:
            raise InvalidInput("That is the slot the hearing is already in.", field="slot")
        if target.hearing_location.court_id != hearing.hearing_location.court_id:
            raise InvalidInput(
                f"The new slot is before {target.hearing_location.court.name}, not the court hearing this case.",
                field="slot",
            )
        if mode == Hearing.Status.CONTINUED:
            old_day = timezone.localdate(hearing.starts_at, hearing.hearing_location.zone)
            new_day = timezone.localdate(target.starts_at, target.hearing_location.zone)
            if new_day <= old_day:
                raise InvalidInput(
                    "A continued hearing goes on on a later day (H2).", field="slot", code="h2_later_day"
                )
    verb = "rescheduled" if mode == Hearing.Status.RESCHEDULED else "continued"
    # In id order, before booking: two moves between the same slots in opposite directions (each books one
    # and gives a place back to the other) then queue up instead of deadlocking.
    touched = {target.pk}
    if mode == Hearing.Status.RESCHEDULED:
        touched.update(h.slot_id for h in hearings)
    list(HearingSlot.objects.select_for_update().filter(pk__in=touched).order_by("pk").values_list("pk"))
    slot = _slot_book(
        slot_id=target.pk, places=len(hearings), actor=actor, reason=f"Hearings {verb}: {reason}"
    )
    place = slot.hearing_location
    moved: list[Hearing] = []
    for hearing in sorted(hearings, key=lambda h: h.slot_id):
        if mode == Hearing.Status.RESCHEDULED:
            old_slot = HearingSlot.objects.select_for_update().get(pk=hearing.slot_id)
            _slot_release(
                slot=old_slot, places=1, actor=actor, reason=f"Hearing {hearing.pk} rescheduled: {reason}"
            )
    for hearing in hearings:
        old_words = f"{hearing.hearing_location.name}, {local_words(hearing.starts_at, hearing.hearing_location.time_zone)}"
        new_words = f"{place.name}, {local_words(slot.starts_at, place.time_zone)}"
        why = f"Hearing {verb} from {old_words} to {new_words}: {reason}"
        hearing.status = mode
        history_stamp(hearing, actor=actor, reason=why)
        hearing.save(update_fields=["status", "updated_at"])
        new = Hearing(
            case=hearing.case,
            slot=slot,
            hearing_location=place,
            starts_at=slot.starts_at,
            kind=hearing.kind,
            replaces=hearing,
            reason=reason,
            scheduled_by=actor,
        )
        history_stamp(new, actor=actor, reason=why)
        new.save()
        case_reporting_port_set(case=hearing.case, port_id=place.reporting_port_id, actor=actor, reason=why)
        case_event_record(
            case=hearing.case,
            type=f"hearing.{verb}",
            actor=actor,
            reason=why,
            data={
                "old_hearing_id": hearing.pk,
                "new_hearing_id": new.pk,
                "new_at": slot.starts_at.isoformat(),
                "rule": "H2",
            },
            subject=new,
        )
        outbox_emit(
            event="hearing.rescheduled",
            case_id=hearing.case_id,
            data={"old_hearing_id": hearing.pk, "new_hearing_id": new.pk, "mode": mode},
        )
        moved.append(new)
    return moved


@transaction.atomic
def tear_sheet_reissue(*, old_hearing_id: int, new_hearing_id: int) -> TearSheet:
    """N5: a new tear sheet version for the hearing that replaced ``old_hearing_id``; the old hearing's
    current sheet is marked superseded by it. Run by the event-bus subscriber of ``hearing.rescheduled``
    (no user: the system acts). Locks the case row, so two deliveries of one event issue one sheet; a
    second run returns the sheet the first issued.

    If the new hearing was itself moved before this delivery ran (or the deliveries of two moves ran out
    of order), the sheet is for the hearing that replaced it, the one the person must attend; every
    current sheet of a moved hearing of the case is superseded by it, so no sheet for a date that no
    longer holds stays printable."""
    new = Hearing.objects.select_related("hearing_location").get(pk=new_hearing_id)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("alien__preferred_language", "location")
        .get(pk=new.case_id)
    )
    moved = (Hearing.Status.RESCHEDULED, Hearing.Status.CONTINUED)
    while new.status in moved:
        later = Hearing.objects.select_related("hearing_location").filter(replaces=new).first()
        if later is None:
            break
        new = later
    existing = TearSheet.objects.filter(hearing=new, superseded_at__isnull=True).first()
    if existing is not None:
        return existing
    old_sheets = list(
        TearSheet.objects.select_for_update(of=("self",))
        .filter(
            Q(hearing_id=old_hearing_id) | Q(hearing__status__in=moved), case=case, superseded_at__isnull=True
        )
        .exclude(hearing=new)
        .order_by("pk")
    )
    when = local_words(new.starts_at, new.hearing_location.time_zone)
    why = f"Hearing moved to {new.hearing_location.name}, {when}: new tear sheet (N5)"
    sheet = _new_tear_sheet(case=case, hearing=new, reason=TearSheet.Reason.REISSUED, actor=None, why=why)
    now = timezone.now()
    for old in old_sheets:
        old.superseded_at = now
        old.superseded_by = sheet
        history_stamp(old, actor=None, reason=f"Superseded by v{sheet.version}: {why}")
        old.save(update_fields=["superseded_at", "superseded_by", "updated_at"])
    replaced = ", ".join(f"v{o.version}" for o in old_sheets) or "none"
    case_event_record(
        case=case,
        type="tear_sheet.reissued",
        actor=None,
        reason=f"Tear sheet v{sheet.version} issued for {new.hearing_location.name}, {when}; superseded: {replaced}. "
        f"Waiting to be printed at {case.location.name}.",
        data={
            "tear_sheet_id": sheet.pk,
            "version": sheet.version,
            "superseded": [o.pk for o in old_sheets],
            "rule": "N5",
        },
        subject=sheet,
    )
    return sheet


# --- change of address (N6) --------------------------------------------------------------------------


@transaction.atomic
def address_change_record(
    *, case_id: int, address: AddressInput, received_on: dt.date, how_received: str, actor: User
) -> AddressInMexico:
    """N6: record a Form EOIR-33 change of address in Mexico; it is what later documents print. Locks the
    case row. Raises NotPermitted, CaseNotFound, InvalidInput (address fields, received_on, how_received)."""
    _require_role(actor, ADDRESS_ROLES, "Recording a change of address")
    case = Case.objects.select_for_update(of=("self",)).select_related("alien").filter(pk=case_id).first()
    if case is None or not case_is_visible_to(actor, case):
        raise CaseNotFound(f"No case {case_id} that you can see.")
    where = address.cleaned()
    if (
        how_received not in AddressInMexico.Received.values
        or how_received == AddressInMexico.Received.AT_SERVICE
    ):
        raise InvalidInput("Choose how the EOIR-33 was received.", field="how_received")
    if received_on > timezone.localdate():
        raise InvalidInput("The date received cannot be in the future.", field="received_on")
    if not NoticeToAppear.objects.filter(case=case).exists():
        raise IllegalTransition(
            "No NTA has been served on this case yet; the address is recorded with the NTA.", code="no_nta"
        )
    record = AddressInMexico(
        alien=case.alien,
        case=case,
        address=where.address,
        city=where.city,
        state=where.state,
        phone=where.phone,
        source=AddressInMexico.Source.EOIR33,
        received_on=received_on,
        how_received=how_received,
        recorded_by=actor,
    )
    why = f"EOIR-33 received {received_on:%Y-%m-%d} ({record.get_how_received_display().lower()}): {record.one_line}"
    history_stamp(record, actor=actor, reason=why)
    record.save()
    case_event_record(
        case=case,
        type="address.changed",
        actor=actor,
        reason=why,
        data={"address_id": record.pk, "rule": "N6"},
        subject=record,
    )
    outbox_emit(event="address.changed", case_id=case.pk, data={"address_id": record.pk})
    return record


# --- printing ----------------------------------------------------------------------------------------


@transaction.atomic
def print_batch_create(*, sheet_ids: Sequence[int], actor: User) -> PrintBatch:
    """Print staff choose sheets to print as one PDF. The sheets must be current (a superseded sheet is
    never printed again: its replacement is named) and at one of the actor's duty locations; a sheet
    already printed is a reprint (recorded when marked printed). Batches of more than INLINE_BATCH_MAX
    sheets are built by the Celery task, enqueued after commit. Raises NotPermitted, InvalidInput."""
    _require_role(actor, PRINT_ROLES, "Printing tear sheets")
    ids = list(dict.fromkeys(sheet_ids))
    if not ids:
        raise InvalidInput("Choose at least one tear sheet.", field="sheets")
    if len(ids) > MAX_BATCH:
        raise InvalidInput(f"At most {MAX_BATCH} sheets in one batch.", field="sheets")
    sheets = {s.pk: s for s in TearSheet.objects.select_related("superseded_by").filter(pk__in=ids)}
    if len(sheets) != len(ids) or any(s.location_id not in actor.duty_location_ids for s in sheets.values()):
        raise CaseNotFound("A chosen tear sheet does not exist or is not at your duty locations.")
    stale = [s for s in sheets.values() if s.superseded_at is not None]
    if stale:
        words = "; ".join(
            f"case {s.case_id} v{s.version} (superseded by v{s.superseded_by.version})"
            for s in stale
            if s.superseded_by
        )
        raise InvalidInput(
            f"Superseded sheets are not printed: {words}. Print the current version.",
            field="sheets",
            code="superseded",
            rule="N5",
        )
    locations = {s.location_id for s in sheets.values()}
    if len(locations) != 1:
        raise InvalidInput("Print one location's sheets at a time.", field="sheets")
    batch = PrintBatch.objects.create(location_id=locations.pop(), requested_by=actor, total=len(ids))
    PrintBatchItem.objects.bulk_create(
        PrintBatchItem(batch=batch, sheet_id=pk, position=i, is_reprint=sheets[pk].print_count > 0)
        for i, pk in enumerate(ids)
    )
    if batch.total > INLINE_BATCH_MAX:
        from hearings.tasks import print_batch_build_task

        # Enqueued after commit, so the worker finds the batch (celery-types lacks delay_on_commit).
        print_batch_build_task.delay_on_commit(batch.pk)  # type: ignore[attr-defined]
    return batch


def print_batch_build(*, batch_id: int) -> PrintBatch:
    """Build the batch's PDF sheet by sheet, committing progress after each (the page shows it). A sheet
    that cannot be built is recorded with its error and left out; the others still print. Safe to run
    twice: a batch that is ready is returned as it is. Not one transaction, on purpose."""
    from hearings.printing import build_batch_pdf
    from hearings.tasks import PRINT_HARD_LIMIT

    now = timezone.now()
    # Claimed by one run: a queued batch, or one whose builder died (acks_late redelivers it) long ago.
    stale = now - dt.timedelta(seconds=PRINT_HARD_LIMIT)
    claimed = (
        PrintBatch.objects.filter(pk=batch_id)
        .filter(
            Q(status=PrintBatch.Status.QUEUED) | Q(status=PrintBatch.Status.BUILDING, started_at__lt=stale)
        )
        .update(status=PrintBatch.Status.BUILDING, started_at=now, done=0, failed=0)
    )
    batch = PrintBatch.objects.get(pk=batch_id)
    if not claimed:
        return batch
    PrintBatchItem.objects.filter(batch=batch).update(status=PrintBatchItem.Status.PENDING, error="")
    pdf = build_batch_pdf(batch)
    batch.refresh_from_db()
    batch.pdf = pdf
    batch.status = PrintBatch.Status.READY if pdf else PrintBatch.Status.FAILED
    if not pdf:
        batch.error = "No sheet could be built; see each sheet's error."
    batch.finished_at = timezone.now()
    batch.save(update_fields=["pdf", "status", "error", "finished_at", "updated_at"])
    return batch


@transaction.atomic
def print_batch_mark_printed(*, batch_id: int, actor: User) -> PrintBatch:
    """Record that the batch's built sheets were printed: who and when, per sheet; a sheet printed before
    is recorded as a reprint. Locks the batch; marking it twice is a no-op. Raises NotPermitted,
    CaseNotFound, IllegalTransition (not built yet)."""
    _require_role(actor, PRINT_ROLES, "Printing tear sheets")
    batch = PrintBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None or batch.location_id not in actor.duty_location_ids:
        raise CaseNotFound(f"No print batch {batch_id} at your duty locations.")
    if batch.marked_printed_at is not None:
        return batch
    if batch.status != PrintBatch.Status.READY:
        raise IllegalTransition("The batch is not built yet; wait until it is ready.", code="batch_not_ready")
    now = timezone.now()
    items = list(
        PrintBatchItem.objects.filter(batch=batch, status=PrintBatchItem.Status.OK)
        .select_related("sheet")
        .order_by("sheet_id")
    )
    sheets = {
        s.pk: s
        for s in TearSheet.objects.select_for_update()
        .filter(pk__in=[i.sheet_id for i in items])
        .select_related("case")
    }
    for item in items:
        sheet = sheets[item.sheet_id]
        reprint = sheet.print_count > 0
        TearSheetPrint.objects.create(
            sheet=sheet, batch=batch, printed_by=actor, printed_at=now, is_reprint=reprint
        )
        if sheet.printed_at is None:
            sheet.printed_at = now
            sheet.printed_by = actor
        sheet.print_count += 1
        why = f"Tear sheet v{sheet.version} {'reprinted' if reprint else 'printed'} (batch {batch.pk})"
        history_stamp(sheet, actor=actor, reason=why)
        sheet.save(update_fields=["printed_at", "printed_by", "print_count", "updated_at"])
        case_event_record(
            case=sheet.case,
            type="tear_sheet.reprinted" if reprint else "tear_sheet.printed",
            actor=actor,
            reason=why,
            data={"tear_sheet_id": sheet.pk, "version": sheet.version, "batch_id": batch.pk},
            subject=sheet,
        )
    batch.marked_printed_at = now
    batch.marked_printed_by = actor
    batch.save(update_fields=["marked_printed_at", "marked_printed_by", "updated_at"])
    return batch
