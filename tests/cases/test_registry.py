"""The registry of the case core (cases.registry): what it refuses to register, and the start-up check
(cases.E001) that no legal move is left without someone who makes it. Every test that registers works on
a copy of the registry (monkeypatch), so the real one is untouched for the tests that follow."""

import dataclasses

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from cases import registry
from cases.checks import check_every_move_has_an_owner
from cases.models import CaseStatus
from cases.registry import (
    HoldKind,
    edge_for,
    edge_register,
    event_type_label,
    event_type_register,
    hold_kind,
    hold_kind_register,
)
from mpp.accounts.roles import Role

S = CaseStatus


@pytest.fixture
def edge_copy(monkeypatch):
    """The edge registry as a copy: registrations in the test do not leak."""
    copy = dict(registry._EDGES)
    monkeypatch.setattr(registry, "_EDGES", copy)
    return copy


@pytest.fixture
def hold_kind_copy(monkeypatch):
    copy = dict(registry._HOLD_KINDS)
    monkeypatch.setattr(registry, "_HOLD_KINDS", copy)
    return copy


@pytest.fixture
def event_type_copy(monkeypatch):
    copy = dict(registry._EVENT_TYPES)
    monkeypatch.setattr(registry, "_EVENT_TYPES", copy)
    return copy


# --- edges ---------------------------------------------------------------------------------------------


def test_an_edge_the_transition_table_does_not_allow_is_refused(edge_copy):
    before = dict(edge_copy)

    with pytest.raises(ImproperlyConfigured, match="not in the transition table"):
        edge_register(
            source=S.SCREENING, target=S.ENROLLED, roles={Role.CBP_OFFICER}, owner="hearings.nta", where="x"
        )

    assert edge_copy == before


def test_a_move_from_a_terminal_status_is_refused(edge_copy):
    with pytest.raises(ImproperlyConfigured):
        edge_register(
            source=S.NOT_AMENABLE,
            target=S.SCREENING,
            roles={Role.CBP_SUPERVISOR},
            owner="screenings.redo",
            where="x",
        )


def test_an_edge_with_no_owning_workflow_is_refused(edge_copy):
    """Step 8: there is no generic status change; an edge names the workflow that makes it."""
    del edge_copy[(S.ENROLLED, S.IN_MEXICO)]

    for owner in (None, ""):
        with pytest.raises(ImproperlyConfigured, match="names no workflow"):
            edge_register(
                source=S.ENROLLED, target=S.IN_MEXICO, roles={Role.CBP_OFFICER}, owner=owner, where="x"
            )

    assert edge_for(S.ENROLLED, S.IN_MEXICO) is None


def test_an_edge_that_does_not_say_where_it_is_made_is_refused(edge_copy):
    """The workflow_owned refusal names where a move is made: an edge without those words is refused."""
    del edge_copy[(S.ENROLLED, S.IN_MEXICO)]

    with pytest.raises(ImproperlyConfigured, match="does not say where"):
        edge_register(
            source=S.ENROLLED, target=S.IN_MEXICO, roles={Role.CBP_OFFICER}, owner="hearings.x", where=""
        )

    assert edge_for(S.ENROLLED, S.IN_MEXICO) is None


def test_a_move_a_workflow_owns_cannot_be_registered_again_and_the_message_names_the_owner(edge_copy):
    with pytest.raises(ImproperlyConfigured, match=r"already made by screenings\.amenability_review"):
        edge_register(
            source=S.AWAITING_REVIEW,
            target=S.AMENABLE,
            roles={Role.CBP_SUPERVISOR},
            owner="other.workflow",
            where="x",
        )
    with pytest.raises(ImproperlyConfigured, match=r"hearings\.hearing_day"):
        edge_register(
            source=S.ENROLLED, target=S.IN_MEXICO, roles={Role.CBP_OFFICER}, owner="other.workflow", where="x"
        )

    assert edge_for(S.AWAITING_REVIEW, S.AMENABLE).owner == "screenings.amenability_review"


def test_an_edge_with_no_roles_is_refused(edge_copy):
    del edge_copy[(S.AMENABLE, S.ENROLLED)]

    with pytest.raises(ImproperlyConfigured, match="names no role"):
        edge_register(source=S.AMENABLE, target=S.ENROLLED, roles=[], owner="hearings.nta", where="x")

    assert edge_for(S.AMENABLE, S.ENROLLED) is None


def test_a_free_legal_edge_is_registered_with_its_owner_roles_where_and_event(edge_copy):
    del edge_copy[(S.AMENABLE, S.ENROLLED)]

    edge = edge_register(
        source=S.AMENABLE,
        target=S.ENROLLED,
        roles=[Role.CBP_OFFICER, Role.CBP_SUPERVISOR],
        owner="hearings.nta",
        where="serving the NTA (the NTA page, N1)",
        event="nta.served",
    )

    assert edge_for(S.AMENABLE, S.ENROLLED) == edge
    assert (edge.owner, edge.roles, edge.where, edge.event) == (
        "hearings.nta",
        frozenset({Role.CBP_OFFICER, Role.CBP_SUPERVISOR}),
        "serving the NTA (the NTA page, N1)",
        "nta.served",
    )


def test_an_edge_registered_without_an_event_records_a_status_change(edge_copy):
    del edge_copy[(S.AMENABLE, S.ENROLLED)]

    edge = edge_register(
        source=S.AMENABLE, target=S.ENROLLED, roles=[Role.CBP_OFFICER], owner="hearings.nta", where="x"
    )

    assert edge.event == "status.changed"


