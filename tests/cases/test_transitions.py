"""The one transition table and the edge registry: which moves exist, who makes each, and which workflow.

The expected moves, owners and roles are written out below from the program (RULES.md and the comments of
``cases.models``), not read from the table or registry under test: a change to either fails here first.
"""

import itertools

import pytest

from cases.models import TRANSITIONS, Case, CaseEvent, CaseStatus
from cases.registry import edges
from cases.services import case_move
from mpp.accounts.roles import Role
from mpp.exceptions import IllegalTransition, NotPermitted
from mpp.outbox.models import OutboxEvent
from tests.factories import CaseFactory, EncounterFactory, location, user_with_role

S = CaseStatus
R = Role
REVIEW = "screenings.amenability_review"  # written out: the owner name is part of the contract
NTA = "hearings.nta_service"
FEAR = "screenings.fear_assessment"  # S3/S4, F3, F5: the supervisory asylum officer's concurrence
HEARING_DAY = "hearings.hearing_day"  # H1: check-in at the reporting port, and the return to Mexico
COMPLETION = "hearings.completion"  # H4/H5: the immigration judge's decision
REOPENING = "hearings.reopening"  # H5: a motion to reopen granted, or a remand
ERO_HANDOFF = "hearings.ero_handoff"  # H4: a final order of removal, handed over to ICE ERO
COMPLETIONS = (S.COMPLETED_RELIEF, S.COMPLETED_REMOVAL_ORDER, S.COMPLETED_OTHER)

# --- the program, written out --------------------------------------------------------------------------

EXPECTED_EDGES = {
    # A3: the officer submits the screening; the supervisor confirms, excludes or sends it back.
    (S.SCREENING, S.AWAITING_REVIEW),
    (S.AWAITING_REVIEW, S.AMENABLE),
    (S.AWAITING_REVIEW, S.NOT_AMENABLE),
    (S.AWAITING_REVIEW, S.SCREENING),
    # N1: NTA served; S4: a positive assessment before enrolment.
    (S.AMENABLE, S.ENROLLED),
    (S.AMENABLE, S.NOT_AMENABLE),
    (S.ENROLLED, S.IN_MEXICO),
    (S.ENROLLED, S.REMOVED_FROM_MPP),
    # H1: to the hearing and back; removal from MPP; completion (e.g. in absentia from Mexico).
    (S.IN_MEXICO, S.IN_US_FOR_HEARING),
    (S.IN_MEXICO, S.REMOVED_FROM_MPP),
    (S.IN_MEXICO, S.COMPLETED_RELIEF),
    (S.IN_MEXICO, S.COMPLETED_REMOVAL_ORDER),
    (S.IN_MEXICO, S.COMPLETED_OTHER),
    (S.IN_US_FOR_HEARING, S.IN_MEXICO),
    (S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP),
    (S.IN_US_FOR_HEARING, S.COMPLETED_RELIEF),
    (S.IN_US_FOR_HEARING, S.COMPLETED_REMOVAL_ORDER),
    (S.IN_US_FOR_HEARING, S.COMPLETED_OTHER),
    (S.REMOVED_FROM_MPP, S.COMPLETED_RELIEF),
    (S.REMOVED_FROM_MPP, S.COMPLETED_REMOVAL_ORDER),
    (S.REMOVED_FROM_MPP, S.COMPLETED_OTHER),
    # H5: completions may be reopened; H4: a final order hands the person to ICE ERO.
    (S.COMPLETED_RELIEF, S.REOPENED),
    (S.COMPLETED_REMOVAL_ORDER, S.REOPENED),
    (S.COMPLETED_OTHER, S.REOPENED),
    (S.COMPLETED_REMOVAL_ORDER, S.HANDED_TO_ICE),
    (S.HANDED_TO_ICE, S.REOPENED),
    (S.REOPENED, S.IN_MEXICO),
    (S.REOPENED, S.IN_US_FOR_HEARING),
    (S.REOPENED, S.REMOVED_FROM_MPP),
    (S.REOPENED, S.COMPLETED_RELIEF),
    (S.REOPENED, S.COMPLETED_REMOVAL_ORDER),
    (S.REOPENED, S.COMPLETED_OTHER),
}

CBP_FIELD = frozenset({R.CBP_OFFICER, R.BORDER_PATROL_AGENT, R.CBP_SUPERVISOR})
COURT = frozenset({R.COURT_STAFF})
SAO = frozenset({R.SUPERVISORY_ASYLUM_OFFICER})
# S4: the moves a concurred positive fear assessment makes (no longer the generic status change's).
FEAR_MOVES = {
    (S.AMENABLE, S.NOT_AMENABLE): "fear.not_processed",
    **{
        (source, S.REMOVED_FROM_MPP): "fear.removed_from_mpp"
        for source in (S.ENROLLED, S.IN_MEXICO, S.IN_US_FOR_HEARING, S.REOPENED)
    },
}

