"""Holds (cases.services.hold_open / hold_release): a pending fear claim blocks moves without changing
where the case is. S1 (referral), S3 (the supervisory asylum officer concurs), S4 (what the outcome
allows) and F4 (the whole family waits for the claim before anyone is returned to Mexico).

The fear_claim kind is owned by the fear workflow (``screenings.fear_assessment``): a claim is recorded with
``fear_claim_record`` and released only by the supervisory asylum officer's concurrence
(``fear_assessment_review``). The generic hold services refuse the kind anywhere else (``workflow_owned``);
the tests of the hold services' own mechanics call them as the owning workflow does (``workflow=FEAR``)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from cases.exceptions import CaseNotFound
from cases.models import Case, CaseEvent, CaseStatus, Encounter, Hold
from cases.services import case_move, hold_open, hold_release
from hearings.workflow import COMPLETION, HEARING_DAY
from mpp.accounts.roles import Role
from mpp.exceptions import ConcurrentEdit, InvalidInput, NotPermitted, PolicyRefusal
from mpp.outbox.models import OutboxEvent
from screenings.models import FearClaim
from screenings.workflow import FEAR_ASSESSMENT
from tests.factories import AlienFactory, CaseFactory, EncounterFactory, location, user_with_role
from tests.screenings.factories import concur, fear_claim_for

pytestmark = pytest.mark.django_db

S = CaseStatus
REVIEW = "screenings.amenability_review"
NTA = "hearings.nta_service"  # N1: serving the NTA owns amenable → enrolled
FEAR = FEAR_ASSESSMENT  # S3/S4: owns the fear_claim hold, amenable → not amenable and → removed from MPP
LAREDO = "Laredo Port of Entry (Gateway to the Americas Bridge)"
# 2 March 2026, 10:14 in Laredo (CST, UTC-6: daylight saving time starts on 8 March).
CLAIM_TIME = dt.datetime(2026, 3, 2, 16, 14, tzinfo=dt.UTC)


def _family(*statuses: str, at: str = "lrd-poe") -> list[Case]:
    """One encounter at ``at``; the head, Ana Ruiz, first; one case per status given."""
    where = location(at)
    component = Encounter.Component.USBP if at.endswith("-bps") else Encounter.Component.OFO
    encounter = EncounterFactory(location=where, component=component)
    head = CaseFactory(
        encounter=encounter, status=statuses[0], alien=AlienFactory(given_names="Ana", family_name="Ruiz")
    )
    return [head, *(CaseFactory(encounter=encounter, status=s, membership="child") for s in statuses[1:])]


def _laredo(role: str):
    return user_with_role(role, locations=["lrd-poe"] if role != Role.BORDER_PATROL_AGENT else ["lrd-bps"])


def _claim(case: Case, *, by=None, at=CLAIM_TIME) -> Hold:
    """A fear claim (S1) recorded on ``case`` by a Laredo officer (``fear_claim_record``); its hold, dated
    ``at``."""
    claim = fear_claim_for(
        case,
        actor=by or _laredo(Role.CBP_OFFICER),
        statement="States she fears being kidnapped in Nuevo Laredo",
    )
    hold = claim.hold
    if at is not None:
        hold.opened_at = at
        hold.save(update_fields=["opened_at"])
    return hold


def _sao():
    """A supervisory asylum officer of the office Laredo's claims go to (Houston)."""
    return user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER, locations=["hou-zhn"])


def _negative(hold: Hold) -> None:
    """S3/S4: the claim's negative assessment concurred (the only way its hold is released)."""
    concur(FearClaim.objects.get(hold=hold), outcome="negative")


# --- F4: the family waits ------------------------------------------------------------------------------


