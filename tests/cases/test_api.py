"""The registry REST API (/api/v1/): who may call what, what it writes, what it refuses and how it reads."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Alien, Case, CaseEvent, CaseStatus, Encounter, FamilyMember, FamilyUnit, Hold
from cases.services import case_move
from hearings.workflow import HEARING_DAY
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from mpp.accounts.services import api_token_create
from mpp.audit.models import AccessLog
from screenings.models import FearClaim
from tests.api_contract import refusal
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
from tests.screenings.factories import asylum_officer_for, concur, fear_claim_for

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


FEAR_ACCOUNT = "Said the cartel that extorted her family in Reynosa will find her; referred to USCIS"


def _fear_claim(case: Case, *, by: User | None = None, reason: str = FEAR_ACCOUNT) -> Hold:
    """An open S1 fear-claim hold written directly at the case's location (what blocks moves while a claim
    is pending), for the reads and refusals; ``fear_claim_for`` (``fear_claim_record``) is used where the
    claim and its recorded events matter to the test."""
    return Hold.objects.create(
        case=case,
        kind="fear_claim",
        rule="S1",
        reason=reason,
        location=case.location,
        opened_by=by or user_with_role(Role.CBP_OFFICER, locations=[case.location.code]),
    )


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
# The generic hold endpoints admit the roles the registered kinds name (the fear claim's: S1 recorders; S3
# the supervisory asylum officer), and the service then refuses the kind as ``workflow_owned``: a fear claim
# is recorded at /fear-claims/ and released by the concurrence (screenings.fear_assessment). Nobody opens or
# releases one here; the roles the endpoint admits are told where it is done instead of "not permitted".
FEAR_CLAIM_RECORDERS = CBP_FIELD | {Role.COURT_STAFF}
FEAR_CLAIM_RELEASERS = frozenset({Role.SUPERVISORY_ASYLUM_OFFICER})
WORKFLOW_OWNED_ACTIONS = {("cases", "holds/open"), ("cases", "hold-release")}

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
    ("cases", "search"): PERSON_AND_CASE_READERS,
    ("cases", "retrieve"): PERSON_AND_CASE_READERS,
    ("cases", "create"): CBP_FIELD,
    ("cases", "timeline"): REGISTRY_READERS,
    ("cases", "allowed-transitions"): REGISTRY_READERS,
    ("cases", "holds"): REGISTRY_READERS,
    ("cases", "holds/open"): FEAR_CLAIM_RECORDERS,
    ("cases", "hold-release"): FEAR_CLAIM_RELEASERS,
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
    if action == "holds/open":
        case = _case_at(home, status=S.ENROLLED)
        body = {"kind": "fear_claim", "reason": "Matrix test: fear of return stated"}
        return "post", f"{API}/cases/{case.pk}/holds/open/", body, 201
    if action == "hold-release":
        hold = _fear_claim(_case_at(home, status=S.ENROLLED))
        body = {"outcome": "negative", "reason": "Matrix test: negative, concurred"}
        return "post", f"{API}/cases/{hold.case_id}/holds/{hold.pk}/release/", body, 200
    case = _case_at(home)
    if action == "list":
        return "get", f"{API}/{endpoint}/", None, 200
    if action == "search":
        return "get", f"{API}/{endpoint}/search/?q={case.alien.family_name}", None, 200
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

    admitted = role in ROLE_MATRIX[(endpoint, action)]
    if (endpoint, action) in WORKFLOW_OWNED_ACTIONS:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == ("workflow_owned" if admitted else "not_permitted")
        return
    expected = success if admitted else 403
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("endpoint", "action"), list(ROLE_MATRIX))
def test_anonymous_callers_are_refused_everywhere(api_for, officer, endpoint, action):
    method, path, body, _ = _request_for(officer, endpoint, action)

    response = getattr(api_for(None), method)(path, body, format="json")

    assert response.status_code in (401, 403)
    assert not Hold.objects.filter(released_at__isnull=False).exists()
    assert not Hold.objects.exclude(reason=FEAR_ACCOUNT).exists()  # nothing opened by the request


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
    _, secret = api_token_create(user=officer, name="integration")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = client.get(f"{API}/cases/{case.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == case.pk


def test_an_unknown_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = client.get(f"{API}/cases/")

    assert response.status_code in (401, 403)


def test_a_deactivated_users_token_is_refused(officer):
    _, secret = api_token_create(user=officer, name="integration")
    officer.is_active = False
    officer.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

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

    assert refusal(response)["field"] == field
    assert not Alien.objects.exists()


def test_alien_create_refuses_a_registered_a_number_in_another_spelling(api_for, officer):
    AlienFactory(a_number="A123456789")

    response = api_for(officer).post(f"{API}/aliens/", _alien_payload(a_number="123 456 789"), format="json")

    body = refusal(response)
    assert (body["field"], body["code"], body["rule"]) == ("a_number", "a_number_exists", "N2")
    assert body["detail"] == "A123456789 is already registered; link the existing person instead."
    assert Alien.objects.count() == 1


def test_alien_retrieve_is_recorded_in_the_access_log(api_for, officer):
    alien = _case_at("sys-poe").alien

    response = api_for(officer).get(f"{API}/aliens/{alien.pk}/")

    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.channel, log.object_type, log.object_ids) == (
        officer,
        "api",
        "alien",
        [str(alien.pk)],
    )
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
    by_name_unaccented = client.get(f"{API}/aliens/", {"family_name": "HERNAN"})
    by_wildcard = client.get(f"{API}/aliens/", {"family_name": "%"})  # a literal %, not a wildcard
    by_country = client.get(f"{API}/aliens/", {"country_of_citizenship": "gt"})
    bad_number = client.get(f"{API}/aliens/", {"a_number": "B12"})

    assert [row["id"] for row in _results(by_number)] == [wanted.pk]
    assert [row["id"] for row in _results(by_name)] == [wanted.pk]
    assert [row["id"] for row in _results(by_name_unaccented)] == [wanted.pk]
    assert _results(by_wildcard) == []
    assert [row["id"] for row in _results(by_country)] == [wanted.pk]
    assert (refusal(bad_number)["field"], refusal(bad_number)["code"]) == ("a_number", "a_number_invalid")


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

    body = refusal(response)
    assert (body["field"], body["code"]) == ("members.0.alien", "does_not_exist")  # as if it did not exist
    assert FamilyUnit.objects.count() == units_before


def test_family_unit_create_needs_exactly_one_head_and_saves_nothing_otherwise(api_for, officer):
    first, second = AlienFactory(created_by=officer), AlienFactory(created_by=officer)
    body = {
        "members": [{"alien": first.pk, "relationship": "head"}, {"alien": second.pk, "relationship": "head"}]
    }

    response = api_for(officer).post(f"{API}/family-units/", body, format="json")

    assert refusal(response)["field"] == "members"
    assert not FamilyUnit.objects.exists()
    assert not FamilyMember.objects.exists()


def test_family_unit_create_refuses_an_empty_family(api_for, officer):
    response = api_for(officer).post(f"{API}/family-units/", {"members": []}, format="json")

    assert (refusal(response)["field"], refusal(response)["code"]) == ("members", "empty")


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

    body = refusal(response)
    assert (body["field"], body["rule"]) == ("component", "A1")
    assert not Encounter.objects.exists()


def test_encounter_create_refuses_a_time_without_offset(api_for, officer):
    unit = FamilyUnitFactory(created_by=officer)
    body = {"occurred_at": "2026-01-05T09:30:00", "location": "sys-poe", "family_unit": unit.pk}

    response = api_for(officer).post(f"{API}/encounters/", body, format="json")

    assert (refusal(response)["field"], refusal(response)["code"]) == ("occurred_at", "naive")


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

    assert refusal(response)["field"] == "alien"
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


def test_s1_the_whole_intake_through_the_api_ends_in_a_recorded_fear_claim(api_for, officer):
    """S1: a fear of return stated at intake is recorded as a fear claim (``/fear-claims/``), which opens
    the fear-claim hold; the case stays in screening."""
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
    recorded = client.post(
        f"{API}/fear-claims/",
        {
            "case": case["id"],
            "stated_by": "self",
            "location": "sys-poe",
            "setting": "encounter",
            "language": "es",
            "statement": FEAR_ACCOUNT,
        },
        format="json",
    )

    assert recorded.status_code == 201, recorded.content
    claim = FearClaim.objects.get(case_id=case["id"])
    held = client.get(f"{API}/cases/{case['id']}/holds/").json()
    assert [(h["id"], h["case"], h["kind"], h["rule"], h["is_open"]) for h in held] == [
        (claim.hold_id, case["id"], "fear_claim", "S1", True)
    ]
    assert (held[0]["location"], held[0]["opened_by"]) == ("sys-poe", officer.display_name)
    assert held[0]["reason"] is None  # a CBP officer records the claim but may not read fear reasons back
    assert (claim.hold.opened_by, claim.recorded_by, claim.statement) == (officer, officer, FEAR_ACCOUNT)
    assert Case.objects.get(pk=case["id"]).status == S.SCREENING
    timeline = client.get(f"{API}/cases/{case['id']}/timeline/").json()["results"]
    assert [(e["type"], e["from_status"], e["to_status"]) for e in timeline] == [
        ("case.opened", None, "screening"),
        ("hold.opened", None, None),
        ("fear.claim_recorded", None, None),
    ]
    assert timeline[1]["actor"] == officer.display_name
    assert (timeline[1]["restricted"], timeline[1]["reason"]) == (["fear"], "")
    assert FEAR_ACCOUNT not in str(timeline)


def test_cases_at_other_locations_are_invisible_to_an_officer(api_for, officer):
    elsewhere = _case_at("elp-poe", status=S.ENROLLED)
    held = _fear_claim(elsewhere)
    here = _case_at("sys-poe")
    client = api_for(officer)

    listed = client.get(f"{API}/cases/")
    retrieved = client.get(f"{API}/cases/{elsewhere.pk}/")
    timeline = client.get(f"{API}/cases/{elsewhere.pk}/timeline/")
    holds = client.get(f"{API}/cases/{elsewhere.pk}/holds/")
    opened = client.post(
        f"{API}/cases/{elsewhere.pk}/holds/open/", {"kind": "fear_claim", "reason": "x"}, format="json"
    )
    allowed = client.get(f"{API}/cases/{elsewhere.pk}/allowed-transitions/")

    assert [row["id"] for row in _results(listed)] == [here.pk]
    statuses = [r.status_code for r in (retrieved, timeline, holds, opened, allowed)]
    assert statuses == [404] * 5
    elsewhere.refresh_from_db()
    assert elsewhere.status == S.ENROLLED
    assert list(Hold.objects.all()) == [held]


def test_case_retrieve_is_recorded_in_the_access_log(api_for, officer):
    case = _case_at("sys-poe")

    response = api_for(officer).get(f"{API}/cases/{case.pk}/")

    assert response.status_code == 200
    assert response.json()["alien_detail"]["a_number"] == case.alien.a_number
    log = AccessLog.objects.get()
    assert (log.user, log.channel, log.object_type, log.object_ids) == (
        officer,
        "api",
        "case",
        [str(case.pk)],
    )
    assert log.path == f"{API}/cases/{case.pk}/"


def test_reading_a_case_timeline_is_recorded_in_the_access_log(api_for, court_clerk):
    case = _case_at("elp-poe", status=S.ENROLLED)
    elp_officer = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])
    case_move(
        case_id=case.pk,
        to_status=S.IN_MEXICO,
        actor=elp_officer,
        reason="Returned (N1)",
        workflow=HEARING_DAY,
    )

    response = api_for(court_clerk).get(f"{API}/cases/{case.pk}/timeline/")

    assert response.status_code == 200
    assert [entry["type"] for entry in response.json()["results"]] == ["hearing_day.returned"]
    log = AccessLog.objects.get()
    assert (log.user, log.object_type, log.object_ids) == (court_clerk, "case", [str(case.pk)])


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


def test_allowed_transitions_are_the_moves_of_the_users_roles_with_the_workflow_that_makes_each(
    api_for, officer, supervisor, court_clerk
):
    """Step 8: no generic status change; the endpoint says which workflow makes each next move and where.
    From screening, the officer submits the screening (A3). From enrolled, CBP returns the person to Mexico
    on the hearing day (H1); removal from MPP is the SAO's concurrence (S4), not the CBP supervisor's. From
    in_mexico, the court records the judge's decision (H4)."""
    case = _case_at("sys-poe")
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)

    def allowed(user: Any) -> list[tuple[str, str]]:
        response = api_for(user).get(f"{API}/cases/{case.pk}/allowed-transitions/")
        assert response.status_code == 200
        return [(entry["status"], entry["workflow"]) for entry in response.json()["allowed"]]

    assert allowed(officer) == [("awaiting_review", "screenings.amenability_review")]
    assert (allowed(supervisor), allowed(sao), allowed(court_clerk)) == ([], [], [])
    case.status = S.ENROLLED
    case.save(update_fields=["status"])
    assert allowed(officer) == [("in_mexico", "hearings.hearing_day")]
    assert allowed(supervisor) == [("in_mexico", "hearings.hearing_day")]
    assert allowed(sao) == [("removed_from_mpp", "screenings.fear_assessment")]
    assert allowed(court_clerk) == []
    case.status = S.IN_MEXICO
    case.save(update_fields=["status"])
    assert allowed(court_clerk) == [
        ("completed_relief", "hearings.completion"),
        ("completed_removal_order", "hearings.completion"),
        ("completed_other", "hearings.completion"),
    ]


