"""Every write of what happens in court (H2–H5, F6) and what follows from it: counsel of record (H3), a
hearing held or missed, the immigration judge's decision (H4/H5) with its appeal, reopenings and remands
(H5), the hearing a reopened case needs, and the hand-off to ICE ERO a final order of removal calls for
(H4, through ``cases.services``). Court staff (``hearings.workflow.COURT_ROLES``) make every one.

Each service runs in one transaction, locks the family unit and then the case (``lock_family_and_case``)
before it reads what it decides on, stamps who and why on the history rows, and appends one case event per
thing that happened. Status moves go through ``cases.services.case_move`` under the workflow that owns the
edge (``COMPLETION``, ``REOPENING``), which records the edge's event."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from cases.exceptions import CaseNotFound, IllegalTransition, InvalidInput, PolicyRefusal
from cases.models import CASE_CLOSED_STATUSES, Case, CaseStatus
from cases.selectors import case_is_visible_to
from cases.services import (
    case_event_record,
    case_move,
    case_reporting_port_set,
    custody_refer,
    custody_referral_withdraw,
    ero_handoff_cancel,
    ero_handoff_due,
    lock_family_and_case,
    require_reason,
)
from hearings.day_services import appearance_record
from hearings.i18n import local_words
from hearings.models import (
    Completion,
    Hearing,
    HearingAttendance,
    NoticeToAppear,
    Reopening,
    Representation,
    TearSheet,
)
from hearings.services import _new_tear_sheet, _require_role, _slot_book
from hearings.workflow import COMPLETION, COURT_ROLES, REOPENING
from mpp.accounts.models import User
from mpp.audit.services import history_stamp
from mpp.outbox.services import outbox_emit

D = Completion.Decision
A = Completion.Appeal

# What each decision completes the case as (H4): relief or protection granted, a removal order, or other.
COMPLETION_STATUS: dict[str, CaseStatus] = {
    **{d: CaseStatus.COMPLETED_RELIEF for d in Completion.RELIEF},
    **{d: CaseStatus.COMPLETED_REMOVAL_ORDER for d in Completion.REMOVAL},
}
# F6: the members who are "not granted" and go to ICE's custody queue when another member is granted relief:
# those still in proceedings, and those whose case completed without relief (a removal order not yet carried
# out, or another outcome). Not those handed to ICE already, nor those never in MPP.
F6_NOT_GRANTED = frozenset(
    {
        CaseStatus.ENROLLED,
        CaseStatus.IN_MEXICO,
        CaseStatus.IN_US_FOR_HEARING,
        CaseStatus.REMOVED_FROM_MPP,
        CaseStatus.REOPENED,
        CaseStatus.COMPLETED_REMOVAL_ORDER,
        CaseStatus.COMPLETED_OTHER,
    }
)
STAYS_IN_US = "Relief or protection granted: the person stays in the U.S. (H4)."


def _today(case: Case) -> dt.date:
    """Today where the case is handled (its port's zone): a decision or a filing is not dated after it."""
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(case.location.time_zone))


def _not_future(day: dt.date | None, case: Case, *, field: str, what: str) -> dt.date:
    if day is None:
        raise InvalidInput(f"Give the date {what}.", field=field)
    if day > _today(case):
        raise InvalidInput(f"The date {what} cannot be in the future.", field=field)
    return day


def _locked_case(case_id: int, actor: User, what: str) -> Case:
    _require_role(actor, COURT_ROLES, what)
    return lock_family_and_case(
        case_id=case_id, actor=actor, not_found=f"No case {case_id} that you can see."
    )


def counsel_of_record(case_id: int) -> Representation | None:
    return Representation.objects.filter(case_id=case_id, ended_on__isnull=True).first()


# --- counsel of record (H3) ------------------------------------------------------------------------------


