"""Services of the case registry: what they write, who and why they record, and what they refuse."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cases.exceptions import CaseNotFound
from cases.models import Alien, Case, CaseEvent, CaseStatus, Encounter, FamilyMember, FamilyUnit
from cases.services import (
    MemberSpec,
    alien_create,
    case_move,
    case_open,
    encounter_create,
    family_unit_create,
)
from hearings.workflow import COMPLETION, HEARING_DAY, NTA_SERVICE
from mpp.accounts.roles import Role
from mpp.exceptions import IllegalTransition, InvalidInput, NotPermitted, PolicyRefusal
from mpp.outbox.models import OutboxEvent
from screenings.workflow import FEAR_ASSESSMENT
from tests.factories import (
    AlienFactory,
    CaseFactory,
    EncounterFactory,
    family_with_cases,
    language,
    location,
    user_with_role,
)
from tests.screenings.factories import concur, fear_claim_for

pytestmark = pytest.mark.django_db


def _alien(actor, **overrides):
    fields = dict(
        actor=actor,
        a_number="a 123-456-78",
        family_name="Hernández López",
        given_names="María José",
        date_of_birth=dt.date(1991, 2, 3),
        sex=Alien.Sex.FEMALE,
        country_of_citizenship="hn",
        preferred_language=language("es"),
    )
    fields.update(overrides)
    return alien_create(**fields)


def test_alien_create_normalises_the_a_number_and_records_who_registered_them(officer):
    alien = _alien(officer)

    assert alien.a_number == "A012345678"
    assert alien.country_of_citizenship == "HN"
    created = alien.history.get()
    assert created.history_type == "+"
    assert created.history_user == officer
    assert created.history_change_reason == "Registered at intake"


def test_alien_create_refuses_a_registered_a_number_naming_the_field(officer):
    _alien(officer)

    with pytest.raises(InvalidInput) as refused:
        _alien(officer, a_number="012345678", family_name="Other")

    assert refused.value.field == "a_number"
    assert refused.value.code == "a_number_exists"
    assert Alien.objects.count() == 1


def test_alien_create_refuses_a_future_birth_date(officer):
    with pytest.raises(InvalidInput) as refused:
        _alien(officer, date_of_birth=timezone.localdate() + dt.timedelta(days=1))

    assert refused.value.field == "date_of_birth"
    assert not Alien.objects.exists()


def test_alien_create_refuses_an_unknown_country(officer):
    with pytest.raises(InvalidInput) as refused:
        _alien(officer, country_of_citizenship="ZZ")

    assert refused.value.field == "country_of_citizenship"


def test_alien_without_a_number_is_allowed(officer):
    alien = _alien(officer, a_number="")

    assert alien.a_number is None


def test_family_unit_needs_exactly_one_head(officer):
    a, b = AlienFactory(), AlienFactory()

    with pytest.raises(InvalidInput, match="exactly one member as the head"):
        family_unit_create(actor=officer, members=[MemberSpec(a, "child"), MemberSpec(b, "child")])

    assert not FamilyUnit.objects.exists()


def test_family_unit_refuses_the_same_person_twice(officer):
    a = AlienFactory()

    with pytest.raises(InvalidInput, match="listed twice"):
        family_unit_create(actor=officer, members=[MemberSpec(a, "head"), MemberSpec(a, "child")])


def test_a_single_adult_is_a_family_of_one(officer):
    unit = family_unit_create(actor=officer, members=[MemberSpec(AlienFactory(), "head")])

    assert unit.members.get().relationship == FamilyMember.Relationship.HEAD
    assert unit.history.get().history_user == officer


def test_encounter_component_follows_the_location_a1(officer):
    unit = family_unit_create(actor=officer, members=[MemberSpec(AlienFactory(), "head")])

    encounter = encounter_create(
        actor=officer, occurred_at=timezone.now(), location=location("sys-poe"), family_unit=unit
    )

    assert encounter.component == Encounter.Component.OFO


def test_encounter_refuses_a_component_that_does_not_match_the_location_a1(officer):
    unit = family_unit_create(actor=officer, members=[MemberSpec(AlienFactory(), "head")])

    with pytest.raises(InvalidInput) as refused:
        encounter_create(
            actor=officer,
            occurred_at=timezone.now(),
            location=location("sys-poe"),
            family_unit=unit,
            component="USBP",
        )

    assert refused.value.rule == "A1"
    assert refused.value.field == "component"


def test_encounter_refuses_a_court_as_location_a1(officer):
    unit = family_unit_create(actor=officer, members=[MemberSpec(AlienFactory(), "head")])

    with pytest.raises(InvalidInput) as refused:
        encounter_create(
            actor=officer, occurred_at=timezone.now(), location=location("sdg-ic"), family_unit=unit
        )

    assert refused.value.field == "location"


def test_encounter_refuses_naive_and_future_times(officer):
    unit = family_unit_create(actor=officer, members=[MemberSpec(AlienFactory(), "head")])

    with pytest.raises(InvalidInput, match="time zone"):
        encounter_create(
            actor=officer,
            occurred_at=dt.datetime(2026, 1, 1, 9),
            location=location("sys-poe"),
            family_unit=unit,
        )
    with pytest.raises(InvalidInput, match="future"):
        encounter_create(
            actor=officer,
            occurred_at=timezone.now() + dt.timedelta(days=1),
            location=location("sys-poe"),
            family_unit=unit,
        )


def test_officer_cannot_record_an_encounter_outside_their_duty_locations(officer):
    unit = family_unit_create(actor=officer, members=[MemberSpec(AlienFactory(), "head")])

    with pytest.raises(NotPermitted):
        encounter_create(
            actor=officer, occurred_at=timezone.now(), location=location("elp-poe"), family_unit=unit
        )

    assert not Encounter.objects.exists()


def test_case_open_starts_in_screening_and_emits_an_event(officer):
    alien = AlienFactory()
    unit = family_unit_create(actor=officer, members=[MemberSpec(alien, "head")])
    encounter = encounter_create(
        actor=officer, occurred_at=timezone.now(), location=location("sys-poe"), family_unit=unit
    )

    case = case_open(actor=officer, encounter=encounter, alien=alien)

    assert case.status == CaseStatus.SCREENING
    assert case.location == encounter.location
    assert case.history.get().history_user == officer
    assert OutboxEvent.objects.filter(event="case.opened", case_id=case.pk).count() == 1
    opened = CaseEvent.objects.get(case=case)
    assert (opened.type, opened.actor, opened.data) == ("case.opened", officer, {"status": "screening"})


def test_case_open_refuses_a_person_outside_the_family_and_a_second_case(officer):
    alien = AlienFactory()
    unit = family_unit_create(actor=officer, members=[MemberSpec(alien, "head")])
    encounter = encounter_create(
        actor=officer, occurred_at=timezone.now(), location=location("sys-poe"), family_unit=unit
    )
    case_open(actor=officer, encounter=encounter, alien=alien)

    with pytest.raises(InvalidInput, match="not a member"):
        case_open(actor=officer, encounter=encounter, alien=AlienFactory())
    with pytest.raises(InvalidInput, match="already has a case"):
        case_open(actor=officer, encounter=encounter, alien=alien)

    assert Case.objects.count() == 1


REVIEW = "screenings.amenability_review"


def _status_moves(case: Case) -> list[tuple[str, str]]:
    return [(e.data["from"], e.data["to"]) for e in CaseEvent.objects.filter(case=case).order_by("id")]


# --- case_move: what a move records -------------------------------------------------------------------


def test_a_move_records_a_history_row_with_actor_and_reason_and_one_case_event_from_to(officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_MEXICO,
        actor=officer,
        reason="Tear sheet served",
        workflow=HEARING_DAY,
    )

    newest, oldest = list(case.history.order_by("-history_id")[:2])
    assert (oldest.status, newest.status) == (CaseStatus.ENROLLED, CaseStatus.IN_MEXICO)
    assert newest.history_user == officer
    assert newest.history_change_reason == "Tear sheet served"
    event = CaseEvent.objects.get(case=case)
    assert event.type == "hearing_day.returned"  # the edge's event (H1), recorded by case_move itself
    assert (event.actor, event.reason) == (officer, "Tear sheet served")
    assert event.data == {"from": "enrolled", "to": "in_mexico"}
    assert event.sensitivities == []


def test_moving_twice_is_a_no_op_one_history_row_one_case_event_one_outbox_event(officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_MEXICO,
        actor=officer,
        reason="Returned",
        workflow=HEARING_DAY,
    )
    again = case_move(
        case_id=case.pk, to_status=CaseStatus.IN_MEXICO, actor=officer, reason="Double", workflow=HEARING_DAY
    )

    assert again.status == CaseStatus.IN_MEXICO
    assert case.history.count() == 2  # created + moved
    assert CaseEvent.objects.filter(case=case).count() == 1
    assert OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).count() == 1
    assert not case.history.filter(history_change_reason="Double").exists()


def test_the_status_changed_event_names_from_to_and_actor(officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_MEXICO,
        actor=officer,
        reason="Returned",
        workflow=HEARING_DAY,
    )

    emitted = OutboxEvent.objects.get(event="case.status_changed", case_id=case.pk)
    assert emitted.payload == {"from": "enrolled", "to": "in_mexico", "actor_id": officer.pk}


def test_the_status_changed_event_is_written_in_the_moves_transaction_and_rolls_back_with_it(officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.IN_MEXICO,
            actor=officer,
            reason="Returned",
            workflow=HEARING_DAY,
        )
        assert OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).count() == 1
        raise Abort

    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED
    assert not OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).exists()
    assert not CaseEvent.objects.filter(case=case).exists()
    assert case.history.count() == 1


def test_a_move_needs_a_reason(officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    with pytest.raises(InvalidInput) as refused:
        case_move(
            case_id=case.pk, to_status=CaseStatus.IN_MEXICO, actor=officer, reason="   ", workflow=HEARING_DAY
        )

    assert refused.value.field == "reason"
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED
    assert not CaseEvent.objects.filter(case=case).exists()


def test_unknown_status_and_unknown_case_are_refused(case, officer):
    with pytest.raises(InvalidInput) as unknown_status:
        case_move(case_id=case.pk, to_status="paroled", actor=officer, reason="x", workflow=REVIEW)
    with pytest.raises(InvalidInput):
        case_move(case_id=case.pk, to_status="fear_claim_pending", actor=officer, reason="x", workflow=REVIEW)
    with pytest.raises(CaseNotFound):
        case_move(
            case_id=case.pk + 999,
            to_status=CaseStatus.AWAITING_REVIEW,
            actor=officer,
            reason="x",
            workflow=REVIEW,
        )

    assert unknown_status.value.field == "to_status"


# --- case_move: who may, where ------------------------------------------------------------------------


def test_case_move_lets_the_owning_role_move_and_refuses_illegal_moves(officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    moved = case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_MEXICO,
        actor=officer,
        reason="Returned with a tear sheet",
        workflow=HEARING_DAY,
    )
    assert moved.status == CaseStatus.IN_MEXICO

    with pytest.raises(IllegalTransition) as refused:
        case_move(
            case_id=case.pk, to_status=CaseStatus.ENROLLED, actor=officer, reason="x", workflow=NTA_SERVICE
        )

    assert refused.value.http_status == 409
    assert "(in_mexico)" in refused.value.message
    assert "(enrolled)" in refused.value.message
    assert _status_moves(case) == [("enrolled", "in_mexico")]


def test_case_move_refuses_a_role_the_edge_does_not_name_and_says_who_makes_it(court_clerk):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    with pytest.raises(NotPermitted) as refused:
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.IN_MEXICO,
            actor=court_clerk,
            reason="x",
            workflow=HEARING_DAY,
        )

    assert refused.value.http_status == 403
    assert refused.value.code == "not_permitted"
    assert "CBP officer" in refused.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED
    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "to_status",
    [CaseStatus.IN_MEXICO, CaseStatus.IN_US_FOR_HEARING, CaseStatus.SCREENING, CaseStatus.COMPLETED_OTHER],
)
def test_a_case_at_another_location_is_not_found_whatever_the_move(officer, to_status):
    """Repeat (no-op), legal, illegal, other role's move: all CaseNotFound, so nothing leaks the case."""
    elsewhere = CaseFactory(
        status=CaseStatus.IN_MEXICO, encounter=EncounterFactory(location=location("elp-poe"))
    )

    with pytest.raises(CaseNotFound):
        case_move(case_id=elsewhere.pk, to_status=to_status, actor=officer, reason="x", workflow=HEARING_DAY)

    elsewhere.refresh_from_db()
    assert elsewhere.status == CaseStatus.IN_MEXICO
    assert not CaseEvent.objects.filter(case=elsewhere).exists()