@pytest.mark.parametrize("current", [S.SCREENING, S.AWAITING_REVIEW])
def test_a3_allowed_transitions_name_the_amenability_review_for_its_moves(
    api_for, officer, supervisor, current
):
    """screening → awaiting_review and awaiting_review → amenable / not_amenable / screening are in the
    table, and only the screening and review workflow (screenings.services) makes them: listed with it."""
    case = _case_at("sys-poe", status=current)

    for user in (officer, supervisor):
        response = api_for(user).get(f"{API}/cases/{case.pk}/allowed-transitions/")
        listed = response.json()["allowed"]
        assert {m["workflow"] for m in listed} <= {"screenings.amenability_review"}
        assert all("A3)" in m["where"] for m in listed)


def test_f4_allowed_transitions_list_a_hold_blocked_move_with_its_refusal(api_for, officer):
    returning, claimant = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    _fear_claim(claimant)
    client = api_for(officer)

    for_returning = client.get(f"{API}/cases/{returning.pk}/allowed-transitions/").json()["allowed"]
    for_claimant = client.get(f"{API}/cases/{claimant.pk}/allowed-transitions/").json()["allowed"]

    assert [(m["status"], m["label"]) for m in for_returning] == [("in_mexico", "In Mexico awaiting hearing")]
    refusal = for_returning[0]["refusal"]
    assert (refusal["code"], refusal["rule"]) == ("family_fear_pending", "F4")
    assert (
        f"{claimant.alien.full_name}, of the same family unit, has a fear claim pending" in refusal["detail"]
    )
    assert [(m["status"], m["refusal"]["code"], m["refusal"]["rule"]) for m in for_claimant] == [
        ("in_mexico", "fear_claim_pending", "S1")
    ]