# (from, to) -> (owner, roles, case event type). Every move has an owning workflow (step 8: no generic
# "Change status" any more).
CHECKED_IN = (HEARING_DAY, CBP_FIELD, "hearing_day.checked_in")
RETURNED = (HEARING_DAY, CBP_FIELD, "hearing_day.returned")
COMPLETED = (COMPLETION, COURT, "completion.recorded")
REOPENED = (REOPENING, COURT, "case.reopened")
EXPECTED_OWNERS = {
    (S.SCREENING, S.AWAITING_REVIEW): (
        REVIEW,
        frozenset({R.CBP_OFFICER, R.BORDER_PATROL_AGENT}),
        "review.submitted",
    ),
    (S.AWAITING_REVIEW, S.AMENABLE): (REVIEW, frozenset({R.CBP_SUPERVISOR}), "review.decided"),
    (S.AWAITING_REVIEW, S.NOT_AMENABLE): (REVIEW, frozenset({R.CBP_SUPERVISOR}), "review.decided"),
    (S.AWAITING_REVIEW, S.SCREENING): (REVIEW, frozenset({R.CBP_SUPERVISOR}), "review.returned"),
    # N1: the officer or agent who serves the family's NTA enrols it (not the supervisor, not generic).
    (S.AMENABLE, S.ENROLLED): (NTA, frozenset({R.CBP_OFFICER, R.BORDER_PATROL_AGENT}), "nta.served"),
    # S4: a positive assessment, concurred, before enrolment: not processed for MPP.
    (S.AMENABLE, S.NOT_AMENABLE): (FEAR, SAO, "fear.not_processed"),
    (S.ENROLLED, S.IN_MEXICO): RETURNED,
    (S.ENROLLED, S.REMOVED_FROM_MPP): (FEAR, SAO, "fear.removed_from_mpp"),
    (S.IN_MEXICO, S.IN_US_FOR_HEARING): CHECKED_IN,
    (S.IN_MEXICO, S.REMOVED_FROM_MPP): (FEAR, SAO, "fear.removed_from_mpp"),
    (S.IN_MEXICO, S.COMPLETED_RELIEF): COMPLETED,
    (S.IN_MEXICO, S.COMPLETED_REMOVAL_ORDER): COMPLETED,
    (S.IN_MEXICO, S.COMPLETED_OTHER): COMPLETED,
    (S.IN_US_FOR_HEARING, S.IN_MEXICO): RETURNED,
    (S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP): (FEAR, SAO, "fear.removed_from_mpp"),
    (S.IN_US_FOR_HEARING, S.COMPLETED_RELIEF): COMPLETED,
    (S.IN_US_FOR_HEARING, S.COMPLETED_REMOVAL_ORDER): COMPLETED,
    (S.IN_US_FOR_HEARING, S.COMPLETED_OTHER): COMPLETED,
    (S.REMOVED_FROM_MPP, S.COMPLETED_RELIEF): COMPLETED,
    (S.REMOVED_FROM_MPP, S.COMPLETED_REMOVAL_ORDER): COMPLETED,
    (S.REMOVED_FROM_MPP, S.COMPLETED_OTHER): COMPLETED,
    (S.COMPLETED_RELIEF, S.REOPENED): REOPENED,
    (S.COMPLETED_REMOVAL_ORDER, S.REOPENED): REOPENED,
    (S.COMPLETED_OTHER, S.REOPENED): REOPENED,
    (S.COMPLETED_REMOVAL_ORDER, S.HANDED_TO_ICE): (
        ERO_HANDOFF,
        frozenset({R.CBP_OFFICER, R.CBP_SUPERVISOR, R.ICE_OFFICER}),
        "ero.handed_off",
    ),
    (S.HANDED_TO_ICE, S.REOPENED): REOPENED,
    (S.REOPENED, S.IN_MEXICO): RETURNED,
    (S.REOPENED, S.IN_US_FOR_HEARING): CHECKED_IN,
    (S.REOPENED, S.REMOVED_FROM_MPP): (FEAR, SAO, "fear.removed_from_mpp"),
    (S.REOPENED, S.COMPLETED_RELIEF): COMPLETED,
    (S.REOPENED, S.COMPLETED_REMOVAL_ORDER): COMPLETED,
    (S.REOPENED, S.COMPLETED_OTHER): COMPLETED,
}