def test_f4_an_open_fear_claim_refuses_the_return_of_every_other_member_naming_claimant_time_and_place():
    ana, son, daughter = _family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    _claim(ana)
    officer = _laredo(Role.CBP_OFFICER)

    refusals = []
    for member in (son, daughter):
        with pytest.raises(PolicyRefusal) as refused:
            case_move(
                case_id=member.pk,
                to_status=S.IN_MEXICO,
                actor=officer,
                reason="Hearing over",
                workflow=HEARING_DAY,
            )
        refusals.append(refused.value)

    for refusal in refusals:
        assert (refusal.rule, refusal.code, refusal.http_status) == ("F4", "family_fear_pending", 409)
        assert refusal.message == (
            f"Ana Ruiz, of the same family unit, has a fear claim pending (since 2 Mar, 10:14 CST at {LAREDO}); "
            "nobody in the family is returned to Mexico until it is decided."
        )
    assert set(Case.objects.filter(pk__in=[son.pk, daughter.pk]).values_list("status", flat=True)) == {
        S.IN_US_FOR_HEARING
    }
    assert not CaseEvent.objects.filter(case__in=[son, daughter]).exists()


@pytest.mark.parametrize("current", [S.ENROLLED, S.IN_US_FOR_HEARING, S.REOPENED])
def test_f4_the_return_is_refused_from_every_status_that_leads_to_mexico(current):
    ana, child = _family(S.IN_US_FOR_HEARING, current)
    _claim(ana)

    with pytest.raises(PolicyRefusal) as refused:
        case_move(
            case_id=child.pk,
            to_status=S.IN_MEXICO,
            actor=_laredo(Role.CBP_OFFICER),
            reason="Return",
            workflow=HEARING_DAY,
        )

    assert (refused.value.rule, refused.value.code) == ("F4", "family_fear_pending")
    child.refresh_from_db()
    assert child.status == current


@pytest.mark.parametrize(
    ("current", "target", "role", "workflow"),
    [
        (S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP, Role.SUPERVISORY_ASYLUM_OFFICER, FEAR),
        (S.IN_US_FOR_HEARING, S.COMPLETED_RELIEF, Role.COURT_STAFF, COMPLETION),
        (S.IN_MEXICO, S.IN_US_FOR_HEARING, Role.CBP_OFFICER, HEARING_DAY),
        (S.AMENABLE, S.ENROLLED, Role.CBP_OFFICER, NTA),
    ],
)
def test_f4_blocks_only_the_return_of_the_other_members(current, target, role, workflow):
    ana, child = _family(S.IN_US_FOR_HEARING, current)
    _claim(ana)

    moved = case_move(
        case_id=child.pk, to_status=target, actor=_laredo(role), reason="Not a return", workflow=workflow
    )

    assert moved.status == target


def test_f4_another_familys_claim_blocks_nothing():
    (ana,) = _family(S.IN_US_FOR_HEARING)
    (stranger,) = _family(S.IN_US_FOR_HEARING)
    _claim(ana)

    moved = case_move(
        case_id=stranger.pk,
        to_status=S.IN_MEXICO,
        actor=_laredo(Role.CBP_OFFICER),
        reason="Hearing over",
        workflow=HEARING_DAY,
    )

    assert moved.status == S.IN_MEXICO


def test_f4_once_the_claim_is_released_negative_the_family_may_be_returned_s4():
    ana, child = _family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    hold = _claim(ana)
    _negative(hold)

    moved = case_move(
        case_id=child.pk,
        to_status=S.IN_MEXICO,
        actor=_laredo(Role.CBP_OFFICER),
        reason="Hearing over",
        workflow=HEARING_DAY,
    )

    assert moved.status == S.IN_MEXICO


# --- S1/S4: the claimant's own moves -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "role", "workflow"),
    [
        (S.AWAITING_REVIEW, S.AMENABLE, Role.CBP_SUPERVISOR, REVIEW),
        (S.AWAITING_REVIEW, S.NOT_AMENABLE, Role.CBP_SUPERVISOR, REVIEW),
        (S.AMENABLE, S.ENROLLED, Role.CBP_OFFICER, NTA),
        (S.ENROLLED, S.IN_MEXICO, Role.CBP_OFFICER, HEARING_DAY),
        (S.IN_US_FOR_HEARING, S.IN_MEXICO, Role.CBP_OFFICER, HEARING_DAY),
        (S.REOPENED, S.IN_MEXICO, Role.CBP_SUPERVISOR, HEARING_DAY),
    ],
)
def test_s1_s4_the_claimants_amenability_enrolment_and_return_are_refused_while_the_claim_is_pending(
    current, target, role, workflow
):
    (ana,) = _family(current)
    _claim(ana)

    with pytest.raises(PolicyRefusal) as refused:
        case_move(case_id=ana.pk, to_status=target, actor=_laredo(role), reason="x", workflow=workflow)

    assert (refused.value.rule, refused.value.code, refused.value.http_status) == (
        "S1",
        "fear_claim_pending",
        409,
    )
    assert f"Ana Ruiz stated a fear of return to Mexico (since 2 Mar, 10:14 CST at {LAREDO})" in (
        refused.value.message
    )
    ana.refresh_from_db()
    assert ana.status == current
    assert not CaseEvent.objects.filter(
        case=ana, type__in=["hearing_day.returned", "nta.served", "review.decided"]
    ).exists()