def test_allowed_transitions_without_a_hold_carry_no_refusal(api_for, officer):
    case = _case_at("sys-poe", status=S.IN_US_FOR_HEARING)

    allowed = api_for(officer).get(f"{API}/cases/{case.pk}/allowed-transitions/").json()["allowed"]

    assert allowed == [
        {
            "status": "in_mexico",
            "label": "In Mexico awaiting hearing",
            "workflow": "hearings.hearing_day",
            "where": "recording the return to Mexico at the port (the case's hearing day, H1)",
            "refusal": None,
        }
    ]


# --- holds (S1, S3, S4, F4) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "reads_the_account"),
    [
        (Role.SUPERVISORY_ASYLUM_OFFICER, True),
        (Role.ASYLUM_OFFICER, True),
        (Role.CBP_SUPERVISOR, True),
        (Role.CBP_OFFICER, False),
        (Role.COURT_STAFF, False),
        (Role.ICE_OFFICER, False),
        (Role.ADMINISTRATOR, False),
    ],
)
def test_s1_holds_show_the_fear_account_only_to_the_roles_that_assess_or_decide_on_it(
    api_for, role, reads_the_account
):
    """Field-level privacy: USCIS and the CBP supervisor read the account; others get ``reason: null``."""
    recorder = user_with_role(Role.CBP_OFFICER, first_name="Ana", last_name="Ruiz")
    case = _case_at("sys-poe", status=S.ENROLLED)
    hold = _fear_claim(case, by=recorder)

    response = api_for(user_with_role(role)).get(f"{API}/cases/{case.pk}/holds/")

    assert response.status_code == 200
    (row,) = response.json()
    assert (row["id"], row["case"], row["kind"], row["rule"], row["is_open"]) == (
        hold.pk,
        case.pk,
        "fear_claim",
        "S1",
        True,
    )
    assert (row["location"], row["opened_by"], row["released_by"], row["outcome"]) == (
        "sys-poe",
        "Ana Ruiz",
        None,
        "",
    )
    assert row["label"] == "Fear claim pending (USCIS assessment)"
    assert "(S1)" in row["blocks"] and "(F4)" in row["blocks"]
    assert row["reason"] == (FEAR_ACCOUNT if reads_the_account else None)
    assert row["may_release"] is False  # released by the SAO's concurrence on the claim, not here (S3)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PRINT_STAFF])