@transaction.atomic
def representation_record(
    *,
    case_id: int,
    kind: str,
    name: str,
    organization: str = "",
    eoir_id: str = "",
    phone: str = "",
    eoir28_filed_on: dt.date | None,
    actor: User,
    reason: str,
) -> Representation:
    """H3: enter the attorney or accredited representative of record (Form EOIR-28 filed on
    ``eoir28_filed_on``), of the person's choosing at no expense to the Government. The one of record
    before is ended as substituted on that date, in the same transaction (one of record at a time).

    Locks the family and the case, then the current representation. Records ``representation.ended``
    (for the one substituted) and ``representation.recorded``. Raises NotPermitted, CaseNotFound,
    InvalidInput (kind, name, eoir28_filed_on, reason)."""
    reason = require_reason(reason)
    case = _locked_case(case_id, actor, "Recording counsel of record")
    if kind not in Representation.Kind.values:
        raise InvalidInput("Choose attorney or accredited representative.", field="kind")
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Give the name of the attorney or representative.", field="name")
    filed_on = _not_future(eoir28_filed_on, case, field="eoir28_filed_on", what="the EOIR-28 was filed")
    previous = Representation.objects.select_for_update().filter(case=case, ended_on__isnull=True).first()
    if previous is not None:
        if filed_on < previous.eoir28_filed_on:
            raise InvalidInput(
                f"{previous.name} has been of record since {previous.eoir28_filed_on:%Y-%m-%d}; the new EOIR-28 "
                "cannot be filed before that.",
                field="eoir28_filed_on",
            )
        previous.ended_on = filed_on
        previous.end_reason = f"Substituted by {name}: {reason}"
        history_stamp(previous, actor=actor, reason=previous.end_reason)
        previous.save(update_fields=["ended_on", "end_reason", "updated_at"])
        case_event_record(
            case=case,
            type="representation.ended",
            actor=actor,
            reason=previous.end_reason,
            data={"representation_id": previous.pk, "substituted": True, "rule": "H3"},
            subject=previous,
        )
    representation = Representation(
        case=case,
        kind=kind,
        name=name,
        organization=(organization or "").strip(),
        eoir_id=(eoir_id or "").strip(),
        phone=(phone or "").strip(),
        eoir28_filed_on=filed_on,
        recorded_by=actor,
    )
    history_stamp(representation, actor=actor, reason=reason)
    representation.save()
    case_event_record(
        case=case,
        type="representation.recorded",
        actor=actor,
        reason=f"{representation.get_kind_display()} {name} of record (EOIR-28 filed {filed_on:%Y-%m-%d}): {reason}",
        data={"representation_id": representation.pk, "kind": kind, "rule": "H3"},
        subject=representation,
    )
    return representation