def test_an_officer_posted_at_two_locations_moves_cases_at_either():
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe", "elp-poe"])
    here = CaseFactory(status=CaseStatus.ENROLLED)
    there = CaseFactory(status=CaseStatus.ENROLLED, encounter=EncounterFactory(location=location("elp-poe")))

    for case in (here, there):
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.IN_MEXICO,
            actor=officer,
            reason="Returned",
            workflow=HEARING_DAY,
        )

    assert {c.status for c in Case.objects.filter(pk__in=[here.pk, there.pk])} == {CaseStatus.IN_MEXICO}


def test_national_roles_move_cases_anywhere(court_clerk):
    case = CaseFactory(
        status=CaseStatus.IN_US_FOR_HEARING, encounter=EncounterFactory(location=location("bro-poe"))
    )

    case_move(
        case_id=case.pk,
        to_status=CaseStatus.COMPLETED_RELIEF,
        actor=court_clerk,
        reason="Asylum granted",
        workflow=COMPLETION,
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED_RELIEF


def test_deactivated_users_have_no_roles(officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)
    officer.is_active = False
    officer.save()
    officer.refresh_from_db()

    with pytest.raises(CaseNotFound):
        case_move(
            case_id=case.pk, to_status=CaseStatus.IN_MEXICO, actor=officer, reason="x", workflow=HEARING_DAY
        )


def test_analysts_see_no_case_and_move_none():
    case = CaseFactory(status=CaseStatus.ENROLLED)

    with pytest.raises(CaseNotFound):
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.IN_MEXICO,
            actor=user_with_role(Role.ANALYST),
            reason="x",
            workflow=HEARING_DAY,
        )