def test_holds_are_not_read_by_analysts_or_print_staff(api_for, role):
    case = _case_at("sys-poe", status=S.ENROLLED)
    _fear_claim(case)

    response = api_for(user_with_role(role)).get(f"{API}/cases/{case.pk}/holds/")

    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_reading_holds_is_recorded_in_the_access_log_and_lists_open_holds_first(api_for, court_clerk):
    case = _case_at("sys-poe", status=S.ENROLLED)
    first_claim = fear_claim_for(case, actor=court_clerk, setting=FearClaim.Setting.COURT)
    sao = asylum_officer_for(first_claim, Role.SUPERVISORY_ASYLUM_OFFICER)
    concur(first_claim, outcome="negative", sao=sao)
    first = first_claim.hold
    second = fear_claim_for(case, actor=court_clerk, setting=FearClaim.Setting.COURT).hold

    response = api_for(court_clerk).get(f"{API}/cases/{case.pk}/holds/")

    assert [(row["id"], row["is_open"]) for row in response.json()] == [(second.pk, True), (first.pk, False)]
    released = response.json()[1]
    assert (released["outcome"], released["released_by"], released["release_reason"]) == (
        "negative",
        sao.display_name,
        None,  # court staff may not read what the assessment said
    )
    log = AccessLog.objects.get()
    assert (log.user, log.channel, log.object_type, log.object_ids) == (
        court_clerk,
        "api",
        "case",
        [str(case.pk)],
    )


def test_s1_the_generic_hold_endpoint_refuses_a_fear_claim_as_workflow_owned_and_opens_nothing(
    api_for, officer
):
    """A fear claim is recorded at /fear-claims/ (S1, which opens its hold), not by the generic hold form."""
    case = _case_at("sys-poe", status=S.ENROLLED)

    response = api_for(officer).post(
        f"{API}/cases/{case.pk}/holds/open/",
        {"kind": "fear_claim", "reason": "Stated fear of return at secondary"},
        format="json",
    )

    body = refusal(response, 403)
    assert (body["code"], body["field"]) == ("workflow_owned", "kind")
    assert "Record a fear claim" in body["detail"]
    assert not Hold.objects.exists()
    assert not CaseEvent.objects.exists()


