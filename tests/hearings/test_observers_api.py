"""Observers and press in the API (O1, O2): ``observer-requests/`` (the log, recording a request),
``observer-requests/{id}/decide/``, ``hearings/{id}/close-to-public/`` and ``open-to-public/``.

O1: a hearing closed for the person's sensitive matters is refused with ``o1_closed_hearing``, in plain words,
and the reason is in no response. O2: a press request names DHS Public Affairs. The log names no person heard.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from hearings.models import ObserverRequest
from hearings.observer_services import CLOSED_WORDS, hearing_close_to_public, observer_request_decide
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.hearings.factories import hearing_location
from tests.hearings.observer_helpers import (
    BROWNSVILLE,
    HEARD_FAMILY_NAME,
    LAREDO,
    SECRET,
    asked,
    court,
    facility_day,
    hearing_at,
    laredo_supervisor,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
OUTSIDERS = [
    Role.CBP_OFFICER,
    Role.BORDER_PATROL_AGENT,
    Role.PRINT_STAFF,
    Role.ICE_OFFICER,
    Role.ANALYST,
    Role.ASYLUM_OFFICER,
    Role.SUPERVISORY_ASYLUM_OFFICER,
]


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def log(client: APIClient, code: str = LAREDO, **params):
    return client.get(f"{API}/observer-requests/", {"facility": hearing_location(code).pk, **params})


def body(day, **changes) -> dict:
    return {
        "facility": hearing_location(LAREDO).pk,
        "kind": "public",
        "requester_name": "Ana Vecina",
        "for_day": day.isoformat(),
        "reason": "Asked at the front desk",
        **changes,
    }


@pytest.mark.parametrize("make", [court, laredo_supervisor])
def test_court_staff_and_the_facilitys_cbp_supervisor_record_list_and_decide(make):
    day = facility_day()
    hearing = hearing_at(LAREDO, day)
    client = api(make())

    created = client.post(f"{API}/observer-requests/", body(day, hearing=hearing.pk), format="json")
    decided = client.post(
        f"{API}/observer-requests/{created.json()['id']}/decide/",
        {"decision": "granted", "reason": "Seats"},
        format="json",
    )
    listed = log(client)

    assert created.status_code == 201, created.content
    assert (created.json()["hearing"], created.json()["decision"]) == (hearing.pk, "")
    assert decided.status_code == 200, decided.content
    assert (decided.json()["decision"], decided.json()["decision_reason"]) == ("granted", "Seats")
    (row,) = listed.json()["results"]
    assert (row["requester_name"], row["facility"], row["hearing_closed_to_public"]) == (
        "Ana Vecina",
        LAREDO,
        False,
    )
    assert HEARD_FAMILY_NAME not in json.dumps(listed.json())


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_are_refused_403_everywhere(role):
    day = facility_day()
    request = asked(day=day)
    hearing = hearing_at(LAREDO, day)
    client = api(user_with_role(role, locations=["lrd-poe"] if role != Role.ANALYST else []))

    answers = [
        log(client),
        client.post(f"{API}/observer-requests/", body(day), format="json"),
        client.post(
            f"{API}/observer-requests/{request.pk}/decide/",
            {"decision": "granted", "reason": "x"},
            format="json",
        ),
        client.post(f"{API}/hearings/{hearing.pk}/close-to-public/", {"reason": "x"}, format="json"),
    ]

    assert [a.status_code for a in answers] == [403] * 4
    assert ObserverRequest.objects.count() == 1


def test_a_cbp_supervisor_does_not_close_hearings_and_court_staff_do():
    hearing = hearing_at(LAREDO, facility_day())

    refused = api(laredo_supervisor()).post(
        f"{API}/hearings/{hearing.pk}/close-to-public/", {"reason": SECRET}, format="json"
    )
    closed = api(court()).post(
        f"{API}/hearings/{hearing.pk}/close-to-public/", {"reason": SECRET}, format="json"
    )
    opened = api(court()).post(
        f"{API}/hearings/{hearing.pk}/open-to-public/", {"reason": "By mistake"}, format="json"
    )

    assert refused.status_code == 403
    assert closed.status_code == 200 and closed.json()["closed_to_public"] is True
    assert SECRET not in closed.content.decode()
    assert opened.status_code == 200 and opened.json()["closed_to_public"] is False


def test_another_facility_and_its_requests_are_404_for_a_cbp_supervisor():
    day = facility_day(BROWNSVILLE)
    brownsville = asked(day=day, code=BROWNSVILLE)
    client = api(laredo_supervisor())

    listed = log(client, BROWNSVILLE)
    created = client.post(
        f"{API}/observer-requests/", body(day, facility=hearing_location(BROWNSVILLE).pk), format="json"
    )
    decided = client.post(
        f"{API}/observer-requests/{brownsville.pk}/decide/",
        {"decision": "granted", "reason": "x"},
        format="json",
    )

    assert [listed.status_code, created.status_code, decided.status_code] == [404, 404, 404]
    assert ObserverRequest.objects.count() == 1


def test_the_log_needs_a_facility_naming_it():
    response = api(court()).get(f"{API}/observer-requests/")

    assert response.status_code == 400
    assert response.json()["field"] == "facility"


def test_o2_press_without_dhs_public_affairs_is_refused_naming_the_field():
    response = api(court()).post(
        f"{API}/observer-requests/",
        body(facility_day(), kind="press", outlet="Laredo Morning Times"),
        format="json",
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"], response.json()["rule"]) == (
        "o2_public_affairs_required",
        "public_affairs_contact",
        "O2",
    )
    assert not ObserverRequest.objects.exists()


def test_o2_a_press_request_through_public_affairs_is_recorded():
    response = api(court()).post(
        f"{API}/observer-requests/",
        body(facility_day(), kind="press", outlet="KGNS", public_affairs_contact="J. Ortiz, DHS OPA"),
        format="json",
    )

    assert response.status_code == 201, response.content
    assert (
        response.json()["kind"],
        response.json()["outlet"],
        response.json()["public_affairs_contact"],
    ) == (
        "press",
        "KGNS",
        "J. Ortiz, DHS OPA",
    )


def test_o1_a_courtroom_is_not_a_hearing_facility():
    response = api(court()).post(
        f"{API}/observer-requests/",
        body(facility_day(), facility=hearing_location("sdg-ic-mpp").pk),
        format="json",
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("o1_not_a_hearing_facility", "facility")


def test_o1_granting_a_closed_hearing_is_409_o1_closed_hearing_and_no_response_has_the_reason():
    day = facility_day()
    hearing = hearing_at(LAREDO, day)
    request = asked(day=day, hearing=hearing)
    hearing_close_to_public(hearing_id=hearing.pk, actor=court(), reason=SECRET)
    client = api(laredo_supervisor())

    granted = client.post(
        f"{API}/observer-requests/{request.pk}/decide/",
        {"decision": "granted", "reason": "Seats"},
        format="json",
    )
    refused = client.post(
        f"{API}/observer-requests/{request.pk}/decide/",
        {"decision": "refused", "reason": "Closed"},
        format="json",
    )
    again = client.post(
        f"{API}/observer-requests/{request.pk}/decide/", {"decision": "granted", "reason": "x"}, format="json"
    )
    listed = log(client)
    hearing_read = api(court()).get(f"{API}/hearings/{hearing.pk}/")

    assert granted.status_code == 409
    assert granted.json() == {
        "code": "o1_closed_hearing",
        "detail": CLOSED_WORDS,
        "rule": "O1",
        "field": "decision",
    }
    assert refused.status_code == 200 and refused.json()["refusal_code"] == "o1_closed_hearing"
    assert again.status_code == 409 and again.json()["code"] == "o1_already_decided"
    assert listed.json()["results"][0]["hearing_closed_to_public"] is True
    for response in (granted, refused, again, listed, hearing_read):
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize("decision", ["", "maybe"])
def test_a_decision_is_granted_or_refused_naming_the_field(decision):
    request = asked(day=facility_day())

    response = api(court()).post(
        f"{API}/observer-requests/{request.pk}/decide/", {"decision": decision, "reason": "x"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "decision"


def test_the_log_is_newest_first_keyset_50_and_a_fixed_number_of_queries():
    day = facility_day()
    client = api(court())
    hearing = hearing_at(LAREDO, day)
    first = asked(day=day, hearing=hearing, name="First")
    observer_request_decide(request_id=first.pk, decision="granted", actor=court(), reason="ok")
    log(client)

    with CaptureQueriesContext(connection) as few:
        assert log(client).status_code == 200
    for n in range(60):
        asked(day=day, hearing=hearing_at(LAREDO, day, hour=8 + n % 9), name=f"P{n}")
    with CaptureQueriesContext(connection) as many:
        page = log(client)

    assert len(many.captured_queries) == len(few.captured_queries)
    results = page.json()["results"]
    assert len(results) == 50 and page.json()["next"]
    assert results[0]["requester_name"] == "P59"
    rest = client.get(page.json()["next"]).json()["results"]
    assert [r["requester_name"] for r in rest][-1] == "First"
