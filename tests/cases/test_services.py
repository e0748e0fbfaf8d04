"""Services of the case registry: what they write, who and why they record, and what they refuse."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.exceptions import CaseNotFound
from cases.models import Alien, Case, CaseStatus, Encounter, FamilyMember, FamilyUnit
from cases.permissions import FEAR_OUTCOME_ROLES, WORKFLOW_OWNED, roles_for_move
from cases.services import (
    MemberSpec,
    alien_create,
    case_move,
    case_open,
    case_transition,
    encounter_create,
    family_unit_create,
)
from mpp.accounts.roles import Role
from mpp.exceptions import IllegalTransition, InvalidInput, NotPermitted, PolicyRefusal
from mpp.outbox.models import OutboxEvent
from tests.factories import (
    AlienFactory,
    CaseFactory,
    EncounterFactory,
    family_with_cases,
    language,
    location,
    user_with_role,
)

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


def test_moving_twice_records_one_change_and_one_event(case, officer):
    case_move(
        case_id=case.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screening complete"
    )
    case_move(case_id=case.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Double submit")

    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_REVIEW
    assert case.history.count() == 2  # created + moved
    assert OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).count() == 1


def test_history_records_actor_reason_and_from_to(case, officer):
    case_move(
        case_id=case.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screening complete"
    )

    newest, oldest = list(case.history.order_by("-history_id")[:2])
    assert (oldest.status, newest.status) == (CaseStatus.SCREENING, CaseStatus.AWAITING_REVIEW)
    assert newest.history_user == officer
    assert newest.history_change_reason == "Screening complete"
    assert newest.history_date is not None


def test_a_move_needs_a_reason(case, officer):
    with pytest.raises(InvalidInput) as refused:
        case_move(case_id=case.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="   ")

    assert refused.value.field == "reason"
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENING


def test_unknown_status_and_unknown_case_are_refused(case, officer):
    with pytest.raises(InvalidInput):
        case_move(case_id=case.pk, to_status="paroled", actor=officer, reason="x")
    with pytest.raises(CaseNotFound):
        case_move(case_id=case.pk + 999, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="x")


def test_f4_return_to_mexico_is_blocked_while_a_family_members_fear_claim_is_pending():
    """F4: any member's pending fear claim blocks the return of every member — refused, not flagged."""
    head, child = family_with_cases(size=2, status=CaseStatus.IN_US_FOR_HEARING)
    officer = user_with_role(Role.CBP_OFFICER)
    case_move(
        case_id=child.pk,
        to_status=CaseStatus.FEAR_CLAIM_PENDING,
        actor=officer,
        reason="Child's mother states fear",
    )

    with pytest.raises(PolicyRefusal) as refused:
        case_move(case_id=head.pk, to_status=CaseStatus.IN_MEXICO, actor=officer, reason="Hearing over")

    assert refused.value.rule == "F4"
    assert refused.value.code == "family_fear_pending"
    head.refresh_from_db()
    assert head.status == CaseStatus.IN_US_FOR_HEARING


def test_f4_return_is_allowed_once_the_claim_is_decided():
    head, child = family_with_cases(size=2, status=CaseStatus.IN_US_FOR_HEARING)
    officer = user_with_role(Role.CBP_OFFICER)
    case_move(case_id=child.pk, to_status=CaseStatus.FEAR_CLAIM_PENDING, actor=officer, reason="Fear stated")
    case_move(
        case_id=child.pk, to_status=CaseStatus.IN_US_FOR_HEARING, actor=officer, reason="Negative assessment"
    )

    case_move(case_id=head.pk, to_status=CaseStatus.IN_MEXICO, actor=officer, reason="Hearing over")

    head.refresh_from_db()
    assert head.status == CaseStatus.IN_MEXICO


def test_case_transition_refuses_a_role_that_does_not_own_the_move(case, court_clerk):
    with pytest.raises(NotPermitted) as refused:
        case_transition(
            case_id=case.pk, to_status=CaseStatus.FEAR_CLAIM_PENDING, actor=court_clerk, reason="x"
        )

    assert refused.value.http_status == 403
    assert refused.value.code == "not_permitted"
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENING


def test_case_transition_hides_cases_outside_the_duty_locations(officer):
    elsewhere = CaseFactory(encounter=EncounterFactory(location=location("elp-poe")))

    with pytest.raises(CaseNotFound):
        case_transition(
            case_id=elsewhere.pk, to_status=CaseStatus.FEAR_CLAIM_PENDING, actor=officer, reason="x"
        )


def test_case_transition_lets_the_owning_role_move_and_refuses_illegal_moves(officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    moved = case_transition(
        case_id=case.pk, to_status=CaseStatus.IN_MEXICO, actor=officer, reason="Returned with a tear sheet"
    )
    assert moved.status == CaseStatus.IN_MEXICO
    latest = case.history.order_by("-history_id").first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        CaseStatus.IN_MEXICO,
        officer,
        "Returned with a tear sheet",
    )
    assert OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).count() == 1

    with pytest.raises(IllegalTransition):
        case_transition(case_id=case.pk, to_status=CaseStatus.ENROLLED, actor=officer, reason="x")