def test_s1_a_cbp_officer_records_a_fear_claim_and_the_status_stays(api_for, officer):
    case = _case_at("sys-poe", status=S.ENROLLED)

    response = api_for(officer).post(
        f"{API}/fear-claims/",
        {
            "case": case.pk,
            "stated_by": "self",
            "location": "sys-poe",
            "setting": "encounter",
            "language": "es",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    hold = Hold.objects.get(case=case)
    assert (hold.kind, hold.rule, hold.is_open, hold.opened_by, hold.location.code) == (
        "fear_claim",
        "S1",
        True,
        officer,
        "sys-poe",
    )
    event = CaseEvent.objects.get(case=case, type="hold.opened")
    assert (event.actor, event.sensitivities) == (officer, ["fear"])
    case.refresh_from_db()
    assert case.status == S.ENROLLED


def test_s1_recording_a_fear_claim_that_is_already_pending_returns_the_pending_one(api_for, officer):
    case = _case_at("sys-poe", status=S.ENROLLED)
    claim = fear_claim_for(case, actor=officer)
    events_before = CaseEvent.objects.filter(case=case).count()

    response = api_for(officer).post(
        f"{API}/fear-claims/",
        {
            "case": case.pk,
            "stated_by": "self",
            "location": "sys-poe",
            "setting": "encounter",
            "language": "es",
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["already_pending"]) == (claim.pk, True)
    assert Hold.objects.count() == 1
    assert CaseEvent.objects.filter(case=case).count() == events_before


def test_s1_an_asylum_officer_may_not_open_a_fear_claim(api_for):
    """The endpoint admits the roles some hold kind lets open; the asylum officer assesses, not refers."""
    case = _case_at("sys-poe", status=S.ENROLLED)

    response = api_for(user_with_role(Role.ASYLUM_OFFICER)).post(
        f"{API}/cases/{case.pk}/holds/open/", {"kind": "fear_claim", "reason": "Fear stated"}, format="json"
    )

    assert response.status_code == 403
    assert not Hold.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "curfew", "reason": "Not a kind of hold"}, "kind"),
        ({"reason": "No kind"}, "kind"),
        ({"kind": "fear_claim", "reason": "   "}, "reason"),
        ({"kind": "fear_claim"}, "reason"),
    ],
)
def test_opening_a_hold_with_bad_input_is_refused_naming_the_field(api_for, officer, body, field):
    case = _case_at("sys-poe", status=S.ENROLLED)

    response = api_for(officer).post(f"{API}/cases/{case.pk}/holds/open/", body, format="json")

    assert refusal(response)["field"] == field
    assert not Hold.objects.exists()
    assert not CaseEvent.objects.exists()


def test_s3_the_supervisory_asylum_officer_releases_a_fear_claim_by_concurring_not_by_the_hold_endpoint(
    api_for,
):
    """S3/S4: the generic release is refused (``workflow_owned``); the concurred assessment releases the hold
    once, changing no status for a negative one, and the holds read shows who released it and why."""
    case = _case_at("sys-poe", status=S.ENROLLED)
    claim = fear_claim_for(case)
    sao = user_with_role(
        Role.SUPERVISORY_ASYLUM_OFFICER,
        locations=[claim.asylum_office.code],
        first_name="Rosa",
        last_name="Lima",
    )
    client = api_for(sao)
    url = f"{API}/cases/{case.pk}/holds/{claim.hold_id}/release/"

    generic = client.post(url, {"outcome": "negative", "reason": "Negative, concurred"}, format="json")

    assert (refusal(generic, 403)["code"], refusal(generic, 403)["field"]) == ("workflow_owned", "hold")
    assert Hold.objects.get(pk=claim.hold_id).is_open
    assert not CaseEvent.objects.filter(case=case, type="hold.released").exists()

    concur(claim, outcome="negative", sao=sao, reason="Negative, concurred")

    (row,) = client.get(f"{API}/cases/{case.pk}/holds/").json()
    assert (row["is_open"], row["outcome"], row["released_by"]) == (False, "negative", "Rosa Lima")
    assert row["release_reason"] == "S3: negative assessment concurred by Rosa Lima."  # the SAO may read it
    assert CaseEvent.objects.filter(case=case, type="hold.released").count() == 1
    case.refresh_from_db()
    assert case.status == S.ENROLLED


@pytest.mark.parametrize("body", [{}, {"outcome": "maybe"}, {"outcome": "negative"}, {"outcome": "positive"}])
def test_s4_the_generic_release_is_refused_whatever_the_outcome_and_the_hold_stays_open(api_for, body):
    """The outcome of a fear claim is the concurred assessment's determination (S3), never a value posted
    to the generic hold release."""
    case = _case_at("sys-poe", status=S.ENROLLED)
    hold = _fear_claim(case)

    response = api_for(user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)).post(
        f"{API}/cases/{case.pk}/holds/{hold.pk}/release/", {**body, "reason": "Concurred"}, format="json"
    )

    assert refusal(response, 403)["code"] == "workflow_owned"
    hold.refresh_from_db()
    assert hold.is_open