def test_the_real_registry_is_untouched_by_the_tests_above():
    """N1: serving the NTA owns the move to enrolled; H1: the hearing day owns the move on to Mexico
    (hearings.workflow)."""
    enrolment = edge_for(S.AMENABLE, S.ENROLLED)
    assert (enrolment.owner, enrolment.event) == ("hearings.nta_service", "nta.served")
    assert enrolment.roles == frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})
    assert edge_for(S.ENROLLED, S.IN_MEXICO).owner == "hearings.hearing_day"
    assert edge_for(S.ENROLLED, S.IN_MEXICO).roles == frozenset(
        {Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR}
    )


# --- the start-up check cases.E001 ---------------------------------------------------------------------


def test_the_start_up_check_is_clean_in_the_real_configuration():
    assert check_every_move_has_an_owner() == []
    assert [m for m in checks.run_checks() if m.id == "cases.E001"] == []


def test_the_start_up_check_reports_a_legal_move_nobody_makes(edge_copy):
    del edge_copy[(S.COMPLETED_REMOVAL_ORDER, S.HANDED_TO_ICE)]

    errors = check_every_move_has_an_owner()

    assert [(e.id, e.level) for e in errors] == [("cases.E001", checks.ERROR)]
    assert "completed_removal_order → handed_to_ice" in errors[0].msg


def test_the_start_up_check_is_registered_with_django(edge_copy):
    del edge_copy[(S.SCREENING, S.AWAITING_REVIEW)]
    del edge_copy[(S.REOPENED, S.IN_MEXICO)]

    reported = [m for m in checks.run_checks() if m.id == "cases.E001"]

    assert len(reported) == 2
    assert {m.msg.split(" is in")[0] for m in reported} == {
        "The move screening → awaiting_review",
        "The move reopened → in_mexico",
    }


# --- hold kinds ----------------------------------------------------------------------------------------


def _kind(**changes):
    base = HoldKind(
        code="medical_hold",
        label="Medical hold (A5)",
        rule="A5",
        owner="screenings",
        open_roles=frozenset({Role.CBP_OFFICER}),
        release_roles=frozenset({Role.CBP_SUPERVISOR}),
        blocks_own=frozenset({S.IN_MEXICO}),
        own_code="medical_hold",
        own_explanation="{name} is waiting for medical staff.",
    )
    return dataclasses.replace(base, **changes)


def test_a_hold_kind_blocking_an_unknown_status_is_refused(hold_kind_copy):
    with pytest.raises(ImproperlyConfigured, match="unknown status fear_claim_pending"):
        hold_kind_register(_kind(blocks_own=frozenset({"fear_claim_pending"})))
    with pytest.raises(ImproperlyConfigured, match="unknown status"):
        hold_kind_register(_kind(blocks_family=frozenset({"paroled"})))

    assert hold_kind("medical_hold") is None


def test_a_hold_kind_is_registered_once_and_a_different_kind_under_its_code_is_refused(hold_kind_copy):
    registered = hold_kind_register(_kind())

    assert hold_kind("medical_hold") == registered
    assert hold_kind_register(_kind()) == registered  # ready() may run twice
    with pytest.raises(ImproperlyConfigured, match="already registered by screenings"):
        hold_kind_register(_kind(label="Something else", owner="hearings"))
    assert hold_kind("medical_hold").label == "Medical hold (A5)"


def test_the_fear_claim_hold_kind_is_the_programs_s1_f4():
    kind = hold_kind("fear_claim")

    assert (kind.rule, kind.owner, kind.own_code, kind.family_rule, kind.family_code) == (
        "S1",
        "screenings",
        "fear_claim_pending",
        "F4",
        "family_fear_pending",
    )
    assert kind.open_roles == {
        Role.CBP_OFFICER,
        Role.BORDER_PATROL_AGENT,
        Role.CBP_SUPERVISOR,
        Role.COURT_STAFF,
    }
    assert kind.release_roles == {Role.SUPERVISORY_ASYLUM_OFFICER}
    assert kind.blocks_own == {S.AMENABLE, S.NOT_AMENABLE, S.ENROLLED, S.IN_MEXICO}
    assert kind.blocks_family == {S.IN_MEXICO}
    assert [value for value, _ in kind.outcomes] == ["negative", "positive"]
    assert kind.sensitivities == ("fear",)


# --- case event types ----------------------------------------------------------------------------------


def test_an_event_type_of_another_owner_is_refused_and_its_label_kept(event_type_copy):
    with pytest.raises(ImproperlyConfigured, match="already registered by cases"):
        event_type_register("status.changed", "Moved", owner="hearings")

    assert event_type_label("status.changed") == "Status changed"


def test_the_core_and_screenings_event_types_have_plain_labels():
    assert {
        code: event_type_label(code)
        for code in (
            "case.opened",
            "status.changed",
            "hold.opened",
            "hold.released",
            "alien.a_number_assigned",
            "screening.facts_saved",
            "review.submitted",
            "review.decided",
            "review.returned",
        )
    } == {
        "case.opened": "Case opened",
        "status.changed": "Status changed",
        "hold.opened": "Hold opened",
        "hold.released": "Hold released",
        "alien.a_number_assigned": "A-number assigned",
        "screening.facts_saved": "Screening facts updated",
        "review.submitted": "Screening submitted for supervisor review",
        "review.decided": "Amenability decided by the supervisor",
        "review.returned": "Returned to the officer for re-screening",
    }
    assert event_type_label("unknown.type") == "unknown.type"
