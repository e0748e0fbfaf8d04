"""The registry REST API (/api/v1/): who may call what, what it writes, what it refuses and how it reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Alien, Case, CaseStatus, Encounter, FamilyMember, FamilyUnit
from mpp.accounts.models import Location
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from tests.factories import (
    AlienFactory,
    CaseFactory,
    EncounterFactory,
    FamilyMemberFactory,
    FamilyUnitFactory,
    UserFactory,
    family_with_cases,
    location,
    user_with_role,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
S = CaseStatus


@pytest.fixture
def api_for() -> Callable[[Any], APIClient]:
    """api_for(user) → an API client signed in (session) as that user; api_for(None) → anonymous."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


def _home(user: Any) -> str:
    """The location a test user works at (user_with_role's defaults; national roles: San Ysidro)."""
    return "cv-bps" if user.has_role(Role.BORDER_PATROL_AGENT) else "sys-poe"


def _component(code: str) -> str:
    kind = location(code).kind
    return Encounter.Component.OFO if kind == Location.Kind.PORT_OF_ENTRY else Encounter.Component.USBP


def _case_at(code: str = "sys-poe", **kwargs: Any) -> Case:
    return CaseFactory(encounter__location=location(code), encounter__component=_component(code), **kwargs)


def _alien_payload(**overrides: Any) -> dict[str, Any]:
    payload = {
        "a_number": "123-456-789",
        "family_name": "Hernández López",
        "given_names": "María José",
        "date_of_birth": "1991-02-03",
        "sex": "F",
        "country_of_citizenship": "HN",
        "preferred_language": "es",
    }
    payload.update(overrides)
    return payload


def _an_hour_ago() -> str:
    return (timezone.now() - dt.timedelta(hours=1)).isoformat()


def _results(response: Any) -> list[dict[str, Any]]:
    return response.json()["results"]


# --- the role matrix ------------------------------------------------------------------------------------

CBP_FIELD = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR})
REGISTRY_READERS = CBP_FIELD | {
    Role.COURT_STAFF,
    Role.ASYLUM_OFFICER,
    Role.SUPERVISORY_ASYLUM_OFFICER,
    Role.ICE_OFFICER,
    Role.ADMINISTRATOR,
}
PERSON_AND_CASE_READERS = REGISTRY_READERS | {Role.PRINT_STAFF}
TRANSITION_ASKERS = CBP_FIELD | {Role.SUPERVISORY_ASYLUM_OFFICER, Role.COURT_STAFF, Role.ICE_OFFICER}

ROLE_MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("aliens", "list"): PERSON_AND_CASE_READERS,
    ("aliens", "retrieve"): PERSON_AND_CASE_READERS,
    ("aliens", "create"): CBP_FIELD,
    ("family-units", "list"): REGISTRY_READERS,
    ("family-units", "retrieve"): REGISTRY_READERS,
    ("family-units", "create"): CBP_FIELD,
    ("encounters", "list"): REGISTRY_READERS,
    ("encounters", "retrieve"): REGISTRY_READERS,
    ("encounters", "create"): CBP_FIELD,
    ("cases", "list"): PERSON_AND_CASE_READERS,
    ("cases", "retrieve"): PERSON_AND_CASE_READERS,
    ("cases", "create"): CBP_FIELD,
    ("cases", "transition"): TRANSITION_ASKERS,
    ("cases", "timeline"): REGISTRY_READERS,
    ("cases", "allowed-transitions"): REGISTRY_READERS,
}