def test_case_move_refuses_a_move_an_open_hold_blocks_with_the_holds_rule(officer):
    """F4 through case_move: a policy refusal (409) with the hold's rule and code; nothing recorded."""
    head, child = family_with_cases(size=2, status=CaseStatus.IN_US_FOR_HEARING)
    fear_claim_for(child, actor=officer, statement="States fear of return to Mexico")

    with pytest.raises(PolicyRefusal) as refused:
        case_move(
            case_id=head.pk,
            to_status=CaseStatus.IN_MEXICO,
            actor=officer,
            reason="Hearing over",
            workflow=HEARING_DAY,
        )

    assert (refused.value.http_status, refused.value.rule, refused.value.code) == (
        409,
        "F4",
        "family_fear_pending",
    )
    head.refresh_from_db()
    assert head.status == CaseStatus.IN_US_FOR_HEARING
    assert not CaseEvent.objects.filter(case=head).exists()


# --- moves a workflow owns (cases.registry; screenings registers the amenability review) --------------


@pytest.mark.parametrize(
    ("current", "target", "role", "where_words"),
    [
        # A3: the screening reaches the supervisor only by being submitted from the screening page
        (
            CaseStatus.SCREENING,
            CaseStatus.AWAITING_REVIEW,
            Role.CBP_OFFICER,
            "submitting the family's screening for supervisor review",
        ),
        (
            CaseStatus.SCREENING,
            CaseStatus.AWAITING_REVIEW,
            Role.BORDER_PATROL_AGENT,
            "the family's screening page",
        ),
        # A3: the supervisor decides only in the review, with separation of duties
        (
            CaseStatus.AWAITING_REVIEW,
            CaseStatus.AMENABLE,
            Role.CBP_SUPERVISOR,
            "the supervisor's amenability review of the family",
        ),
        (
            CaseStatus.AWAITING_REVIEW,
            CaseStatus.NOT_AMENABLE,
            Role.CBP_SUPERVISOR,
            "the supervisor's amenability review of the family",
        ),
        (
            CaseStatus.AWAITING_REVIEW,
            CaseStatus.SCREENING,
            Role.CBP_SUPERVISOR,
            "the supervisor returning the family for re-screening",
        ),
        # N1: the NTA workflow owns enrolment.
        (
            CaseStatus.AMENABLE,
            CaseStatus.ENROLLED,
            Role.CBP_OFFICER,
            "serving the family's Notice to Appear and booking the initial hearing",
        ),
        (
            CaseStatus.AMENABLE,
            CaseStatus.ENROLLED,
            Role.BORDER_PATROL_AGENT,
            "serving the family's Notice to Appear and booking the initial hearing",
        ),
        # S4: the fear workflow owns not processed for MPP and removal from MPP (the SAO's concurrence).
        (
            CaseStatus.AMENABLE,
            CaseStatus.NOT_AMENABLE,
            Role.CBP_SUPERVISOR,
            "the supervisory asylum officer's concurrence with a positive fear assessment",
        ),
        (
            CaseStatus.IN_US_FOR_HEARING,
            CaseStatus.REMOVED_FROM_MPP,
            Role.SUPERVISORY_ASYLUM_OFFICER,
            "the supervisory asylum officer's concurrence with a positive fear assessment",
        ),
    ],
)
@pytest.mark.parametrize("workflow", [HEARING_DAY, COMPLETION])
def test_case_move_refuses_every_move_to_a_workflow_that_does_not_own_it_naming_where_it_is_made_a3(
    current, target, role, where_words, workflow
):
    """A3, N1, S4: a move is made only by its owning workflow (there is no generic status change any
    more): any other is refused ``workflow_owned`` naming where the move is made; nothing is recorded."""
    actor = user_with_role(role)
    case = CaseFactory(
        status=current,
        encounter=EncounterFactory(
            location=location("cv-bps" if role == Role.BORDER_PATROL_AGENT else "sys-poe")
        ),
    )

    with pytest.raises(NotPermitted) as refused:
        case_move(case_id=case.pk, to_status=target, actor=actor, reason="Wrong workflow", workflow=workflow)

    assert refused.value.code == "workflow_owned"
    assert refused.value.http_status == 403
    assert refused.value.field == "to_status"
    assert where_words in refused.value.message
    case.refresh_from_db()
    assert case.status == current
    assert case.history.count() == 1
    assert not CaseEvent.objects.filter(case=case).exists()
    assert not OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).exists()