@pytest.mark.parametrize(
    ("current", "target", "role", "workflow"),
    [
        (S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP, Role.SUPERVISORY_ASYLUM_OFFICER, FEAR),
        (S.ENROLLED, S.REMOVED_FROM_MPP, Role.SUPERVISORY_ASYLUM_OFFICER, FEAR),
        # The fear workflow's own moves are not refused by the hold it owns (F5: another member's concurred
        # positive makes a member whose own claim is pending not processed for MPP too).
        (S.AMENABLE, S.NOT_AMENABLE, Role.SUPERVISORY_ASYLUM_OFFICER, FEAR),
        (S.IN_US_FOR_HEARING, S.COMPLETED_RELIEF, Role.COURT_STAFF, COMPLETION),
        (S.IN_MEXICO, S.IN_US_FOR_HEARING, Role.CBP_OFFICER, HEARING_DAY),
        (S.AWAITING_REVIEW, S.SCREENING, Role.CBP_SUPERVISOR, REVIEW),
    ],
)
def test_s1_the_claimants_other_moves_are_not_blocked(current, target, role, workflow):
    (ana,) = _family(current)
    _claim(ana)

    moved = case_move(
        case_id=ana.pk, to_status=target, actor=_laredo(role), reason="Allowed", workflow=workflow
    )

    assert moved.status == target


@pytest.mark.parametrize(
    ("current", "target", "role"),
    [
        (S.AMENABLE, S.NOT_AMENABLE, Role.CBP_SUPERVISOR),
        (S.AMENABLE, S.NOT_AMENABLE, Role.SUPERVISORY_ASYLUM_OFFICER),
        (S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP, Role.SUPERVISORY_ASYLUM_OFFICER),
        (S.ENROLLED, S.REMOVED_FROM_MPP, Role.CBP_SUPERVISOR),
    ],
)
@pytest.mark.parametrize("workflow", [REVIEW, HEARING_DAY])
def test_s4_no_other_workflow_makes_the_fear_outcomes_moves(current, target, role, workflow):
    """Not processed for MPP and removal from MPP are the fear workflow's (a concurred positive
    assessment), claim pending or not: any other workflow is refused them as workflow_owned."""
    (ana,) = _family(current)
    _claim(ana)

    with pytest.raises(NotPermitted) as refused:
        case_move(case_id=ana.pk, to_status=target, actor=_laredo(role), reason="x", workflow=workflow)

    assert refused.value.code == "workflow_owned"
    ana.refresh_from_db()
    assert ana.status == current


# --- opening -------------------------------------------------------------------------------------------


def test_s1_opening_a_fear_claim_records_the_hold_a_private_case_event_and_a_bus_event_and_changes_no_status():
    (ana,) = _family(S.IN_US_FOR_HEARING)
    officer = _laredo(Role.CBP_OFFICER)

    claim = fear_claim_for(ana, actor=officer, statement="States fear of return")
    hold = claim.hold

    assert (hold.kind, hold.rule, hold.opened_by, hold.is_open) == ("fear_claim", "S1", officer, True)
    assert hold.location == location("lrd-poe")
    assert hold.reason.startswith("S1: fear of return to Mexico stated")
    ana.refresh_from_db()
    assert ana.status == S.IN_US_FOR_HEARING
    assert ana.history.count() == 1  # opening a hold writes no status
    event = CaseEvent.objects.get(case=ana, type="hold.opened")
    assert (event.actor, event.reason, event.sensitivities) == (officer, hold.reason, ["fear"])
    assert event.data == {"hold_id": hold.pk, "kind": "fear_claim", "rule": "S1", "location": LAREDO}
    assert event.subject == hold
    assert "States fear of return" not in event.reason  # the statement stays on the claim (fear)
    emitted = OutboxEvent.objects.get(event="hold.opened", case_id=ana.pk)
    assert emitted.payload == {
        "hold_id": hold.pk,
        "kind": "fear_claim",
        "rule": "S1",
        "location_id": location("lrd-poe").pk,
    }
    assert OutboxEvent.objects.filter(event="fear.claim_referred", case_id=ana.pk).count() == 1
    assert not OutboxEvent.objects.filter(event="case.status_changed").exists()