# A move each role that may ask for transitions owns (cases.permissions.TRANSITION_ROLES), from a status the
# table allows it from; other roles ask for the officer's move and must be refused before the service. None
# is a move the amenability workflow owns (cases.permissions.WORKFLOW_OWNED): the generic path refuses those.
OFFICERS_MOVE = (S.ENROLLED, S.IN_MEXICO)  # N1: returned to Mexico with a tear sheet
MOVE_OWNED_BY = {
    Role.CBP_OFFICER: OFFICERS_MOVE,
    Role.BORDER_PATROL_AGENT: OFFICERS_MOVE,
    Role.CBP_SUPERVISOR: (S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP),
    Role.SUPERVISORY_ASYLUM_OFFICER: (S.ENROLLED, S.REMOVED_FROM_MPP),
    Role.COURT_STAFF: (S.IN_MEXICO, S.COMPLETED_RELIEF),
    Role.ICE_OFFICER: (S.COMPLETED_REMOVAL_ORDER, S.HANDED_TO_ICE),
}


def _request_for(user: Any, endpoint: str, action: str) -> tuple[str, str, dict[str, Any] | None, int]:
    """Build rows the user can see at their own location, and the request (method, path, body, success
    status) that performs ``action`` on ``endpoint`` with them."""
    home = _home(user)
    if action == "create":
        if endpoint == "aliens":
            return "post", f"{API}/aliens/", _alien_payload(), 201
        if endpoint == "family-units":
            alien = AlienFactory(created_by=user)
            return (
                "post",
                f"{API}/family-units/",
                {"members": [{"alien": alien.pk, "relationship": "head"}]},
                201,
            )
        unit = FamilyUnitFactory(created_by=user)
        if endpoint == "encounters":
            body = {"occurred_at": _an_hour_ago(), "location": home, "family_unit": unit.pk}
            return "post", f"{API}/encounters/", body, 201
        alien = AlienFactory(created_by=user)
        FamilyMemberFactory(family_unit=unit, alien=alien)
        encounter = EncounterFactory(family_unit=unit, location=location(home), component=_component(home))
        return "post", f"{API}/cases/", {"encounter": encounter.pk, "alien": alien.pk}, 201
    if action == "transition":
        role = next(iter(user.role_names))
        current, target = MOVE_OWNED_BY.get(role, OFFICERS_MOVE)
        case = _case_at(home, status=current)
        return (
            "post",
            f"{API}/cases/{case.pk}/transition/",
            {"to_status": target, "reason": "Matrix test"},
            200,
        )
    case = _case_at(home)
    if action == "list":
        return "get", f"{API}/{endpoint}/", None, 200
    pk = {
        "aliens": case.alien_id,
        "family-units": case.encounter.family_unit_id,
        "encounters": case.encounter_id,
        "cases": case.pk,
    }[endpoint]
    suffix = "" if action == "retrieve" else f"{action}/"
    return "get", f"{API}/{endpoint}/{pk}/{suffix}", None, 200


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("endpoint", "action"), list(ROLE_MATRIX))
def test_each_endpoint_admits_exactly_the_roles_of_the_matrix(api_for, role, endpoint, action):
    user = user_with_role(role)
    method, path, body, success = _request_for(user, endpoint, action)

    response = getattr(api_for(user), method)(path, body, format="json")

    expected = success if role in ROLE_MATRIX[(endpoint, action)] else 403
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("endpoint", "action"), list(ROLE_MATRIX))
def test_anonymous_callers_are_refused_everywhere(api_for, officer, endpoint, action):
    method, path, body, _ = _request_for(officer, endpoint, action)

    response = getattr(api_for(None), method)(path, body, format="json")

    assert response.status_code in (401, 403)
    assert not Case.objects.filter(status=OFFICERS_MOVE[1]).exists()


def test_a_superuser_without_a_role_is_refused(api_for):
    admin = UserFactory(is_superuser=True, is_staff=True)

    response = api_for(admin).get(f"{API}/cases/")

    assert response.status_code == 403


def test_a_refused_create_writes_nothing(api_for):
    clerk = user_with_role(Role.COURT_STAFF)

    response = api_for(clerk).post(f"{API}/aliens/", _alien_payload(), format="json")

    assert response.status_code == 403
    assert not Alien.objects.exists()