def test_h1_the_review_cannot_return_a_case_to_mexico_it_is_told_the_hearing_day_makes_it(officer):
    """H1: the return to Mexico (once the generic status change's) is the port's hearing day's move."""
    case = CaseFactory(status=CaseStatus.ENROLLED)

    with pytest.raises(NotPermitted) as refused:
        case_move(case_id=case.pk, to_status=CaseStatus.IN_MEXICO, actor=officer, reason="x", workflow=REVIEW)

    assert refused.value.code == "workflow_owned"
    assert "recording the return to Mexico at the port" in refused.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED


def test_a_workflow_cannot_make_another_workflows_move(officer):
    case = CaseFactory(status=CaseStatus.SCREENING)

    with pytest.raises(NotPermitted) as refused:
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.AWAITING_REVIEW,
            actor=officer,
            reason="x",
            workflow="hearings.hearing_day",
        )

    assert refused.value.code == "workflow_owned"
    assert "the family's screening page" in refused.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENING


def test_the_review_workflow_makes_its_moves_through_case_move_recording_its_event_types(
    case, officer, supervisor
):
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.AWAITING_REVIEW,
        actor=officer,
        reason="Screening submitted",
        workflow=REVIEW,
    )
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.AMENABLE,
        actor=supervisor,
        reason="Amenable (A3)",
        workflow=REVIEW,
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.AMENABLE
    events = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("type", "actor", "reason"))
    assert events == [
        ("review.submitted", officer.pk, "Screening submitted"),
        ("review.decided", supervisor.pk, "Amenable (A3)"),
    ]