def test_s1_the_generic_hold_services_refuse_the_fear_claim_kind_as_workflow_owned():
    """The case page's generic hold forms (and any caller but the fear workflow) neither open nor release a
    fear claim's hold: it is recorded with the claim and released by the SAO's concurrence."""
    (ana,) = _family(S.IN_US_FOR_HEARING)

    with pytest.raises(NotPermitted) as opening:
        hold_open(case_id=ana.pk, kind="fear_claim", actor=_laredo(Role.CBP_OFFICER), reason="States fear")
    assert (opening.value.code, opening.value.field) == ("workflow_owned", "kind")
    assert not Hold.objects.exists()

    hold = _claim(ana)
    with pytest.raises(NotPermitted) as releasing:
        hold_release(hold_id=hold.pk, actor=_sao(), reason="Negative, concurred", outcome="negative")
    assert (releasing.value.code, releasing.value.field) == ("workflow_owned", "hold")
    hold.refresh_from_db()
    assert hold.is_open
    assert not CaseEvent.objects.filter(type="hold.released").exists()


def test_opening_a_kind_that_is_already_open_is_a_no_op_returning_the_open_hold():
    (ana,) = _family(S.IN_US_FOR_HEARING)
    first = _claim(ana, at=None)

    again = fear_claim_for(ana, actor=_laredo(Role.CBP_SUPERVISOR), statement="Said so again")
    opened_again = hold_open(
        case_id=ana.pk,
        kind="fear_claim",
        actor=_laredo(Role.CBP_SUPERVISOR),
        reason="Said so again",
        workflow=FEAR,
    )

    assert again.hold_id == first.pk and opened_again.pk == first.pk
    assert again.statement == "States she fears being kidnapped in Nuevo Laredo"
    assert Hold.objects.filter(case=ana).count() == 1
    assert CaseEvent.objects.filter(case=ana, type="hold.opened").count() == 1
    assert OutboxEvent.objects.filter(event="hold.opened", case_id=ana.pk).count() == 1


def test_a_new_claim_after_a_release_opens_a_new_hold():
    (ana,) = _family(S.IN_US_FOR_HEARING)
    first = _claim(ana)
    _negative(first)

    second = _claim(ana, at=None)

    assert second.pk != first.pk and second.is_open
    assert [(h.pk, h.is_open) for h in Hold.objects.filter(case=ana).order_by("id")] == [
        (first.pk, False),
        (second.pk, True),
    ]


def test_an_unknown_kind_is_refused_naming_the_field_kind():
    (ana,) = _family(S.IN_US_FOR_HEARING)

    with pytest.raises(InvalidInput) as refused:
        hold_open(case_id=ana.pk, kind="medical_hold", actor=_laredo(Role.CBP_OFFICER), reason="x")

    assert refused.value.field == "kind"
    assert not Hold.objects.exists()


def test_opening_needs_a_reason():
    (ana,) = _family(S.IN_US_FOR_HEARING)

    with pytest.raises(InvalidInput) as refused:
        hold_open(
            case_id=ana.pk, kind="fear_claim", actor=_laredo(Role.CBP_OFFICER), reason="  ", workflow=FEAR
        )

    assert refused.value.field == "reason"
    assert not Hold.objects.exists()