# --- authentication ------------------------------------------------------------------------------------


def test_token_authentication_admits_the_token_holder(officer):
    case = _case_at("sys-poe")
    token = Token.objects.create(user=officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get(f"{API}/cases/{case.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == case.pk


def test_an_unknown_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = client.get(f"{API}/cases/")

    assert response.status_code in (401, 403)


def test_a_deactivated_users_token_is_refused(officer):
    token = Token.objects.create(user=officer)
    officer.is_active = False
    officer.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get(f"{API}/cases/")

    assert response.status_code in (401, 403)


# --- aliens --------------------------------------------------------------------------------------------


def test_alien_create_stores_and_returns_the_normalised_a_number_n2(api_for, officer):
    response = api_for(officer).post(f"{API}/aliens/", _alien_payload(a_number="123-456-789"), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["a_number"] == "A123456789"
    assert body["country_of_citizenship"] == "HN"
    assert body["preferred_language"] == "es"
    alien = Alien.objects.get(pk=body["id"])
    assert alien.a_number == "A123456789"
    assert alien.created_by == officer
    assert alien.history.get().history_user == officer


def test_alien_create_takes_an_eight_digit_number_and_a_lower_case_country(api_for, officer):
    payload = _alien_payload(a_number="a 1234-5678", country_of_citizenship="gt")

    response = api_for(officer).post(f"{API}/aliens/", payload, format="json")

    assert response.status_code == 201
    assert response.json()["a_number"] == "A012345678"
    assert response.json()["country_of_citizenship"] == "GT"


def test_alien_create_without_an_a_number_leaves_it_empty(api_for, officer):
    response = api_for(officer).post(f"{API}/aliens/", _alien_payload(a_number=None), format="json")

    assert response.status_code == 201
    assert response.json()["a_number"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"a_number": "B12"}, "a_number"),
        ({"a_number": "A12345"}, "a_number"),
        ({"date_of_birth": (timezone.now().date() + dt.timedelta(days=2)).isoformat()}, "date_of_birth"),
        ({"date_of_birth": "not-a-date"}, "date_of_birth"),
        ({"country_of_citizenship": "ZZ"}, "country_of_citizenship"),
        ({"country_of_citizenship": "Honduras"}, "country_of_citizenship"),
        ({"preferred_language": "xx-unknown"}, "preferred_language"),
        ({"sex": "Q"}, "sex"),
        ({"family_name": ""}, "family_name"),
    ],
)
def test_alien_create_refuses_bad_input_naming_the_field_and_saves_nothing(
    api_for, officer, overrides, field
):
    response = api_for(officer).post(f"{API}/aliens/", _alien_payload(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Alien.objects.exists()


def test_alien_create_refuses_a_registered_a_number_in_another_spelling(api_for, officer):
    AlienFactory(a_number="A123456789")

    response = api_for(officer).post(f"{API}/aliens/", _alien_payload(a_number="123 456 789"), format="json")

    assert response.status_code == 400
    body = response.json()
    assert "a_number" in body
    assert body["code"] == "a_number_exists"
    assert body["rule"] == "N2"
    assert Alien.objects.count() == 1


def test_alien_retrieve_is_recorded_in_the_access_log(api_for, officer):
    alien = _case_at("sys-poe").alien

    response = api_for(officer).get(f"{API}/aliens/{alien.pk}/")

    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.channel, log.object_type, log.object_id) == (officer, "api", "alien", str(alien.pk))
    assert log.path == f"{API}/aliens/{alien.pk}/"


def test_aliens_outside_the_officers_locations_are_hidden(api_for, officer):
    elsewhere = _case_at("elp-poe").alien
    here = _case_at("sys-poe").alien

    listed = api_for(officer).get(f"{API}/aliens/")
    retrieved = api_for(officer).get(f"{API}/aliens/{elsewhere.pk}/")

    assert [row["id"] for row in _results(listed)] == [here.pk]
    assert retrieved.status_code == 404


def test_aliens_filter_by_a_number_in_any_spelling_name_part_and_country(api_for, court_clerk):
    wanted = AlienFactory(a_number="A123456789", family_name="Hernández", country_of_citizenship="GT")
    AlienFactory(a_number="A987654321", family_name="Ortiz", country_of_citizenship="HN")
    client = api_for(court_clerk)

    by_number = client.get(f"{API}/aliens/", {"a_number": "123-456-789"})
    by_name = client.get(f"{API}/aliens/", {"family_name": "ernán"})
    by_country = client.get(f"{API}/aliens/", {"country_of_citizenship": "gt"})
    bad_number = client.get(f"{API}/aliens/", {"a_number": "B12"})

    assert [row["id"] for row in _results(by_number)] == [wanted.pk]
    assert [row["id"] for row in _results(by_name)] == [wanted.pk]
    assert [row["id"] for row in _results(by_country)] == [wanted.pk]
    assert bad_number.status_code == 400
    assert "a_number" in bad_number.json()


# --- family units --------------------------------------------------------------------------------------


def test_family_unit_create_records_the_members(api_for, officer):
    head, child = AlienFactory(created_by=officer), AlienFactory(created_by=officer)
    body = {
        "members": [{"alien": head.pk, "relationship": "head"}, {"alien": child.pk, "relationship": "child"}]
    }

    response = api_for(officer).post(f"{API}/family-units/", body, format="json")

    assert response.status_code == 201
    unit = FamilyUnit.objects.get(pk=response.json()["id"])
    assert response.json()["members"] == [
        {"alien": head.pk, "relationship": "head"},
        {"alien": child.pk, "relationship": "child"},
    ]
    assert set(unit.members.values_list("alien_id", "relationship")) == {
        (head.pk, "head"),
        (child.pk, "child"),
    }
    assert unit.history.get().history_user == officer


def test_family_unit_create_refuses_a_person_the_officer_cannot_see(api_for, officer):
    elsewhere = _case_at("elp-poe").alien
    units_before = FamilyUnit.objects.count()

    response = api_for(officer).post(
        f"{API}/family-units/", {"members": [{"alien": elsewhere.pk, "relationship": "head"}]}, format="json"
    )

    assert response.status_code == 400
    assert "members" in response.json()
    assert FamilyUnit.objects.count() == units_before


def test_family_unit_create_needs_exactly_one_head_and_saves_nothing_otherwise(api_for, officer):
    first, second = AlienFactory(created_by=officer), AlienFactory(created_by=officer)
    body = {
        "members": [{"alien": first.pk, "relationship": "head"}, {"alien": second.pk, "relationship": "head"}]
    }

    response = api_for(officer).post(f"{API}/family-units/", body, format="json")

    assert response.status_code == 400
    assert "members" in response.json()
    assert not FamilyUnit.objects.exists()
    assert not FamilyMember.objects.exists()


def test_family_unit_create_refuses_an_empty_family(api_for, officer):
    response = api_for(officer).post(f"{API}/family-units/", {"members": []}, format="json")

    assert response.status_code == 400
    assert "members" in response.json()


# --- encounters ----------------------------------------------------------------------------------------


def test_encounter_create_derives_the_component_from_the_location_a1(api_for, officer):
    unit = FamilyUnitFactory(created_by=officer)
    body = {"occurred_at": "2026-01-05T09:30:00-08:00", "location": "sys-poe", "family_unit": unit.pk}

    response = api_for(officer).post(f"{API}/encounters/", body, format="json")

    assert response.status_code == 201
    assert response.json()["component"] == "OFO"
    assert response.json()["location"] == "sys-poe"
    encounter = Encounter.objects.get(pk=response.json()["id"])
    assert encounter.occurred_at == dt.datetime(2026, 1, 5, 17, 30, tzinfo=dt.UTC)
    assert encounter.created_by == officer


def test_encounter_create_refuses_a_component_that_contradicts_the_location(api_for, officer):
    unit = FamilyUnitFactory(created_by=officer)
    body = {"occurred_at": _an_hour_ago(), "location": "sys-poe", "component": "USBP", "family_unit": unit.pk}

    response = api_for(officer).post(f"{API}/encounters/", body, format="json")

    assert response.status_code == 400
    assert response.json()["rule"] == "A1"
    assert "component" in response.json()
    assert not Encounter.objects.exists()


def test_encounter_create_refuses_a_time_without_offset(api_for, officer):
    unit = FamilyUnitFactory(created_by=officer)
    body = {"occurred_at": "2026-01-05T09:30:00", "location": "sys-poe", "family_unit": unit.pk}

    response = api_for(officer).post(f"{API}/encounters/", body, format="json")

    assert response.status_code == 400
    assert "occurred_at" in response.json()


def test_encounter_create_outside_the_officers_duty_locations_is_forbidden(api_for, officer):
    unit = FamilyUnitFactory(created_by=officer)
    body = {"occurred_at": _an_hour_ago(), "location": "elp-poe", "family_unit": unit.pk}

    response = api_for(officer).post(f"{API}/encounters/", body, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"
    assert not Encounter.objects.exists()


def test_encounters_filter_by_location_component_and_time(api_for, court_clerk):
    now = timezone.now()
    old_port = EncounterFactory(location=location("sys-poe"), occurred_at=now - dt.timedelta(days=10))
    new_port = EncounterFactory(location=location("sys-poe"), occurred_at=now - dt.timedelta(days=1))
    station = EncounterFactory(
        location=location("cv-bps"), component="USBP", occurred_at=now - dt.timedelta(days=1)
    )
    client = api_for(court_clerk)

    by_location = client.get(f"{API}/encounters/", {"location": "sys-poe"})
    by_component = client.get(f"{API}/encounters/", {"component": "USBP"})
    recent = client.get(f"{API}/encounters/", {"occurred_after": (now - dt.timedelta(days=2)).isoformat()})
    older = client.get(f"{API}/encounters/", {"occurred_before": (now - dt.timedelta(days=2)).isoformat()})

    assert [row["id"] for row in _results(by_location)] == [new_port.pk, old_port.pk]
    assert [row["id"] for row in _results(by_component)] == [station.pk]
    assert {row["id"] for row in _results(recent)} == {new_port.pk, station.pk}
    assert [row["id"] for row in _results(older)] == [old_port.pk]


# --- cases ---------------------------------------------------------------------------------------------


def test_case_create_opens_the_case_in_screening(api_for, officer):
    alien = AlienFactory(created_by=officer, a_number="A111222333")
    unit = FamilyUnitFactory(created_by=officer)
    FamilyMemberFactory(family_unit=unit, alien=alien)
    encounter = EncounterFactory(family_unit=unit)

    response = api_for(officer).post(
        f"{API}/cases/", {"encounter": encounter.pk, "alien": alien.pk}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "screening"
    assert body["status_label"] == S.SCREENING.label
    assert body["location"] == "sys-poe"
    assert body["alien_detail"] == {
        "id": alien.pk,
        "a_number": "A111222333",
        "family_name": alien.family_name,
        "given_names": alien.given_names,
    }
    assert Case.objects.get(pk=body["id"]).created_by == officer


def test_case_create_refuses_a_person_outside_the_encounters_family(api_for, officer):
    stranger = AlienFactory(created_by=officer)
    encounter = EncounterFactory(family_unit=FamilyUnitFactory(created_by=officer))

    response = api_for(officer).post(
        f"{API}/cases/", {"encounter": encounter.pk, "alien": stranger.pk}, format="json"
    )

    assert response.status_code == 400
    assert "alien" in response.json()
    assert not Case.objects.exists()


def test_case_create_ignores_a_status_in_the_body(api_for, officer):
    alien = AlienFactory(created_by=officer)
    unit = FamilyUnitFactory(created_by=officer)
    FamilyMemberFactory(family_unit=unit, alien=alien)
    encounter = EncounterFactory(family_unit=unit)
    body = {"encounter": encounter.pk, "alien": alien.pk, "status": "enrolled"}

    response = api_for(officer).post(f"{API}/cases/", body, format="json")

    assert response.status_code == 201
    assert Case.objects.get().status == S.SCREENING


def test_the_whole_intake_through_the_api_ends_in_a_recorded_transition(api_for, officer):
    client = api_for(officer)

    alien = client.post(f"{API}/aliens/", _alien_payload(), format="json").json()
    unit = client.post(
        f"{API}/family-units/", {"members": [{"alien": alien["id"], "relationship": "head"}]}, format="json"
    ).json()
    encounter = client.post(
        f"{API}/encounters/",
        {"occurred_at": _an_hour_ago(), "location": "sys-poe", "family_unit": unit["id"]},
        format="json",
    ).json()
    case = client.post(
        f"{API}/cases/", {"encounter": encounter["id"], "alien": alien["id"]}, format="json"
    ).json()
    moved = client.post(
        f"{API}/cases/{case['id']}/transition/",
        {"to_status": "fear_claim_pending", "reason": "Fear of return stated; referred to USCIS (S1)"},
        format="json",
    )

    assert moved.status_code == 200
    assert moved.json()["status"] == "fear_claim_pending"
    assert moved.json()["status_label"] == S.FEAR_CLAIM_PENDING.label
    row = Case.objects.get(pk=case["id"]).history.latest("history_date")
    assert (row.status, row.history_user, row.history_change_reason) == (
        "fear_claim_pending",
        officer,
        "Fear of return stated; referred to USCIS (S1)",
    )
    timeline = client.get(f"{API}/cases/{case['id']}/timeline/").json()
    assert [(e["kind"], e["from_status"], e["to_status"]) for e in timeline] == [
        ("opened", None, "screening"),
        ("status", "screening", "fear_claim_pending"),
    ]
    assert timeline[-1]["reason"] == "Fear of return stated; referred to USCIS (S1)"
    assert timeline[-1]["actor"] == officer.display_name


def test_repeating_a_transition_that_already_happened_changes_nothing(api_for, officer):
    case = _case_at("sys-poe", status=S.FEAR_CLAIM_PENDING)
    history_before = case.history.count()

    response = api_for(officer).post(
        f"{API}/cases/{case.pk}/transition/",
        {"to_status": "fear_claim_pending", "reason": "Double submit"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "fear_claim_pending"
    assert case.history.count() == history_before


def test_an_illegal_transition_is_a_conflict_naming_both_states(api_for, officer):
    case = _case_at("sys-poe")

    response = api_for(officer).post(
        f"{API}/cases/{case.pk}/transition/", {"to_status": "enrolled", "reason": "Skip ahead"}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "illegal_transition"
    assert "(screening)" in body["detail"]
    assert "(enrolled)" in body["detail"]
    case.refresh_from_db()
    assert case.status == S.SCREENING


def test_a_role_that_does_not_own_the_target_status_is_forbidden(api_for, court_clerk):
    case = _case_at("sys-poe")

    response = api_for(court_clerk).post(
        f"{API}/cases/{case.pk}/transition/",
        {"to_status": "fear_claim_pending", "reason": "Not mine"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"
    case.refresh_from_db()
    assert case.status == S.SCREENING


def test_a_transition_to_amenable_is_workflow_owned_even_for_the_supervisor(api_for, supervisor):
    """A3: the supervisor decides amenability in the review workflow, never through a status change."""
    case = _case_at("sys-poe", status=S.AWAITING_REVIEW)
    history_before = case.history.count()

    response = api_for(supervisor).post(
        f"{API}/cases/{case.pk}/transition/",
        {"to_status": "amenable", "reason": "Looks amenable"},
        format="json",
    )

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "workflow_owned"
    assert body["field"] == "to_status"
    case.refresh_from_db()
    assert case.status == S.AWAITING_REVIEW
    assert case.history.count() == history_before


def test_a_pending_fear_claim_blocks_the_familys_return_to_mexico_f4(api_for, officer):
    (returning,) = family_with_cases(size=1, status=S.IN_US_FOR_HEARING)
    CaseFactory(
        encounter=returning.encounter, status=S.FEAR_CLAIM_PENDING, membership=FamilyMember.Relationship.CHILD
    )

    response = api_for(officer).post(
        f"{API}/cases/{returning.pk}/transition/",
        {"to_status": "in_mexico", "reason": "Hearing over"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "family_fear_pending"
    assert response.json()["rule"] == "F4"
    returning.refresh_from_db()
    assert returning.status == S.IN_US_FOR_HEARING


@pytest.mark.parametrize(
    "body", [{"to_status": "fear_claim_pending"}, {"to_status": "fear_claim_pending", "reason": "  "}]
)
def test_a_transition_without_a_reason_is_refused_naming_reason(api_for, officer, body):
    case = _case_at("sys-poe")

    response = api_for(officer).post(f"{API}/cases/{case.pk}/transition/", body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()
    case.refresh_from_db()
    assert case.status == S.SCREENING


def test_a_transition_to_an_unknown_status_is_refused_naming_to_status(api_for, officer):
    case = _case_at("sys-poe")

    response = api_for(officer).post(
        f"{API}/cases/{case.pk}/transition/", {"to_status": "deported", "reason": "x"}, format="json"
    )

    assert response.status_code == 400
    assert "to_status" in response.json()


def test_cases_at_other_locations_are_invisible_to_an_officer(api_for, officer):
    elsewhere = _case_at("elp-poe")
    here = _case_at("sys-poe")
    client = api_for(officer)

    listed = client.get(f"{API}/cases/")
    retrieved = client.get(f"{API}/cases/{elsewhere.pk}/")
    moved = client.post(
        f"{API}/cases/{elsewhere.pk}/transition/",
        {"to_status": "fear_claim_pending", "reason": "x"},
        format="json",
    )
    timeline = client.get(f"{API}/cases/{elsewhere.pk}/timeline/")

    assert [row["id"] for row in _results(listed)] == [here.pk]
    assert (retrieved.status_code, moved.status_code, timeline.status_code) == (404, 404, 404)
    elsewhere.refresh_from_db()
    assert elsewhere.status == S.SCREENING


def test_case_retrieve_is_recorded_in_the_access_log(api_for, officer):
    case = _case_at("sys-poe")

    response = api_for(officer).get(f"{API}/cases/{case.pk}/")

    assert response.status_code == 200
    assert response.json()["alien_detail"]["a_number"] == case.alien.a_number
    log = AccessLog.objects.get()
    assert (log.user, log.channel, log.object_type, log.object_id) == (officer, "api", "case", str(case.pk))
    assert log.path == f"{API}/cases/{case.pk}/"


def test_reading_a_case_timeline_is_recorded_in_the_access_log(api_for, court_clerk):
    case = _case_at("elp-poe")

    response = api_for(court_clerk).get(f"{API}/cases/{case.pk}/timeline/")

    assert response.status_code == 200
    assert [entry["kind"] for entry in response.json()] == ["opened"]
    log = AccessLog.objects.get()
    assert (log.user, log.object_type, log.object_id) == (court_clerk, "case", str(case.pk))


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_cases_cannot_be_edited_or_deleted_through_the_api(api_for, supervisor, method):
    case = _case_at("sys-poe")

    response = getattr(api_for(supervisor), method)(
        f"{API}/cases/{case.pk}/", {"status": "enrolled"}, format="json"
    )

    assert response.status_code in (403, 405)
    case.refresh_from_db()
    assert case.status == S.SCREENING


def test_an_unknown_case_is_not_found(api_for, officer):
    response = api_for(officer).get(f"{API}/cases/999999/")

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_allowed_transitions_are_the_table_intersected_with_the_users_roles(
    api_for, officer, supervisor, court_clerk
):
    case = _case_at("sys-poe")

    def allowed(user: Any) -> list[str]:
        response = api_for(user).get(f"{API}/cases/{case.pk}/allowed-transitions/")
        assert response.status_code == 200
        return [entry["status"] for entry in response.json()["allowed"]]

    assert allowed(officer) == ["fear_claim_pending"]  # sending it for review is the screening workflow's
    assert allowed(supervisor) == ["fear_claim_pending"]
    assert allowed(court_clerk) == []
    case.status = S.ENROLLED
    case.save(update_fields=["status"])
    assert allowed(officer) == ["in_mexico", "fear_claim_pending"]
    assert allowed(supervisor) == ["in_mexico", "fear_claim_pending", "removed_from_mpp"]
    assert allowed(court_clerk) == []


def test_allowed_transitions_never_list_the_moves_the_amenability_workflow_owns(api_for, officer, supervisor):
    """awaiting_review → amenable / not_amenable / screening are in the table, but only the supervisor's
    review (screenings.services.amenability_decide) makes them."""
    case = _case_at("sys-poe", status=S.AWAITING_REVIEW)

    for user in (officer, supervisor):
        response = api_for(user).get(f"{API}/cases/{case.pk}/allowed-transitions/")
        assert [entry["status"] for entry in response.json()["allowed"]] == ["fear_claim_pending"]


def test_cases_filter_by_status_location_a_number_and_encounter(api_for, court_clerk):
    screening = _case_at("sys-poe", alien__a_number="A123456789")
    enrolled = _case_at("elp-poe", status=S.ENROLLED)
    client = api_for(court_clerk)

    def ids(**params: Any) -> list[int]:
        response = client.get(f"{API}/cases/", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in _results(response)]

    assert ids(status="enrolled") == [enrolled.pk]
    assert ids(location="sys-poe") == [screening.pk]
    assert ids(a_number="123-456-789") == [screening.pk]
    assert ids(a_number="a12345678") == []
    assert ids(encounter=enrolled.encounter_id) == [enrolled.pk]
    assert ids() == [enrolled.pk, screening.pk]


def test_case_list_pages_with_a_cursor_newest_first_without_repeats(api_for, court_clerk):
    cases = [_case_at("sys-poe") for _ in range(5)]
    client = api_for(court_clerk)

    first = client.get(f"{API}/cases/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert seen == [case.pk for case in reversed(cases)]
    assert third["next"] is None


# --- reads do not grow with rows (STYLE rule 8) ---------------------------------------------------------


def _families(count: int) -> None:
    for _ in range(count):
        family_with_cases(size=2, location_code="sys-poe")


@pytest.mark.parametrize(
    ("endpoint", "rows_per_family"),
    [("aliens", 2), ("family-units", 1), ("encounters", 1), ("cases", 2)],
)
def test_list_queries_do_not_grow_with_rows(api_for, officer, endpoint, rows_per_family):
    client = api_for(officer)
    client.get(f"{API}/{endpoint}/")  # the first request of a session warms caches (content types …)

    _families(2)
    with CaptureQueriesContext(connection) as few:
        few_rows = _results(client.get(f"{API}/{endpoint}/"))
    _families(8)
    with CaptureQueriesContext(connection) as many:
        many_rows = _results(client.get(f"{API}/{endpoint}/"))

    assert len(few_rows) == 2 * rows_per_family
    assert len(many_rows) == 10 * rows_per_family
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 8