def test_a3_the_review_workflow_still_checks_the_edges_roles(case, supervisor):
    """A3: the supervisor decides; the officer's submission is the officer's (or agent's) move."""
    with pytest.raises(NotPermitted) as refused:
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.AWAITING_REVIEW,
            actor=supervisor,
            reason="x",
            workflow=REVIEW,
        )

    assert refused.value.code == "not_permitted"


# --- S3/S4: the supervisory asylum officer's moves ----------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "why"),
    [
        (CaseStatus.AMENABLE, CaseStatus.NOT_AMENABLE, "Not processed for MPP. S4 · fear_of_mexico"),
        (CaseStatus.ENROLLED, CaseStatus.REMOVED_FROM_MPP, "Removed from MPP; stays in the U.S. in INA 240"),
        (CaseStatus.IN_US_FOR_HEARING, CaseStatus.REMOVED_FROM_MPP, "Removed from MPP; stays in the U.S."),
    ],
)
def test_s4_the_supervisory_asylum_officers_concurrence_with_a_positive_assessment_is_the_move(
    current, target, why
):
    """The concurrence itself moves the case (the fear workflow's edge), recorded as the SAO's with why."""
    case = CaseFactory(status=current)
    claim = fear_claim_for(case)
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER, locations=[claim.asylum_office.code])

    concur(claim, outcome="positive", sao=sao)

    moved = Case.objects.get(pk=case.pk)
    assert moved.status == target
    assert moved.history.first().history_user == sao
    assert moved.history.first().history_change_reason.startswith(why)
    event = CaseEvent.objects.get(case=case, data__to=target)
    assert (event.type, event.actor) == (
        "fear.not_processed" if target == CaseStatus.NOT_AMENABLE else "fear.removed_from_mpp",
        sao,
    )