@pytest.mark.parametrize(
    ("role", "at"),
    [
        (Role.CBP_OFFICER, "lrd-poe"),
        (Role.BORDER_PATROL_AGENT, "lrd-bps"),
        (Role.CBP_SUPERVISOR, "lrd-poe"),
        (Role.COURT_STAFF, "lrd-poe"),
    ],
)
def test_s1_cbp_officers_agents_supervisors_and_court_staff_record_a_fear_claim(role, at):
    (ana,) = _family(S.IN_US_FOR_HEARING, at=at)
    actor = _laredo(role)

    hold = fear_claim_for(ana, actor=actor).hold

    assert hold.opened_by == actor
    assert Hold.objects.filter(case=ana, released_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "role",
    [
        Role.ASYLUM_OFFICER,
        Role.SUPERVISORY_ASYLUM_OFFICER,
        Role.PRINT_STAFF,
        Role.ICE_OFFICER,
        Role.ADMINISTRATOR,
        Role.ANALYST,  # refused by role before any case is read: nothing about the case is told
    ],
)
def test_s1_other_roles_do_not_record_a_fear_claim(role):
    (ana,) = _family(S.IN_US_FOR_HEARING)

    with pytest.raises(NotPermitted):
        fear_claim_for(ana, actor=_laredo(role))

    assert not Hold.objects.exists()
    assert not CaseEvent.objects.exists()


def test_an_officer_records_no_claim_on_a_case_at_another_location():
    (elsewhere,) = _family(S.IN_US_FOR_HEARING, at="elp-poe")

    with pytest.raises(CaseNotFound):
        fear_claim_for(elsewhere, actor=_laredo(Role.CBP_OFFICER), at="lrd-poe")

    assert not Hold.objects.exists()


def test_an_officer_records_no_claim_as_opened_at_a_location_that_is_not_theirs():
    (ana,) = _family(S.IN_US_FOR_HEARING)

    with pytest.raises(NotPermitted) as refused:
        fear_claim_for(ana, actor=_laredo(Role.CBP_OFFICER), at="elp-poe")

    assert refused.value.field == "location"
    assert not Hold.objects.exists()


def test_court_staff_record_a_claim_stated_at_the_hearing_facility():
    """S1: fear stated at any time while in the U.S., e.g. at the Laredo hearing facility (H1)."""
    (ana,) = _family(S.IN_US_FOR_HEARING)

    hold = fear_claim_for(
        ana,
        actor=user_with_role(Role.COURT_STAFF),
        at="lrd-ihf",
        setting=FearClaim.Setting.COURT,
        statement="Told the judge she fears return",
    ).hold

    assert hold.location == location("lrd-ihf")


# --- releasing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "next_status", "next_role", "workflow"),
    [
        (S.IN_US_FOR_HEARING, S.IN_MEXICO, Role.CBP_OFFICER, HEARING_DAY),  # S4 negative: may be returned
        (S.AMENABLE, S.ENROLLED, Role.CBP_OFFICER, NTA),  # S4 negative before enrolment: enrolled
    ],
)
def test_s4_releasing_a_negative_claim_leaves_the_status_where_it_was_and_the_blocked_move_then_succeeds(
    current, next_status, next_role, workflow
):
    (ana,) = _family(current)
    hold = _claim(ana)
    history_before = ana.history.count()

    _negative(hold)

    ana.refresh_from_db()
    hold.refresh_from_db()
    assert (hold.is_open, hold.outcome) == (False, "negative")
    assert ana.status == current
    assert ana.history.count() == history_before
    assert not CaseEvent.objects.filter(case=ana, type__in=["hearing_day.returned", "nta.served"]).exists()
    assert not OutboxEvent.objects.filter(event="case.status_changed", case_id=ana.pk).exists()
    moved = case_move(
        case_id=ana.pk,
        to_status=next_status,
        actor=_laredo(next_role),
        reason="After the assessment",
        workflow=workflow,
    )
    assert moved.status == next_status


def test_s3_a_release_records_who_when_why_and_the_outcome():
    (ana,) = _family(S.IN_US_FOR_HEARING)
    hold = _claim(ana)
    sao = _sao()

    concur(hold.fear_claim, outcome="positive", sao=sao)

    released = Hold.objects.get(pk=hold.pk)
    reason = f"S3: positive assessment concurred by {sao.display_name}."
    assert (released.released_by, released.release_reason, released.outcome) == (sao, reason, "positive")
    assert released.released_at is not None and not released.is_open
    event = CaseEvent.objects.get(case=ana, type="hold.released")
    assert (event.actor, event.reason, event.sensitivities) == (sao, reason, ["fear"])
    assert event.data == {"hold_id": hold.pk, "kind": "fear_claim", "rule": "S1", "outcome": "positive"}
    emitted = OutboxEvent.objects.get(event="hold.released", case_id=ana.pk)
    assert emitted.payload == {"hold_id": hold.pk, "kind": "fear_claim", "outcome": "positive"}
    ana.refresh_from_db()
    # S4 positive: the concurrence itself removes her from MPP (the fear workflow's move, after the release).
    assert ana.status == S.REMOVED_FROM_MPP