@transaction.atomic
def representation_end(
    *, representation_id: int, ended_on: dt.date | None, actor: User, reason: str
) -> Representation:
    """H3: the counsel of record withdrew (or was released): the record stays, ended on ``ended_on``.
    Ending one already ended is a no-op. Locks the family, the case and the representation. Records
    ``representation.ended``. Raises NotPermitted, CaseNotFound, InvalidInput (ended_on, reason)."""
    reason = require_reason(reason)
    _require_role(actor, COURT_ROLES, "Ending a representation")
    case_id = Representation.objects.filter(pk=representation_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise CaseNotFound(f"No representation {representation_id}.")
    case = _locked_case(case_id, actor, "Ending a representation")
    representation = Representation.objects.select_for_update().get(pk=representation_id)
    if representation.ended_on is not None:
        return representation
    day = _not_future(ended_on, case, field="ended_on", what="the representation ended")
    if day < representation.eoir28_filed_on:
        raise InvalidInput(
            f"The representation began {representation.eoir28_filed_on:%Y-%m-%d}; it cannot end before.",
            field="ended_on",
        )
    representation.ended_on = day
    representation.end_reason = reason
    history_stamp(representation, actor=actor, reason=reason)
    representation.save(update_fields=["ended_on", "end_reason", "updated_at"])
    case_event_record(
        case=case,
        type="representation.ended",
        actor=actor,
        reason=f"{representation.name} no longer of record from {day:%Y-%m-%d}: {reason}",
        data={"representation_id": representation.pk, "substituted": False, "rule": "H3"},
        subject=representation,
    )
    return representation


# --- the hearing: held, or failure to appear (H2, H1) ------------------------------------------------------


def _hearings_locked(hearing_ids: Sequence[int], actor: User, what: str) -> list[Hearing]:
    """The hearings, each case's family and case locked first (in case id order), then the hearings in id
    order; every one must be scheduled and on a day that has come at its location."""
    _require_role(actor, COURT_ROLES, what)
    ids = sorted(set(hearing_ids))
    if not ids:
        raise InvalidInput("Choose at least one hearing.", field="hearings")
    case_ids = sorted(set(Hearing.objects.filter(pk__in=ids).values_list("case_id", flat=True)))
    for case_id in case_ids:
        lock_family_and_case(
            case_id=case_id, actor=actor, not_found="A chosen hearing is not one you can see."
        )
    hearings = list(
        Hearing.objects.select_for_update(of=("self",))
        .select_related("case__alien", "case__location", "hearing_location")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(hearings) != len(ids) or not all(case_is_visible_to(actor, h.case) for h in hearings):
        raise CaseNotFound("A chosen hearing does not exist or is not one you can see.")
    for hearing in hearings:
        if hearing.status != Hearing.Status.SCHEDULED:
            raise IllegalTransition(
                f"The hearing of {hearing.starts_at:%Y-%m-%d} is {hearing.get_status_display().lower()}.",
                code="hearing_not_scheduled",
            )
        place = hearing.hearing_location
        if timezone.localdate(hearing.starts_at, place.zone) > timezone.localdate(timezone.now(), place.zone):
            raise IllegalTransition(
                f"The hearing of {local_words(hearing.starts_at, place.time_zone)} has not come yet.",
                code="hearing_not_yet",
            )
    return hearings


def _appearance_set(*, hearing: Hearing, appearance: str, actor: User, reason: str) -> None:
    """The person's appearance at the hearing, on the hearing-day row (H1), through the hearing day's writer
    (``hearings.day_services.appearance_record``: once the report time has come; someone checked in did
    not fail to appear, ``h1_checked_in``; the same answer again is a no-op)."""
    appearance_record(hearing_ids=[hearing.pk], appearance=appearance, actor=actor, reason=reason)


@transaction.atomic
def hearing_held(*, hearing_ids: Sequence[int], actor: User, reason: str) -> list[Hearing]:
    """H2/H3: the hearing took place: the person attended, and the counsel of record at it is recorded on
    the hearing (``Hearing.counsel``). The hearing stays scheduled until a decision completes the case at it
    (then "held") or it is continued to another day (``hearings.services.hearings_move``, mode continued: a
    new tear sheet, N5). Repeating it is a no-op.

    Locks each case's family and case, then the hearings in id order, then their hearing-day rows. Records
    ``hearing_day.attended`` and ``hearing.held`` per hearing. Raises NotPermitted, InvalidInput,
    CaseNotFound, IllegalTransition (``hearing_not_scheduled``, ``hearing_not_yet``, ``appearance_recorded``)."""
    reason = require_reason(reason)
    hearings = _hearings_locked(hearing_ids, actor, "Recording a hearing held")
    for hearing in hearings:
        attendance = (
            HearingAttendance.objects.filter(hearing=hearing).values_list("appearance", flat=True).first()
        )
        if attendance == HearingAttendance.Appearance.ATTENDED:
            continue  # already recorded as held
        _appearance_set(
            hearing=hearing, appearance=HearingAttendance.Appearance.ATTENDED, actor=actor, reason=reason
        )
        counsel = counsel_of_record(hearing.case_id)
        hearing.counsel = counsel
        history_stamp(hearing, actor=actor, reason=f"Hearing held: {reason}")
        hearing.save(update_fields=["counsel", "updated_at"])
        counsel_words = f"counsel of record {counsel.name}" if counsel else "no counsel of record"
        case_event_record(
            case=hearing.case,
            type="hearing.held",
            actor=actor,
            reason=f"Hearing at {hearing.hearing_location.name}, "
            f"{local_words(hearing.starts_at, hearing.hearing_location.time_zone)} held; {counsel_words} (H3): {reason}",
            data={"hearing_id": hearing.pk, "counsel_id": counsel.pk if counsel else None, "rule": "H3"},
            subject=hearing,
        )
    return hearings


@transaction.atomic
def failure_to_appear(*, hearing_ids: Sequence[int], actor: User, reason: str) -> list[Hearing]:
    """The court records that the person did not appear at the hearing; refused for someone checked in at
    the port that day (``h1_checked_in``). An order in absentia may follow (``completion_record``), or the
    hearing is continued. Locks as ``hearing_held``. Records ``hearing_day.failed_to_appear``. Raises as
    ``hearing_held`` and IllegalTransition ``h1_checked_in``."""
    reason = require_reason(reason)
    hearings = _hearings_locked(hearing_ids, actor, "Recording a failure to appear")
    for hearing in hearings:
        _appearance_set(
            hearing=hearing,
            appearance=HearingAttendance.Appearance.FAILED_TO_APPEAR,
            actor=actor,
            reason=reason,
        )
    return hearings


# --- the decision (H4, H5) and F6 ------------------------------------------------------------------------


def _open_reopening(case: Case) -> Reopening | None:
    return (
        Reopening.objects.select_for_update(of=("self",))
        .filter(case=case, completion_after__isnull=True)
        .order_by("-granted_on", "-id")
        .first()
    )


def _ero_location_id(case: Case, hearing: Hearing | None) -> int:
    """Where ICE is told of a final order (H4): the port the person reports to (the hearing's, else the
    case's), else the port that processed them."""
    if hearing is not None:
        return hearing.hearing_location.reporting_port_id
    return case.reporting_port_id or case.location_id


def _order_words(completion: Completion, case: Case) -> str:
    return (
        f"{completion.get_decision_display()} of {completion.decided_on:%Y-%m-%d} "
        f"against {case.alien.full_name} ({case.alien.a_number or 'no A-number'})."
    )


def _final_order(completion: Completion, case: Case, *, final_on: dt.date, actor: User) -> None:
    ero_handoff_due(
        case_id=case.pk,
        order_ref=f"completion:{completion.pk}",
        ordered_on=completion.decided_on,
        final_on=final_on,
        order_words=_order_words(completion, case),
        location_id=_ero_location_id(case, completion.hearing),
        actor=actor,
    )


def _relief_withdraws_referral(completion: Completion, case: Case, *, actor: User) -> None:
    """F6 (and S4): a person granted relief or protection stays in the U.S. (H4), so a custody referral of
    theirs still open — F6's, made when another member of the family was granted relief first, or S4's —
    is moot: it is withdrawn and leaves ICE's queue. A determination ICE already recorded stays."""
    granted = completion.get_decision_display().removesuffix(" granted")
    granted = granted[:1].lower() + granted[1:]  # "Asylum granted" -> "asylum"; keeps "Convention Against…"
    custody_referral_withdraw(
        case_id=case.pk,
        actor=actor,
        reason=f"F6/H4: {case.alien.full_name} granted {granted} on {completion.decided_on:%Y-%m-%d}: "
        "stays in the U.S.; no custody determination is due.",
    )


def _f6_refer(*, family_unit_id: int, actor: User) -> list[int]:
    """F6: if some members of the family unit are granted relief or protection (their case completed with
    relief) and others are not, each not granted goes to ICE's custody queue (``custody_refer``, a no-op
    when a referral is open). The family is locked by the caller. Returns the referred case ids."""
    members = list(
        Case.objects.filter(encounter__family_unit_id=family_unit_id).select_related("alien").order_by("pk")
    )
    granted = [c for c in members if c.status == CaseStatus.COMPLETED_RELIEF]
    if not granted:
        return []
    names = ", ".join(c.alien.full_name for c in granted)
    referred = []
    for member in members:
        if member.status not in F6_NOT_GRANTED:
            continue
        custody_refer(
            case_id=member.pk,
            actor=actor,
            rule="F6",
            code="family_member_granted_relief",
            reason=f"F6: {names} granted relief or protection; {member.alien.full_name} not granted. ICE "
            "determines detention or release pending all members' proceedings, including appeal.",
        )
        referred.append(member.pk)
    return referred


def nta_court_id(case_id: int) -> int | None:
    """The immigration court of the case's NTA (None before one is served). One query."""
    return NoticeToAppear.objects.filter(case_id=case_id).values_list("court_id", flat=True).first()


@transaction.atomic
def completion_record(
    *,
    case_id: int,
    hearing_id: int | None,
    decision: str,
    decided_on: dt.date | None,
    appeal: str = A.NONE,
    appeal_due_on: dt.date | None = None,
    actor: User,
    reason: str,
) -> Completion:
    """H4/H5: record the immigration judge's decision completing the case, at ``hearing_id`` (then held) or
    outside a hearing. The case's first completion is its *initial* one (M3 counts only these); a later one
    must follow an open reopening (motion to reopen or remand), which it names. The case moves to completed
    (relief / removal order / other) through ``case_move`` (``completion.recorded``). Relief: the person
    stays in the U.S. A removal order final now (no appeal reserved; in absentia) makes the hand-off to ICE
    ERO due (H4). Relief also withdraws the person's own open custody referral, if any (F6: a member referred
    when another was granted relief first, now granted too; ``custody.withdrawn``). Then F6: if a member of
    the family is granted relief and others are not, those go to ICE's custody queue.

    Locks the family and the case, then the hearing, its hearing-day row and the open reopening. Raises
    NotPermitted, CaseNotFound, InvalidInput (decision, decided_on, appeal, appeal_due_on, hearing, reason),
    IllegalTransition (``h5_not_reopened``, the status table), PolicyRefusal (``in_absentia_appeared``).
    """
    reason = require_reason(reason)
    if decision not in D.values:
        raise InvalidInput("Choose the immigration judge's decision.", field="decision")
    if appeal not in (A.NONE, A.RESERVED):
        raise InvalidInput("An appeal is reserved or not when the decision is made.", field="appeal")
    case = _locked_case(case_id, actor, "Recording the immigration judge's decision")
    day = _not_future(decided_on, case, field="decided_on", what="of the decision")
    in_absentia = decision == D.REMOVAL_IN_ABSENTIA
    if in_absentia and appeal != A.NONE:
        raise InvalidInput(
            "An order in absentia is not appealed (a motion to reopen is the remedy).", field="appeal"
        )
    if appeal == A.RESERVED:
        if appeal_due_on is None or appeal_due_on <= day:
            raise InvalidInput("Give the BIA filing deadline, after the decision.", field="appeal_due_on")
    else:
        appeal_due_on = None
    hearing = None
    if hearing_id is not None:
        hearing = (
            Hearing.objects.select_for_update(of=("self",))
            .select_related("hearing_location")
            .filter(pk=hearing_id, case=case)
            .first()
        )
        if hearing is None:
            raise InvalidInput("Choose a hearing of this case.", field="hearing")
        if hearing.status != Hearing.Status.SCHEDULED:
            raise InvalidInput(
                f"That hearing is {hearing.get_status_display().lower()}; record the decision at the hearing "
                "that took place.",
                field="hearing",
            )
        if timezone.localdate(hearing.starts_at, hearing.hearing_location.zone) > day:
            raise InvalidInput("The decision is dated before the hearing.", field="decided_on")
    if in_absentia:
        if hearing is None:
            raise InvalidInput(
                "An order in absentia is made at the hearing the person missed.", field="hearing"
            )
        attendance = HearingAttendance.objects.select_for_update().filter(hearing=hearing).first()
        appeared = attendance is not None and (
            attendance.appearance == HearingAttendance.Appearance.ATTENDED
            or attendance.checked_in_at is not None
        )
        if appeared:
            raise PolicyRefusal(
                f"{case.alien.full_name} was checked in or attended this hearing: no order in absentia.",
                code="in_absentia_appeared",
                rule="H4",
            )
        if attendance is None or attendance.appearance != HearingAttendance.Appearance.FAILED_TO_APPEAR:
            _appearance_set(
                hearing=hearing,
                appearance=HearingAttendance.Appearance.FAILED_TO_APPEAR,
                actor=actor,
                reason=f"Did not appear; order in absentia: {reason}",
            )
    earlier = Completion.objects.filter(case=case).exists()
    reopening = None
    if earlier:
        reopening = _open_reopening(case)
        if reopening is None:
            raise IllegalTransition(
                f"Case {case.pk} is already completed; a later decision follows a motion to reopen or a remand "
                "recorded first (H5).",
                code="h5_not_reopened",
            )
    completion = Completion(
        case=case,
        hearing=hearing,
        court_id=nta_court_id(case.pk),  # M1/M3 count by the NTA's court (Completion.court)
        decision=decision,
        decided_on=day,
        is_initial=not earlier,
        reopening=reopening,
        appeal=appeal,
        appeal_due_on=appeal_due_on,
        reason=reason,
        recorded_by=actor,
    )
    history_stamp(completion, actor=actor, reason=reason)
    completion.save()
    if hearing is not None:
        hearing.status = Hearing.Status.HELD
        if hearing.counsel_id is None:
            hearing.counsel = counsel_of_record(case.pk)
        history_stamp(hearing, actor=actor, reason=f"Decision made at this hearing: {reason}")
        hearing.save(update_fields=["status", "counsel", "updated_at"])
    target = COMPLETION_STATUS.get(decision, CaseStatus.COMPLETED_OTHER)
    which = (
        "initial completion"
        if reopening is None
        else f"later completion, after the {reopening.get_kind_display().lower()}"
    )
    words = f"{completion.get_decision_display()} ({which}, H5)"
    if target == CaseStatus.COMPLETED_RELIEF:
        words = f"{words}. {STAYS_IN_US}"
    if appeal == A.RESERVED:
        words = f"{words}. Appeal reserved: BIA deadline {appeal_due_on:%Y-%m-%d}"
    case_move(
        case_id=case.pk,
        to_status=target,
        actor=actor,
        reason=f"{words}: {reason}",
        workflow=COMPLETION,
        subject=completion,
        data={
            "completion_id": completion.pk,
            "decision": decision,
            "is_initial": completion.is_initial,
            "reopening_id": reopening.pk if reopening else None,
            "hearing_id": hearing.pk if hearing else None,
            "appeal": appeal,
            "stays_in_us": target == CaseStatus.COMPLETED_RELIEF,
            "rule": "H5",
        },
    )
    if target == CaseStatus.COMPLETED_RELIEF:
        _relief_withdraws_referral(completion, case, actor=actor)
    if completion.is_removal_order and appeal == A.NONE:
        _final_order(completion, case, final_on=day, actor=actor)
    outbox_emit(
        event="completion.recorded",
        case_id=case.pk,
        data={"completion_id": completion.pk, "decision": decision, "is_initial": completion.is_initial},
    )
    _f6_refer(family_unit_id=case.encounter.family_unit_id, actor=actor)
    return completion


# --- appeals to the BIA --------------------------------------------------------------------------------


@transaction.atomic
def appeal_record(
    *,
    completion_id: int,
    appeal: str,
    filed_on: dt.date | None = None,
    due_on: dt.date | None = None,
    decided_on: dt.date | None = None,
    outcome: str = "",
    actor: User,
    reason: str,
) -> Completion:
    """An appeal to the BIA of the case's current decision: reserved → filed → decided, or reserved →
    not filed (the deadline passed). A removal order becomes final — the hand-off to ICE ERO due (H4) —
    when the reserved appeal was not filed, or the BIA dismissed it; a sustained appeal remands the case
    (``reopening_record``, kind remand, H5). ``due_on`` moves the deadline of a reserved appeal.

    Locks the family and the case, then the completion. Records ``completion.appeal``. Raises NotPermitted,
    CaseNotFound, InvalidInput (appeal, filed_on, due_on, decided_on, outcome, reason), IllegalTransition
    (``appeal_step``, ``appeal_deadline_not_passed``, ``completion_reopened``)."""
    reason = require_reason(reason)
    case_id = Completion.objects.filter(pk=completion_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise CaseNotFound(f"No decision {completion_id}.")
    case = _locked_case(case_id, actor, "Recording an appeal")
    completion = (
        Completion.objects.select_for_update(of=("self",))
        .select_related("hearing__hearing_location")
        .get(pk=completion_id)
    )
    if Reopening.objects.filter(completion=completion).exists():
        raise IllegalTransition(
            "This decision was reopened; its appeal no longer moves.", code="completion_reopened"
        )
    steps: dict[str, tuple[str, ...]] = {
        A.RESERVED: (A.RESERVED,),  # a new deadline
        A.FILED: (A.RESERVED,),
        A.NOT_FILED: (A.RESERVED,),
        A.DECIDED: (A.FILED,),
    }
    if appeal not in steps:
        raise InvalidInput("Choose the appeal's step: reserved, filed, not filed or decided.", field="appeal")
    if completion.appeal not in steps[appeal]:
        raise IllegalTransition(
            f"The appeal is “{completion.get_appeal_display()}”: it cannot become “{A(appeal).label}”.",
            code="appeal_step",
        )
    today = _today(case)
    data: dict[str, object] = {"completion_id": completion.pk, "from": completion.appeal, "to": appeal}
    if appeal == A.RESERVED:
        if due_on is None or due_on <= completion.decided_on:
            raise InvalidInput("Give the BIA filing deadline, after the decision.", field="due_on")
        completion.appeal_due_on = due_on
        words = f"BIA deadline now {due_on:%Y-%m-%d}"
    elif appeal == A.FILED:
        day = _not_future(filed_on, case, field="filed_on", what="the appeal was filed")
        if day < completion.decided_on:
            raise InvalidInput("The appeal is filed after the decision.", field="filed_on")
        completion.appeal_filed_on = day
        words = f"Appeal filed with the BIA on {day:%Y-%m-%d}"
    elif appeal == A.NOT_FILED:
        assert completion.appeal_due_on is not None
        if completion.appeal_due_on >= today:
            raise IllegalTransition(
                f"The BIA deadline is {completion.appeal_due_on:%Y-%m-%d}: the appeal may still be filed.",
                code="appeal_deadline_not_passed",
            )
        words = (
            f"Appeal not filed by the deadline of {completion.appeal_due_on:%Y-%m-%d}: the decision is final"
        )
    else:
        day = _not_future(decided_on, case, field="decided_on", what="the BIA decided")
        if completion.appeal_filed_on and day < completion.appeal_filed_on:
            raise InvalidInput("The BIA decides after the appeal was filed.", field="decided_on")
        if outcome not in (Completion.AppealOutcome.DISMISSED, Completion.AppealOutcome.SUSTAINED):
            raise InvalidInput("Choose the BIA's outcome: dismissed or sustained.", field="outcome")
        completion.appeal_decided_on = day
        completion.appeal_outcome = outcome
        data["outcome"] = outcome
        words = f"BIA decided {day:%Y-%m-%d}: {Completion.AppealOutcome(outcome).label}"
    completion.appeal = appeal
    history_stamp(completion, actor=actor, reason=f"{words}: {reason}")
    completion.save()
    case_event_record(
        case=case,
        type="completion.appeal",
        actor=actor,
        reason=f"{words}: {reason}",
        data=data,
        subject=completion,
    )
    if completion.is_removal_order and case.status == CaseStatus.COMPLETED_REMOVAL_ORDER:
        if appeal == A.NOT_FILED:
            assert completion.appeal_due_on is not None
            _final_order(completion, case, final_on=completion.appeal_due_on, actor=actor)
        elif appeal == A.DECIDED and outcome == Completion.AppealOutcome.DISMISSED:
            assert completion.appeal_decided_on is not None
            _final_order(completion, case, final_on=completion.appeal_decided_on, actor=actor)
    if appeal == A.DECIDED and outcome == Completion.AppealOutcome.SUSTAINED:
        reopening_record(
            case_id=case.pk,
            kind=Reopening.Kind.REMAND,
            granted_on=completion.appeal_decided_on,
            actor=actor,
            reason=f"BIA sustained the appeal and remanded: {reason}",
        )
    return completion


# --- reopening and remand (H5), and the hearing the case then needs -------------------------------------


@transaction.atomic
def reopening_record(
    *, case_id: int, kind: str, granted_on: dt.date | None, actor: User, reason: str
) -> Reopening:
    """H5: a motion to reopen granted, or a BIA remand: the case's latest decision is reopened (it stays,
    and the next one is not initial), the case goes back on the docket ("reopened", ``case_move`` records
    ``case.reopened``) and a due hand-off to ICE ERO is cancelled. The case then needs a hearing
    (``hearing_schedule``).

    Locks the family and the case, then the latest completion. Raises NotPermitted, CaseNotFound,
    InvalidInput (kind, granted_on, reason), IllegalTransition (``h5_nothing_to_reopen``, the table)."""
    reason = require_reason(reason)
    if kind not in Reopening.Kind.values:
        raise InvalidInput("Choose motion to reopen or remand.", field="kind")
    case = _locked_case(case_id, actor, "Recording a reopening or remand")
    day = _not_future(granted_on, case, field="granted_on", what="of the reopening")
    latest = Completion.objects.select_for_update().filter(case=case).order_by("-id").first()
    if latest is None or Reopening.objects.filter(completion=latest).exists():
        raise IllegalTransition(
            f"Case {case.pk} has no decision to reopen (H5).", code="h5_nothing_to_reopen"
        )
    if day < latest.decided_on:
        raise InvalidInput("A reopening follows the decision it reopens.", field="granted_on")
    reopening = Reopening(
        case=case, completion=latest, kind=kind, granted_on=day, reason=reason, recorded_by=actor
    )
    history_stamp(reopening, actor=actor, reason=reason)
    reopening.save()
    ero_handoff_cancel(case_id=case.pk, actor=actor, reason=f"{reopening.get_kind_display()}: {reason}")
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.REOPENED,
        actor=actor,
        reason=f"{reopening.get_kind_display()} on {day:%Y-%m-%d} (H5): {reason}",
        workflow=REOPENING,
        subject=reopening,
        data={"reopening_id": reopening.pk, "kind": kind, "completion_id": latest.pk, "rule": "H5"},
    )
    return reopening


@transaction.atomic
def hearing_schedule(
    *, case_id: int, slot_id: int, kind: str = Hearing.Kind.MASTER, actor: User, reason: str
) -> Hearing:
    """Put a case with no scheduled hearing (a reopened or remanded one, H5) back on the docket: a place in
    ``slot_id`` (before the NTA's court), a new hearing, its tear sheet (N5: printed where the case was
    processed) and the port the person reports to.

    Locks the family and the case, then the slot. Records ``hearing.scheduled`` and ``tear_sheet.issued``;
    emits ``tear_sheet.issued`` (print staff are told). Raises NotPermitted, CaseNotFound, InvalidInput
    (slot, kind, reason), IllegalTransition (``case_closed``, ``hearing_already_scheduled``), ConcurrentEdit
    (``slot_full``)."""
    reason = require_reason(reason)
    if kind not in Hearing.Kind.values:
        raise InvalidInput("Choose master calendar or individual hearing.", field="kind")
    case = _locked_case(case_id, actor, "Scheduling a hearing")
    if case.status in CASE_CLOSED_STATUSES:
        raise IllegalTransition(
            f"Case {case.pk} is {case.get_status_display()}: reopen it first (H5).", code="case_closed"
        )
    if Hearing.objects.filter(case=case, status=Hearing.Status.SCHEDULED).exists():
        raise IllegalTransition(
            "The case has a scheduled hearing already; reschedule or continue that one (H2).",
            code="hearing_already_scheduled",
        )
    court_id = nta_court_id(case.pk)
    slot = _slot_book(
        slot_id=slot_id, places=1, actor=actor, reason=f"Hearing scheduled for case {case.pk}: {reason}"
    )
    place = slot.hearing_location
    if court_id is not None and place.court_id != court_id:
        raise InvalidInput("Choose a slot before the court that hears this case.", field="slot")
    hearing = Hearing(
        case=case,
        slot=slot,
        hearing_location=place,
        starts_at=slot.starts_at,
        kind=kind,
        reason=reason,
        scheduled_by=actor,
    )
    when = f"{place.name}, {local_words(slot.starts_at, place.time_zone)}"
    history_stamp(hearing, actor=actor, reason=f"Hearing scheduled at {when}: {reason}")
    hearing.save()
    case_reporting_port_set(
        case=case, port_id=place.reporting_port_id, actor=actor, reason=f"Reports for the hearing at {when}"
    )
    case_event_record(
        case=case,
        type="hearing.scheduled",
        actor=actor,
        reason=f"{hearing.get_kind_display()} scheduled at {when}: {reason}",
        data={"hearing_id": hearing.pk, "at": slot.starts_at.isoformat(), "kind": kind},
        subject=hearing,
    )
    sheet = _new_tear_sheet(
        case=case,
        hearing=hearing,
        reason=TearSheet.Reason.NEW,
        actor=actor,
        why=f"Hearing scheduled at {when}",
    )
    case_event_record(
        case=case,
        type="tear_sheet.issued",
        actor=actor,
        reason=f"Tear sheet v{sheet.version} for the hearing at {when}; waiting to be printed at {case.location.name}.",
        data={
            "tear_sheet_id": sheet.pk,
            "version": sheet.version,
            "language": sheet.language_code,
            "rule": "N5",
        },
        subject=sheet,
    )
    outbox_emit(
        event="tear_sheet.issued",
        case_id=case.pk,
        data={"tear_sheet_id": sheet.pk, "location_id": sheet.location_id},
    )
    return hearing