def test_a_hold_of_another_case_is_not_found_through_this_cases_url(api_for):
    here, other = _case_at("sys-poe", status=S.ENROLLED), _case_at("sys-poe", status=S.ENROLLED)
    other_hold = _fear_claim(other)

    response = api_for(user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)).post(
        f"{API}/cases/{here.pk}/holds/{other_hold.pk}/release/",
        {"outcome": "negative", "reason": "x"},
        format="json",
    )

    assert response.status_code == 404
    other_hold.refresh_from_db()
    assert other_hold.is_open


# --- the timeline --------------------------------------------------------------------------------------


def test_the_timeline_returns_type_label_and_what_is_restricted(api_for, officer, court_clerk):
    """A fear claim's hold reason is fear content: the SAO reads it, court staff see only that it was
    opened."""
    case = _case_at("sys-poe", status=S.ENROLLED)
    hold = fear_claim_for(case, actor=officer, statement=FEAR_ACCOUNT).hold
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)

    for_sao, _recorded = api_for(sao).get(f"{API}/cases/{case.pk}/timeline/").json()["results"]
    for_clerk, _recorded = api_for(court_clerk).get(f"{API}/cases/{case.pk}/timeline/").json()["results"]

    assert (for_sao["type"], for_sao["label"], for_sao["restricted"]) == (
        "hold.opened",
        "Hold opened: Fear claim pending (USCIS assessment)",
        [],
    )
    assert for_sao["reason"] == hold.reason
    assert for_sao["actor"] == officer.display_name
    assert (for_clerk["type"], for_clerk["label"], for_clerk["restricted"]) == (
        "hold.opened",
        "Hold opened: Fear claim pending (USCIS assessment) (fear)",  # that a fear claim exists is not hidden
        ["fear"],
    )
    assert for_clerk["reason"] == ""
    assert for_clerk["actor"] == officer.display_name
    assert for_clerk["details"]["hold_id"] == hold.pk  # that it happened stays visible
    assert hold.reason not in str(for_clerk)
    assert FEAR_ACCOUNT not in str(for_clerk) + str(for_sao)  # the statement stays on the claim


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


def _hold_history(case: Case, *, released: int) -> None:
    """``released`` fear claims recorded and concurred negative on the case (six events each: claim
    recorded, hold opened, interview scheduled, assessed, hold released, concurred), then one left pending
    (two events)."""
    officer = user_with_role(Role.CBP_OFFICER)
    ao = sao = None
    for i in range(released):
        claim = fear_claim_for(case, actor=officer, statement=f"Fear stated ({i})")
        ao = ao or asylum_officer_for(claim)
        sao = sao or asylum_officer_for(claim, Role.SUPERVISORY_ASYLUM_OFFICER)
        concur(claim, outcome="negative", ao=ao, sao=sao, reason=f"Negative, concurred ({i})")
    fear_claim_for(case, actor=officer, statement="Fear stated again")


@pytest.mark.parametrize(("suffix", "few_rows", "many_rows"), [("holds", 2, 6), ("timeline", 8, 32)])
@pytest.mark.parametrize("role", [Role.SUPERVISORY_ASYLUM_OFFICER, Role.COURT_STAFF, Role.CBP_OFFICER])
def test_holds_and_timeline_queries_do_not_grow_with_rows(api_for, role, suffix, few_rows, many_rows):
    few_case = _case_at("sys-poe", status=S.ENROLLED)
    many_case = _case_at("sys-poe", status=S.ENROLLED)
    _hold_history(few_case, released=1)
    _hold_history(many_case, released=5)
    client = api_for(user_with_role(role))
    client.get(f"{API}/cases/{few_case.pk}/{suffix}/")  # the first request of a session warms caches

    with CaptureQueriesContext(connection) as few:
        few_body = client.get(f"{API}/cases/{few_case.pk}/{suffix}/").json()
    with CaptureQueriesContext(connection) as many:
        many_body = client.get(f"{API}/cases/{many_case.pk}/{suffix}/").json()

    if suffix == "timeline":  # a page of events (step 5: keyset pagination, 50 a page)
        few_body, many_body = few_body["results"], many_body["results"]
    assert (len(few_body), len(many_body)) == (few_rows, many_rows)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 10


# --- bad input is a 400 naming the field, never a 500; one error body everywhere ----------------------------

NUL = "\x00"


@pytest.mark.parametrize(
    ("endpoint", "param"),
    [
        ("cases", "a_number"),
        ("cases", "location"),
        ("cases", "status"),
        ("aliens", "a_number"),
        ("aliens", "family_name"),
        ("aliens", "country_of_citizenship"),
        ("encounters", "location"),
        ("encounters", "component"),
        ("encounters", "occurred_after"),
    ],
)
@pytest.mark.parametrize("value", ["%", "%s", "%(why)s", "100%", NUL, f"sys-poe{NUL}"])
def test_a_percent_sign_or_a_nul_in_a_filter_is_never_a_server_error(
    api_for, court_clerk, endpoint, param, value
):
    """Fuzzing found both: a ``%`` reaching a django-filter message raised a TypeError; a NUL reaching
    PostgreSQL raised a DataError."""
    _case_at("sys-poe")

    response = api_for(court_clerk).get(f"{API}/{endpoint}/", {param: value})

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert refusal(response)["field"] == param