def test_a_second_release_is_refused_already_released_and_changes_nothing():
    (ana,) = _family(S.IN_US_FOR_HEARING)
    hold = _claim(ana)
    first, second = _sao(), _sao()
    hold_release(
        hold_id=hold.pk, actor=first, reason="Negative, concurred", outcome="negative", workflow=FEAR
    )

    with pytest.raises(ConcurrentEdit) as refused:
        hold_release(hold_id=hold.pk, actor=second, reason="Positive", outcome="positive", workflow=FEAR)

    assert (refused.value.code, refused.value.http_status) == ("already_released", 409)
    assert first.display_name in refused.value.message
    hold.refresh_from_db()
    assert (hold.released_by, hold.outcome, hold.release_reason) == (first, "negative", "Negative, concurred")
    assert CaseEvent.objects.filter(case=ana, type="hold.released").count() == 1


@pytest.mark.parametrize("outcome", ["", "maybe"])
def test_s3_a_fear_claim_is_released_only_with_a_negative_or_positive_outcome(outcome):
    (ana,) = _family(S.IN_US_FOR_HEARING)
    hold = _claim(ana)

    with pytest.raises(InvalidInput) as refused:
        hold_release(hold_id=hold.pk, actor=_sao(), reason="Concurred", outcome=outcome, workflow=FEAR)

    assert refused.value.field == "outcome"
    hold.refresh_from_db()
    assert hold.is_open


def test_releasing_needs_a_reason():
    (ana,) = _family(S.IN_US_FOR_HEARING)
    hold = _claim(ana)

    with pytest.raises(InvalidInput) as refused:
        hold_release(hold_id=hold.pk, actor=_sao(), reason="", outcome="negative", workflow=FEAR)

    assert refused.value.field == "reason"
    hold.refresh_from_db()
    assert hold.is_open


@pytest.mark.parametrize(
    ("role", "refusal"),
    [
        (Role.ASYLUM_OFFICER, NotPermitted),  # S3: the supervisory asylum officer reviews first
        (Role.CBP_SUPERVISOR, NotPermitted),
        (Role.CBP_OFFICER, NotPermitted),
        (Role.BORDER_PATROL_AGENT, CaseNotFound),  # posted at Laredo North, not the port
        (Role.COURT_STAFF, NotPermitted),
        (Role.ICE_OFFICER, NotPermitted),
        (Role.PRINT_STAFF, NotPermitted),
        (Role.ADMINISTRATOR, NotPermitted),
        (Role.ANALYST, CaseNotFound),
    ],
)
def test_s3_only_the_supervisory_asylum_officer_releases_a_fear_claim(role, refusal):
    (ana,) = _family(S.IN_US_FOR_HEARING)
    hold = _claim(ana)

    with pytest.raises(refusal):
        hold_release(
            hold_id=hold.pk, actor=_laredo(role), reason="Concurred", outcome="negative", workflow=FEAR
        )

    hold.refresh_from_db()
    assert hold.is_open
    assert not CaseEvent.objects.filter(type="hold.released").exists()


def test_an_unknown_hold_is_not_found():
    with pytest.raises(CaseNotFound):
        hold_release(hold_id=987654, actor=_sao(), reason="Concurred", outcome="negative", workflow=FEAR)


# --- concurrency -----------------------------------------------------------------------------------------