@pytest.mark.parametrize(
    "role",
    [Role.ASYLUM_OFFICER, Role.COURT_STAFF, Role.ICE_OFFICER, Role.CBP_OFFICER, Role.CBP_SUPERVISOR],
)
def test_s3_s4_no_other_role_than_the_supervisory_asylum_officer_removes_a_case_from_mpp(role):
    """S3: the assessment takes effect when a supervisory asylum officer concurs; even through the fear
    workflow, the move is the SAO's alone."""
    case = CaseFactory(status=CaseStatus.IN_US_FOR_HEARING)

    with pytest.raises(NotPermitted) as refused:
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.REMOVED_FROM_MPP,
            actor=user_with_role(role),
            reason="x",
            workflow=FEAR_ASSESSMENT,
        )

    assert refused.value.code == "not_permitted"
    assert "supervisory asylum officer" in refused.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_US_FOR_HEARING


# --- checks run on the locked rows --------------------------------------------------------------------


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
def test_a_move_waits_for_a_concurrent_move_and_is_checked_against_what_it_committed():
    """The table check runs after the lock: a case excluded (amenable → not amenable, S4) while an officer
    enrols it is not enrolled on top of the exclusion."""
    case = CaseFactory(status=CaseStatus.AMENABLE)
    sao, officer = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER), user_with_role(Role.CBP_OFFICER)
    excluded, go, committing = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def exclude():
        try:
            with transaction.atomic():
                case_move(
                    case_id=case.pk,
                    to_status=CaseStatus.NOT_AMENABLE,
                    actor=sao,
                    reason="Positive, concurred",
                    workflow=FEAR_ASSESSMENT,
                )
                excluded.set()
                go.wait(timeout=20)
                committing.set()
        finally:
            connection.close()

    def enrol():
        try:
            case_move(
                case_id=case.pk,
                to_status=CaseStatus.ENROLLED,
                actor=officer,
                reason="NTA served",
                workflow=NTA_SERVICE,
            )
            outcome["enrol"] = "enrolled"
        except IllegalTransition as exc:
            outcome["enrol"] = exc.code
        finally:
            outcome["finished_after_commit"] = committing.is_set()
            connection.close()

    first = threading.Thread(target=exclude)
    first.start()
    assert excluded.wait(timeout=20)
    second = threading.Thread(target=enrol)
    second.start()

    blocked = _wait_for_a_lock_waiter()
    still_running = second.is_alive()
    go.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert blocked and still_running, "the enrolment did not wait for the exclusion's lock"
    assert outcome == {"enrol": "illegal_transition", "finished_after_commit": True}
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_AMENABLE
    assert _status_moves(case) == [("amenable", "not_amenable")]


def test_asking_for_the_status_a_case_already_has_is_refused_to_a_role_that_never_makes_that_move(
    court_clerk,
):
    """A repeat is a no-op only for someone who may make a move into that status: court staff never move
    a case to in_mexico, so the silent success would hide a request they may not make."""
    case = CaseFactory(status=CaseStatus.IN_MEXICO)

    with pytest.raises(NotPermitted):
        case_move(
            case_id=case.pk,
            to_status=CaseStatus.IN_MEXICO,
            actor=court_clerk,
            reason="x",
            workflow=HEARING_DAY,
        )

    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.parametrize("born", [dt.date(1, 1, 1), dt.date(1899, 12, 31)])
def test_alien_create_refuses_a_birth_year_before_1900_naming_the_date_not_the_a_number(officer, born):
    """It used to reach the database check and come back as "None is already registered" (a_number_exists)."""
    with pytest.raises(InvalidInput) as refused:
        _alien(officer, date_of_birth=born)

    assert refused.value.field == "date_of_birth"
    assert refused.value.code != "a_number_exists"
