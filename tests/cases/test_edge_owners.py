"""Step 8: the generic status change is gone. Every edge of the status table (``cases.models.TRANSITIONS``)
has exactly one registered owner — the workflow that makes it — with the roles that may ask for it and the
words for where it is made; no edge exists outside the table; the start-up check (``cases.E001``) fails when
an edge has no owner; the "Change status" form, its page and the ``transition/`` API action are gone; a move
asked of any workflow but its owner is refused ``workflow_owned``, naming where it is made.
"""

from __future__ import annotations

import dataclasses

import pytest
from django.core import checks
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from cases import registry, services
from cases.checks import check_every_move_has_an_owner
from cases.models import TRANSITIONS, CaseEvent, CaseStatus
from cases.registry import edge_for, edges
from cases.services import case_move
from mpp.accounts.roles import Role
from mpp.exceptions import NotPermitted
from mpp.outbox.models import OutboxEvent
from tests.factories import CaseFactory, EncounterFactory, location, user_with_role

S = CaseStatus
TABLE = sorted((source, target) for source, targets in TRANSITIONS.items() for target in targets)
# The workflows of the program, written out (the owner names are part of the contract).
OWNERS = {
    "screenings.amenability_review",  # A3
    "screenings.fear_assessment",  # S3/S4, F3, F5
    "hearings.nta_service",  # N1
    "hearings.hearing_day",  # H1
    "hearings.completion",  # H4/H5
    "hearings.reopening",  # H5
    "hearings.ero_handoff",  # H4
}
API = "/api/v1"


# --- every edge has an owner -----------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), TABLE)
def test_every_edge_of_the_status_table_has_exactly_one_owner_with_roles_and_where(source, target):
    registered = [e for e in edges() if (e.source, e.target) == (source, target)]

    assert len(registered) == 1, (source, target)
    (edge,) = registered
    assert edge.owner in OWNERS, edge.owner
    assert edge.roles and edge.roles <= set(Role.values)
    assert edge.where.strip()
    assert edge.event and edge.event != "status.changed"  # each workflow records what happened, in its words


def test_no_edge_is_registered_outside_the_status_table():
    assert sorted((e.source, e.target) for e in edges()) == TABLE
    assert len(TABLE) == 32


def test_every_workflow_of_the_program_owns_at_least_one_edge():
    assert {e.owner for e in edges()} == OWNERS


def test_the_generic_status_change_is_gone_from_the_code():
    assert not hasattr(registry, "GENERIC_EDGES")
    assert not hasattr(registry, "register_generic_edges")
    assert not hasattr(registry.Edge, "is_generic")
    assert not hasattr(services, "case_transition")
    with pytest.raises(NoReverseMatch):
        reverse("cases:transition", args=[1])


# --- the start-up check cases.E001 -----------------------------------------------------------------------


@pytest.fixture
def edge_copy(monkeypatch):
    copy = dict(registry._EDGES)
    monkeypatch.setattr(registry, "_EDGES", copy)
    return copy


def test_the_start_up_check_passes_on_the_real_registry():
    assert check_every_move_has_an_owner() == []


def test_the_start_up_check_fails_for_an_edge_of_the_table_with_no_registered_owner(edge_copy):
    """An edge slipped in around ``edge_register`` (which refuses one without an owner) is caught too."""
    key = (S.ENROLLED.value, S.IN_MEXICO.value)
    edge_copy[key] = dataclasses.replace(edge_copy[key], owner="")
    del edge_copy[(S.COMPLETED_REMOVAL_ORDER.value, S.HANDED_TO_ICE.value)]

    errors = check_every_move_has_an_owner()

    assert [(e.id, e.level) for e in errors] == [("cases.E001", checks.ERROR)] * 2
    assert {e.msg.split(" is in")[0] for e in errors} == {
        "The move enrolled → in_mexico",
        "The move completed_removal_order → handed_to_ice",
    }
    assert all("no workflow makes it" in e.msg for e in errors)
    assert len([m for m in checks.run_checks() if m.id == "cases.E001"]) == 2


# --- a move asked of the wrong workflow ------------------------------------------------------------------


def _maker(edge) -> tuple[str, str]:
    """A role the edge names, and a duty location where a case of that role is visible."""
    role = sorted(edge.roles)[0]
    return role, "cv-bps" if role == Role.BORDER_PATROL_AGENT else "sys-poe"


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), TABLE)
def test_a_move_asked_of_any_workflow_but_its_owner_is_refused_workflow_owned_naming_where(source, target):
    """A3, N1, H1, H4, H5, S4: the role that makes the move, through another workflow, is refused; nothing
    is written."""
    edge = edge_for(source, target)
    role, at = _maker(edge)
    case = CaseFactory(status=source, encounter=EncounterFactory(location=location(at)))
    other = sorted(OWNERS - {edge.owner})[0]

    with pytest.raises(NotPermitted) as refused:
        case_move(case_id=case.pk, to_status=target, actor=user_with_role(role), reason="try", workflow=other)

    assert (refused.value.code, refused.value.field, refused.value.http_status) == (
        "workflow_owned",
        "to_status",
        403,
    )
    assert edge.where in refused.value.message
    case.refresh_from_db()
    assert case.status == source
    assert not CaseEvent.objects.filter(case=case).exists()
    assert not OutboxEvent.objects.filter(event="case.status_changed", case_id=case.pk).exists()


@pytest.mark.django_db
def test_case_move_needs_the_workflow_named():
    case = CaseFactory(status=S.ENROLLED)

    with pytest.raises(TypeError):
        case_move(  # type: ignore[call-arg]
            case_id=case.pk, to_status=S.IN_MEXICO, actor=user_with_role(Role.CBP_OFFICER), reason="x"
        )


# --- the form, its page and the API action are gone ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_old_status_change_page_is_not_found_and_changes_nothing(client_for, officer, method):
    case = CaseFactory(status=S.ENROLLED)

    response = getattr(client_for(officer), method)(
        f"/cases/{case.pk}/transition/", {"to_status": "in_mexico", "reason": "Returned"}
    )

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == S.ENROLLED
    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.COURT_STAFF, Role.ICE_OFFICER])
def test_the_transition_api_action_is_gone_404_or_405_and_changes_nothing(role):
    case = CaseFactory(status=S.ENROLLED)
    client = APIClient()
    client.force_login(user_with_role(role))

    response = client.post(
        f"{API}/cases/{case.pk}/transition/", {"to_status": "in_mexico", "reason": "Returned"}, format="json"
    )

    assert response.status_code in (404, 405), response.content
    case.refresh_from_db()
    assert case.status == S.ENROLLED
    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CBP_OFFICER, S.ENROLLED),
        (Role.CBP_SUPERVISOR, S.IN_US_FOR_HEARING),
        (Role.COURT_STAFF, S.IN_MEXICO),
        (Role.ICE_OFFICER, S.COMPLETED_REMOVAL_ORDER),
        (Role.SUPERVISORY_ASYLUM_OFFICER, S.ENROLLED),
    ],
)
def test_the_case_page_has_no_change_status_form(client_for, role, status):
    """Each of these roles once had a move on the generic form from this status; the page now only says
    which workflow makes it."""
    case = CaseFactory(status=status)

    response = client_for(user_with_role(role)).get(reverse("cases:detail", args=[case.pk]))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Change status" not in text
    assert "Record status change" not in text
    assert f"/cases/{case.pk}/transition/" not in text
    assert 'name="to_status"' not in text
    assert 'data-testid="next-moves"' in text
    assert "<li data-move=" in text  # the role's move is listed, with where it is made