def _wait_for_a_lock_waiter(timeout: float = 10.0) -> bool:
    """True once another connection of this database waits on a row lock (pg_stat_activity)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_two_supervisory_asylum_officers_releasing_at_once_record_exactly_one_release():
    (ana,) = _family(S.IN_US_FOR_HEARING)
    hold = _claim(ana)
    first, second = _sao(), _sao()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def release(user, name, outcome):
        try:
            barrier.wait(timeout=10)
            hold_release(
                hold_id=hold.pk, actor=user, reason=f"Concurred by {name}", outcome=outcome, workflow=FEAR
            )
            outcomes[name] = "released"
        except ConcurrentEdit as exc:
            outcomes[name] = exc.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=release, args=(first, "first", "negative")),
        threading.Thread(target=release, args=(second, "second", "positive")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == ["already_released", "released"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "released")
    hold.refresh_from_db()
    assert hold.release_reason == f"Concurred by {winner}"
    assert hold.history.count() == 3  # opened, dated (test setup), released once
    assert CaseEvent.objects.filter(case=ana, type="hold.released").count() == 1
    assert OutboxEvent.objects.filter(event="hold.released", case_id=ana.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_f4_a_return_in_flight_waits_for_a_fear_claim_being_recorded_and_is_then_refused():
    """F4 under concurrency: A records member 1's fear claim and has not committed; B's return of member 2
    to Mexico waits on the family lock and, once A commits, is refused: return blocked, not just flagged."""
    ana, son = _family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    officer_a, officer_b = _laredo(Role.CBP_OFFICER), _laredo(Role.CBP_OFFICER)
    recorded, go, committing = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def record_claim():
        try:
            with transaction.atomic():
                fear_claim_for(ana, actor=officer_a)
                recorded.set()
                go.wait(timeout=20)
                committing.set()
        finally:
            connection.close()

    def return_son():
        try:
            case_move(
                case_id=son.pk,
                to_status=S.IN_MEXICO,
                actor=officer_b,
                reason="Hearing over",
                workflow=HEARING_DAY,
            )
            outcome["return"] = "returned"
        except PolicyRefusal as exc:
            outcome["return"] = (exc.rule, exc.code)
        finally:
            outcome["finished_after_commit"] = committing.is_set()
            connection.close()

    a = threading.Thread(target=record_claim)
    a.start()
    assert recorded.wait(timeout=20)
    b = threading.Thread(target=return_son)
    b.start()

    blocked = _wait_for_a_lock_waiter()
    still_running = b.is_alive()
    go.set()
    a.join(timeout=30)
    b.join(timeout=30)

    assert blocked and still_running, "the return did not wait for the family lock"
    assert outcome == {"return": ("F4", "family_fear_pending"), "finished_after_commit": True}
    son.refresh_from_db()
    assert son.status == S.IN_US_FOR_HEARING
    assert not CaseEvent.objects.filter(case=son).exists()
    assert Hold.objects.filter(case=ana, released_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_f4_a_return_that_commits_first_stands_and_the_fear_claim_is_recorded_after_it():
    """The reverse order: B's return holds the family lock; A's claim waits for it, then is recorded. The
    return happened before the claim existed, so it stands (F4 blocks returns from then on)."""
    ana, son = _family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    officer_a, officer_b = _laredo(Role.CBP_OFFICER), _laredo(Role.CBP_OFFICER)
    returned, go, committing = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def return_son():
        try:
            with transaction.atomic():
                case_move(
                    case_id=son.pk,
                    to_status=S.IN_MEXICO,
                    actor=officer_b,
                    reason="Hearing over",
                    workflow=HEARING_DAY,
                )
                returned.set()
                go.wait(timeout=20)
                committing.set()
        finally:
            connection.close()

    def record_claim():
        try:
            fear_claim_for(ana, actor=officer_a)
            outcome["claim"] = "recorded"
        finally:
            outcome["finished_after_commit"] = committing.is_set()
            connection.close()

    b = threading.Thread(target=return_son)
    b.start()
    assert returned.wait(timeout=20)
    a = threading.Thread(target=record_claim)
    a.start()

    blocked = _wait_for_a_lock_waiter()
    still_running = a.is_alive()
    go.set()
    b.join(timeout=30)
    a.join(timeout=30)

    assert blocked and still_running, "the claim did not wait for the family lock"
    assert outcome == {"claim": "recorded", "finished_after_commit": True}
    son.refresh_from_db()
    assert son.status == S.IN_MEXICO
    assert Hold.objects.filter(case=ana, released_at__isnull=True).count() == 1
    returned_at = CaseEvent.objects.get(case=son, type="hearing_day.returned").occurred_at
    claimed_at = CaseEvent.objects.get(case=ana, type="hold.opened").occurred_at
    assert returned_at < claimed_at