@pytest.mark.parametrize("endpoint", ["cases", "aliens"])
def test_an_a_number_filter_with_a_percent_sign_is_refused_quoting_what_was_typed_n2(
    api_for, court_clerk, endpoint
):
    response = api_for(court_clerk).get(f"{API}/{endpoint}/", {"a_number": "%"})

    body = refusal(response)
    assert (body["field"], body["code"]) == ("a_number", "a_number_invalid")
    assert body["detail"].startswith("“%” is not an A-number")


@pytest.mark.parametrize(("endpoint", "param"), [("cases", "location"), ("aliens", "family_name")])
def test_a_nul_in_a_filter_is_refused_naming_it(api_for, court_clerk, endpoint, param):
    response = api_for(court_clerk).get(f"{API}/{endpoint}/", {param: f"sys{NUL}"})

    body = refusal(response)
    assert (body["field"], body["code"], body["detail"]) == (
        param,
        "null_characters_not_allowed",
        "Null characters are not allowed.",
    )


@pytest.mark.parametrize("param", ["occurred_after", "occurred_before"])
@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+23:59"])
def test_an_encounter_filter_with_an_offset_postgresql_cannot_store_is_refused_naming_it(
    api_for, court_clerk, param, offset
):
    response = api_for(court_clerk).get(f"{API}/encounters/", {param: f"2026-01-05T09:30:00{offset}"})

    body = refusal(response)
    assert (body["field"], body["code"]) == (param, "utc_offset")


@pytest.mark.parametrize("offset", ["+15:59", "-15:59", "+14:00", "Z"])
def test_an_encounter_filter_accepts_every_offset_postgresql_stores(api_for, court_clerk, offset):
    response = api_for(court_clerk).get(
        f"{API}/encounters/", {"occurred_after": f"2026-01-05T09:30:00{offset}"}
    )

    assert response.status_code == 200, response.content


def _encounter_body(officer: User, **overrides: Any) -> dict[str, Any]:
    unit = FamilyUnitFactory(created_by=officer)
    return {"occurred_at": _an_hour_ago(), "location": "sys-poe", "family_unit": unit.pk, **overrides}


@pytest.mark.parametrize(
    ("occurred_at", "code"),
    [
        ("0001-01-01T00:00:00Z", "date_too_early"),
        ("1899-12-31T23:59:59Z", "date_too_early"),
        ("0001-01-01T00:00:00+05:00", "overflow"),  # before year 1 in UTC
        ("2026-01-05T09:30:00+16:00", "utc_offset"),
        ("2026-01-05T09:30:00-16:00", "utc_offset"),
    ],
)
def test_an_encounter_time_that_cannot_be_true_is_refused_naming_occurred_at(
    api_for, officer, occurred_at, code
):
    response = api_for(officer).post(
        f"{API}/encounters/", _encounter_body(officer, occurred_at=occurred_at), format="json"
    )

    assert (refusal(response)["field"], refusal(response)["code"]) == ("occurred_at", code)
    assert not Encounter.objects.exists()


def test_an_encounter_in_1900_is_accepted(api_for, officer):
    response = api_for(officer).post(
        f"{API}/encounters/", _encounter_body(officer, occurred_at="1900-01-01T08:00:00Z"), format="json"
    )

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("date_of_birth", "code"),
    [
        ("0001-01-01", "date_too_early"),  # was reported as an A-number clash (the alien_dob_plausible check)
        ("1899-12-31", "date_too_early"),
        ((timezone.localdate() + dt.timedelta(days=1)).isoformat(), "date_in_future"),
    ],
)
def test_a_date_of_birth_that_cannot_be_true_is_refused_naming_it_not_the_a_number(
    api_for, officer, date_of_birth, code
):
    response = api_for(officer).post(
        f"{API}/aliens/", _alien_payload(date_of_birth=date_of_birth), format="json"
    )

    body = refusal(response)
    assert (body["field"], body["code"]) == ("date_of_birth", code)
    assert "rule" not in body  # no policy rule: the date cannot be true
    assert not Alien.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("aliens/", _alien_payload(preferred_language=f"es{NUL}"), "preferred_language"),
        ("aliens/", _alien_payload(family_name=f"Ruiz{NUL}"), "family_name"),
        ("aliens/", _alien_payload(given_names=NUL), "given_names"),
        ("aliens/", _alien_payload(a_number=f"A123456789{NUL}"), "a_number"),
        ("aliens/", _alien_payload(country_of_citizenship=f"H{NUL}"), "country_of_citizenship"),
        ("encounters/", {"location": f"sys-poe{NUL}"}, "location"),
        ("cases/{case}/holds/open/", {"kind": f"fear_claim{NUL}", "reason": "Fear stated"}, "kind"),
        ("cases/{case}/holds/open/", {"kind": "fear_claim", "reason": f"Fear{NUL}"}, "reason"),
        ("aliens/{alien}/assign-a-number/", {"a_number": NUL, "reason": "Biometrics"}, "a_number"),
    ],
    ids=lambda value: value if isinstance(value, str) and "/" not in value and "\x00" not in value else None,
)
def test_a_nul_in_a_code_or_a_name_is_refused_naming_the_field(api_for, supervisor, path, body, field):
    """PostgreSQL cannot store NUL in text: refused before any lookup or write (mpp.api)."""
    case = _case_at("sys-poe", status=S.ENROLLED, alien__a_number=None)
    if path == "encounters/":
        body = _encounter_body(supervisor, **body)

    response = api_for(supervisor).post(
        f"{API}/{path.format(case=case.pk, alien=case.alien_id)}", body, format="json"
    )

    assert (refusal(response)["field"], refusal(response)["code"]) == (field, _nul_code(field))