LEGAL = sorted(EXPECTED_EDGES)
ILLEGAL = sorted(
    (a, b) for a, b in itertools.product(S.values, repeat=2) if a != b and (a, b) not in EXPECTED_EDGES
)
# Roles that see cases; analysts see none (their refusal is CaseNotFound, tested with the services).
CASE_ROLES = sorted(set(R.values) - {R.ANALYST})


def _duty_location(role: str) -> str:
    # Border Patrol agents are posted at Chula Vista (tests.factories.user_with_role); everyone else at
    # San Ysidro or national. Cases are placed where the actor works so the scope check passes.
    return "cv-bps" if role == R.BORDER_PATROL_AGENT else "sys-poe"


def _case_for(role: str, status: str) -> Case:
    return CaseFactory(status=status, encounter=EncounterFactory(location=location(_duty_location(role))))


# --- the table ---------------------------------------------------------------------------------------


def test_the_transition_table_is_exactly_the_programs_moves():
    actual = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}

    assert actual - EXPECTED_EDGES == set(), "moves in the table the program does not have"
    assert EXPECTED_EDGES - actual == set(), "moves of the program missing from the table"
    assert len(actual) == 32


def test_every_status_has_a_row_in_the_table_and_fear_claim_pending_is_no_longer_a_status():
    """S1/F4: a pending fear claim is a hold, not a status."""
    assert set(TRANSITIONS) == set(S.values)
    assert len(S.values) == 13
    assert "fear_claim_pending" not in S.values


def test_not_amenable_is_the_only_terminal_status():
    terminal = {status for status, targets in TRANSITIONS.items() if not targets}

    assert terminal == {S.NOT_AMENABLE}


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_check_transition_allows_every_legal_move(current, target):
    Case.check_transition(current, target)  # does not raise


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_check_transition_refuses_every_illegal_move_naming_both_states(current, target):
    with pytest.raises(IllegalTransition) as refused:
        Case.check_transition(current, target)

    assert f"({current})" in refused.value.message
    assert f"({target})" in refused.value.message
    assert refused.value.http_status == 409
    assert refused.value.code == "illegal_transition"


# --- the registry: who makes each move ----------------------------------------------------------------


def test_every_edge_has_the_programs_owner_roles_and_event():
    actual = {(e.source, e.target): (e.owner, e.roles, e.event) for e in edges()}

    assert set(actual) == set(EXPECTED_OWNERS)
    for key, expected in EXPECTED_OWNERS.items():
        assert actual[key] == expected, key


def test_the_amenability_review_owns_exactly_the_four_review_moves_a3():
    owned = {(e.source, e.target) for e in edges() if e.owner == REVIEW}

    assert owned == {
        (S.SCREENING, S.AWAITING_REVIEW),
        (S.AWAITING_REVIEW, S.AMENABLE),
        (S.AWAITING_REVIEW, S.NOT_AMENABLE),
        (S.AWAITING_REVIEW, S.SCREENING),
    }
    assert {e.owner for e in edges()} == {REVIEW, NTA, FEAR, HEARING_DAY, COMPLETION, REOPENING, ERO_HANDOFF}


def test_serving_the_nta_owns_exactly_the_move_to_enrolled_n1():
    owned = {(e.source, e.target) for e in edges() if e.owner == NTA}

    assert owned == {(S.AMENABLE, S.ENROLLED)}
    assert all(e.owner == NTA for e in edges() if e.target == S.ENROLLED)


def test_the_fear_assessment_owns_not_processed_for_mpp_and_every_removal_from_mpp_s4():
    """S4/F3/F5: the supervisory asylum officer's concurrence with a positive assessment makes these moves;
    the generic status change gave them up (into and out of the fear hold, removal from MPP for fear)."""
    owned = {(e.source, e.target): e.event for e in edges() if e.owner == FEAR}

    assert owned == FEAR_MOVES
    assert all(e.owner == FEAR for e in edges() if e.target == S.REMOVED_FROM_MPP)
    assert all(e.roles == SAO for e in edges() if e.owner == FEAR)


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), sorted(FEAR_MOVES))
@pytest.mark.parametrize("role", [R.CBP_SUPERVISOR, R.SUPERVISORY_ASYLUM_OFFICER])
@pytest.mark.parametrize("workflow", [REVIEW, HEARING_DAY])
def test_another_workflow_cannot_make_the_fear_assessments_moves_workflow_owned_s4(
    current, target, role, workflow
):
    """S4: the supervisors who once made these moves by the generic status change, or any other workflow,
    are told where they are made now; nothing changes."""
    case = _case_for(role, current)

    with pytest.raises(NotPermitted) as refused:
        case_move(
            case_id=case.pk, to_status=target, actor=user_with_role(role), reason="try", workflow=workflow
        )

    assert (refused.value.code, refused.value.field) == ("workflow_owned", "to_status")
    assert "supervisory asylum officer's concurrence" in refused.value.message
    case.refresh_from_db()
    assert case.status == current
    assert not CaseEvent.objects.filter(case=case).exists()