def test_deactivated_users_have_no_roles(case, officer):
    officer.is_active = False
    officer.save()
    officer.refresh_from_db()

    with pytest.raises(CaseNotFound):
        case_transition(case_id=case.pk, to_status=CaseStatus.FEAR_CLAIM_PENDING, actor=officer, reason="x")


# --- Moves the amenability workflow owns (cases.permissions.WORKFLOW_OWNED) ------------------------------


def test_the_workflow_owned_moves_are_the_amenability_moves_and_no_role_owns_them_generically():
    assert set(WORKFLOW_OWNED) == {
        CaseStatus.AWAITING_REVIEW,
        CaseStatus.AMENABLE,
        CaseStatus.NOT_AMENABLE,
        CaseStatus.SCREENING,
    }
    for status in WORKFLOW_OWNED:
        for current in (CaseStatus.SCREENING, CaseStatus.AWAITING_REVIEW, CaseStatus.AMENABLE):
            assert roles_for_move(current, status) == frozenset(), (current, status)


@pytest.mark.parametrize(
    ("current", "target", "role"),
    [
        # the officer who screened the family sends it for review only by submitting the screening (A3)
        (CaseStatus.SCREENING, CaseStatus.AWAITING_REVIEW, Role.CBP_OFFICER),
        (CaseStatus.SCREENING, CaseStatus.AWAITING_REVIEW, Role.CBP_SUPERVISOR),
        # the supervisor decides only in the review, with separation of duties (A3)
        (CaseStatus.AWAITING_REVIEW, CaseStatus.AMENABLE, Role.CBP_SUPERVISOR),
        (CaseStatus.AWAITING_REVIEW, CaseStatus.NOT_AMENABLE, Role.CBP_SUPERVISOR),
        (CaseStatus.AWAITING_REVIEW, CaseStatus.SCREENING, Role.CBP_SUPERVISOR),
    ],
)
def test_case_transition_refuses_a_workflow_owned_move_even_for_the_deciding_role(current, target, role):
    case = CaseFactory(status=current)
    actor = user_with_role(role)
    history_before = case.history.count()

    with pytest.raises(NotPermitted) as refused:
        case_transition(case_id=case.pk, to_status=target, actor=actor, reason="Generic status change")

    assert refused.value.code == "workflow_owned"
    assert refused.value.http_status == 403
    assert refused.value.field == "to_status"
    case.refresh_from_db()
    assert case.status == current
    assert case.history.count() == history_before
    assert not OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).exists()


def test_case_move_still_makes_the_workflow_owned_moves(case, officer, supervisor):
    """The workflows (screenings.services) move the case through case_move, which the policy leaves as is."""
    case_move(
        case_id=case.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screening submitted"
    )
    case_move(case_id=case.pk, to_status=CaseStatus.AMENABLE, actor=supervisor, reason="Amenable (A3)")

    case.refresh_from_db()
    assert case.status == CaseStatus.AMENABLE


# --- S4: out of a pending fear claim, the assessment's outcome decides (supervisory asylum officer) -------


@pytest.mark.parametrize(
    ("target", "why"),
    [
        (CaseStatus.AMENABLE, "S4 negative: back to where the case stood before the claim"),
        (CaseStatus.SCREENING, "S4 negative: the claim came during screening"),
        (CaseStatus.NOT_AMENABLE, "S4 positive before enrolment (F5): not processed for MPP"),
        (CaseStatus.REMOVED_FROM_MPP, "S4 positive after enrolment: removed from MPP"),
        (CaseStatus.IN_MEXICO, "S4 negative: may be returned to Mexico pending proceedings"),
    ],
)
def test_s4_the_supervisory_asylum_officer_moves_a_case_out_of_a_pending_fear_claim(target, why):
    case = CaseFactory(status=CaseStatus.FEAR_CLAIM_PENDING)
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)

    moved = case_transition(case_id=case.pk, to_status=target, actor=sao, reason=why)

    assert moved.status == target
    assert moved.history.first().history_user == sao
    assert moved.history.first().history_change_reason == why


@pytest.mark.parametrize(
    "role", [Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.ASYLUM_OFFICER, Role.COURT_STAFF]
)
def test_s4_no_other_role_decides_where_a_case_goes_after_a_fear_claim(role):
    case = CaseFactory(status=CaseStatus.FEAR_CLAIM_PENDING)

    with pytest.raises(NotPermitted) as refused:
        case_transition(
            case_id=case.pk, to_status=CaseStatus.IN_MEXICO, actor=user_with_role(role), reason="x"
        )

    assert refused.value.code == "not_permitted"
    assert (
        "Supervisory asylum officer" in refused.value.message
        or "supervisory asylum officer" in refused.value.message
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.FEAR_CLAIM_PENDING
    assert FEAR_OUTCOME_ROLES == frozenset({Role.SUPERVISORY_ASYLUM_OFFICER})