def _nul_code(field: str) -> str:
    # A choice or a slug says it is not one of its values; everything typed says why.
    return {"to_status": "invalid_choice", "country_of_citizenship": "invalid_choice"}.get(
        field, "null_characters_not_allowed"
    )


@pytest.mark.parametrize("endpoint", ["aliens", "family-units", "encounters", "cases"])
@pytest.mark.parametrize("cursor", ["not-a-cursor", "cD0=", "cD1hYmM=", "cD0AAA=="])
def test_a_cursor_this_list_did_not_give_out_is_refused_naming_cursor(api_for, court_clerk, endpoint, cursor):
    """``cD0=`` is ``p=``, ``cD1hYmM=`` ``p=abc`` (not an id nor a time), ``cD0AAA==`` ``p=`` and NULs."""
    _case_at("sys-poe")

    response = api_for(court_clerk).get(f"{API}/{endpoint}/", {"cursor": cursor})

    body = refusal(response)
    assert (body["field"], body["code"]) == ("cursor", "invalid_cursor")


NOT_FOUND = {"code": "not_found", "detail": "No such record within your scope."}


def test_every_not_found_has_one_body_whatever_the_endpoint_or_the_reason(api_for, officer):
    here = _case_at("sys-poe", status=S.ENROLLED)
    elsewhere = _case_at("elp-poe", status=S.ENROLLED)
    other_hold = _fear_claim(_case_at("sys-poe", status=S.ENROLLED))
    client, sao = api_for(officer), api_for(user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER))

    responses = [
        client.get(f"{API}/cases/999999/"),
        client.get(f"{API}/cases/{elsewhere.pk}/"),
        client.get(f"{API}/aliens/{elsewhere.alien_id}/"),
        client.get(f"{API}/encounters/{elsewhere.encounter_id}/"),
        client.get(f"{API}/family-units/999999/"),
        client.get(f"{API}/cases/{elsewhere.pk}/timeline/"),
        client.post(
            f"{API}/aliens/999999/assign-a-number/", {"a_number": "A123456789", "reason": "x"}, format="json"
        ),
        sao.post(
            f"{API}/cases/{here.pk}/holds/{other_hold.pk}/release/",
            {"outcome": "negative", "reason": "x"},
            format="json",
        ),
    ]

    assert [(r.status_code, r.json()) for r in responses] == [(404, NOT_FOUND)] * len(responses)


def test_a_refusal_by_role_and_an_anonymous_call_each_have_a_code(api_for):
    case = _case_at("sys-poe")

    by_role = api_for(user_with_role(Role.ANALYST)).get(f"{API}/cases/{case.pk}/")
    anonymous = api_for(None).get(f"{API}/cases/{case.pk}/")

    assert (refusal(by_role, 403)["code"], refusal(anonymous, 403)["code"]) == (
        "not_permitted",
        "not_authenticated",
    )


def test_a_body_that_is_not_json_is_unsupported_and_one_that_does_not_parse_is_malformed(api_for, officer):
    client = api_for(officer)

    as_form = client.post(f"{API}/aliens/", {"family_name": "Ruiz"})  # multipart form data
    broken = client.post(f"{API}/aliens/", data="{not json", content_type="application/json")

    assert refusal(as_form, 415)["code"] == "unsupported_media_type"
    assert refusal(broken, 400)["code"] == "malformed_request"
    assert not Alien.objects.exists()


@pytest.mark.parametrize("a_number", ["A012345678", None])
def test_the_fast_list_row_is_exactly_the_case_serializers_body(a_number):
    """CaseRowSerializer (lists and search, built directly for speed) must say what CaseSerializer says."""
    from cases.api.serializers import CaseRowSerializer, CaseSerializer

    case = _case_at("sys-poe", alien=AlienFactory(a_number=a_number, family_name="Téllez <b>"))
    case = Case.objects.select_related("alien", "location").get(pk=case.pk)

    assert CaseRowSerializer(case).data == CaseSerializer(case).data
    assert json.dumps(CaseRowSerializer(case).data) == json.dumps(CaseSerializer(case).data)