# --- every legal move through the service -------------------------------------------------------------

EDGE_ROLE_PAIRS = sorted(
    (source, target, role) for (source, target), (_, roles, _) in EXPECTED_OWNERS.items() for role in roles
)


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target", "role"), EDGE_ROLE_PAIRS)
def test_case_move_makes_every_legal_move_for_each_of_its_roles_and_records_it(current, target, role):
    owner, _, event = EXPECTED_OWNERS[(current, target)]
    case = _case_for(role, current)
    actor = user_with_role(role)
    why = f"{current} to {target} by {role}"

    moved = case_move(case_id=case.pk, to_status=target, actor=actor, reason=why, workflow=owner)

    moved.refresh_from_db()
    assert moved.status == target
    latest = moved.history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (target, actor, why)
    recorded = CaseEvent.objects.get(case=case)
    assert recorded.type == event
    assert (recorded.data["from"], recorded.data["to"]) == (current, target)
    assert (recorded.actor, recorded.reason) == (actor, why)
    assert OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).count() == 1


EDGE_OUTSIDER_PAIRS = sorted(
    (source, target, role)
    for (source, target), (_, roles, _) in EXPECTED_OWNERS.items()
    for role in CASE_ROLES
    if role not in roles
)


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target", "outsider"), EDGE_OUTSIDER_PAIRS)
def test_case_move_refuses_a_legal_move_to_every_role_the_edge_does_not_name(current, target, outsider):
    owner, _, _ = EXPECTED_OWNERS[(current, target)]
    case = _case_for(outsider, current)

    with pytest.raises(NotPermitted) as refused:
        case_move(
            case_id=case.pk, to_status=target, actor=user_with_role(outsider), reason="try", workflow=owner
        )

    assert refused.value.code == "not_permitted"
    case.refresh_from_db()
    assert case.status == current
    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), ILLEGAL[::3])  # a spread of illegal pairs through the service
@pytest.mark.parametrize("workflow", [HEARING_DAY, REVIEW])
def test_case_move_refuses_illegal_moves_and_changes_nothing(current, target, workflow):
    case = CaseFactory(status=current)
    rows_before = case.history.count()

    with pytest.raises(IllegalTransition) as refused:
        case_move(
            case_id=case.pk,
            to_status=target,
            actor=user_with_role(R.CBP_SUPERVISOR),
            reason="try",
            workflow=workflow,
        )

    assert f"({current})" in refused.value.message
    assert f"({target})" in refused.value.message
    case.refresh_from_db()
    assert case.status == current
    assert case.history.count() == rows_before
    assert not CaseEvent.objects.filter(case=case).exists()
    assert not OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).exists()


# --- nothing can orphan a case ------------------------------------------------------------------------


def test_no_edge_has_empty_roles():
    assert [(e.source, e.target) for e in edges() if not e.roles] == []


@pytest.mark.parametrize("status", sorted(set(S.values) - {S.NOT_AMENABLE}))
def test_every_non_terminal_status_has_an_exit_some_role_can_make(status):
    exits = [e for e in edges() if e.source == status and e.roles]

    assert exits, f"a case in {status} could never leave it"


def test_every_status_is_reachable_from_screening_through_registered_edges():
    reached, frontier = {S.SCREENING.value}, [S.SCREENING.value]
    while frontier:
        current = frontier.pop()
        for e in edges():
            if e.source == current and e.roles and e.target not in reached:
                reached.add(e.target)
                frontier.append(e.target)

    assert reached == set(S.values)


def test_no_other_workflow_can_put_a_case_in_or_take_it_out_of_the_review_queue_a3():
    """Every move into awaiting_review, amenable or screening, and every move out of awaiting_review, is
    owned by the amenability review: no other workflow can strand a case in the supervisor's
    queue without a review, nor decide one without it."""
    review_moves = [
        e
        for e in edges()
        if e.target in {S.AWAITING_REVIEW, S.AMENABLE, S.SCREENING} or e.source == S.AWAITING_REVIEW
    ]

    assert {(e.source, e.target) for e in review_moves} == {
        (S.SCREENING, S.AWAITING_REVIEW),
        (S.AWAITING_REVIEW, S.AMENABLE),
        (S.AWAITING_REVIEW, S.NOT_AMENABLE),
        (S.AWAITING_REVIEW, S.SCREENING),
    }
    assert all(e.owner == REVIEW for e in review_moves)
