"""The hearings REST API (/api/v1/, step 6): who may call what (deny by default; location-scoped roles see
their duty locations only), serving a family's NTA (N1, N3) and the slot race, filing (M3/M4), moving
hearings (H2) and the tear sheet reissued through the event bus (N5), the PDFs, the print queue and its
batches, changes of address (N6), refusals that name the field and save nothing, and lists whose query
count does not grow with their rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, CaseStatus, Hold
from hearings.models import (
    AddressInMexico,
    Hearing,
    HearingLocation,
    HearingSlot,
    NoticeToAppear,
    PrintBatch,
    TearSheet,
    TearSheetPrint,
)
from hearings.services import (
    INLINE_BATCH_MAX,
    AddressInput,
    address_change_record,
    hearings_move,
    nta_file,
    print_batch_build,
    print_batch_create,
)
from hearings.workflow import ADDRESS_ROLES, COURT_ROLES, PRINT_ROLES, SERVE_ROLES
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.outbox.services import outbox_relay
from tests.api_contract import refusal
from tests.factories import location, user_with_role
from tests.hearings.factories import amenable_family, hearing_location, serve, slot

pytestmark = pytest.mark.django_db

API = "/api/v1"
CHARGE = "212(a)(7)(A)(i)(I)"


@pytest.fixture
def api_for() -> Callable[[Any], APIClient]:
    """api_for(user) → an API client signed in (session) as that user; api_for(None) → anonymous."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def printer(db) -> User:
    """Print staff at San Ysidro."""
    return user_with_role(Role.PRINT_STAFF)


def _home(user: User) -> str:
    """Where a test user works (user_with_role's defaults): national roles see San Ysidro's cases too."""
    return "cv-bps" if user.has_role(Role.BORDER_PATROL_AGENT) else "sys-poe"


def _officer_at(code: str) -> User:
    role = Role.BORDER_PATROL_AGENT if code.endswith("-bps") else Role.CBP_OFFICER
    return user_with_role(role, locations=[code])


def _served(
    code: str = "sys-poe", *, size: int = 1, place: str = "sdg-ic-mpp", at: HearingSlot | None = None
):
    """A family of ``size`` served at ``code`` into a slot at ``place``: its cases, NTAs and first sheets."""
    cases = amenable_family(size, code)
    ntas = serve(cases, officer=_officer_at(code), at=at or _default_slot(place))
    sheets = list(TearSheet.objects.filter(case__in=cases).order_by("case_id"))
    return cases, ntas, sheets


def _default_slot(place: str) -> HearingSlot:
    """The slot 10 days ahead at 08:30 at ``place`` (the factory's default), published once, with room."""
    location_ = hearing_location(place)
    day = timezone.localdate(timezone.now(), location_.zone) + dt.timedelta(days=10)
    starts = dt.datetime.combine(day, dt.time(8, 30), tzinfo=location_.zone)
    return HearingSlot.objects.filter(hearing_location=location_, starts_at=starts).first() or slot(
        place=place, capacity=200
    )


def _serve_body(at: HearingSlot, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slot": at.pk,
        "classification": "arriving",
        "charges": [CHARGE],
        "oral_notice_language": "es",
        "interpretation": "none",
        "interpreter_language": None,
        "address": {
            "address": "Calle Juárez 123, Col. Centro",
            "city": "Tijuana",
            "state": "Baja California",
        },
    }
    body.update(overrides)
    return body


def _address_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "address": "Avenida Revolución 45, Zona Centro",
        "city": "Tijuana",
        "state": "Baja California",
        "phone": "+52 664 555 0101",
        "received_on": timezone.localdate().isoformat(),
        "how_received": "mail",
    }
    body.update(overrides)
    return body


def _results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _ready_batch(sheets: list[TearSheet], by: User) -> PrintBatch:
    batch = print_batch_create(sheet_ids=[s.pk for s in sheets], actor=by)
    return print_batch_build(batch_id=batch.pk)


# --- the role matrix (deny by default) --------------------------------------------------------------------

READERS = frozenset(
    {
        Role.CBP_OFFICER,
        Role.BORDER_PATROL_AGENT,
        Role.CBP_SUPERVISOR,
        Role.COURT_STAFF,
        Role.PRINT_STAFF,
        Role.ICE_OFFICER,
        Role.ASYLUM_OFFICER,
        Role.SUPERVISORY_ASYLUM_OFFICER,
    }
)
COURT = frozenset({Role.COURT_STAFF})
SERVERS = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})
PRINTERS = frozenset({Role.PRINT_STAFF})
ADDRESS_RECORDERS = frozenset({Role.COURT_STAFF, Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})

# Written out from the brief (hearings.workflow names the same sets; a test below pins them equal).
# Analysts and administrators read no case data here, and write nothing.
ROLE_MATRIX: dict[str, frozenset[str]] = {
    "hearing-locations list": READERS,
    "hearing-slots list": READERS,
    "hearing-slots publish": COURT,
    "hearings list": READERS,
    "hearings retrieve": READERS,
    "hearings move": COURT,
    "ntas list": READERS,
    "ntas retrieve": READERS,
    "ntas file": COURT,
    "families nta serve": SERVERS,
    "tear-sheets list": READERS,
    "tear-sheets retrieve": READERS,
    "tear-sheets pdf": READERS,
    "print-queue list": PRINTERS,
    "print-batches create": PRINTERS,
    "print-batches retrieve": PRINTERS,
    "print-batches pdf": PRINTERS,
    "print-batches printed": PRINTERS,
    "addresses list": READERS,
    "addresses record": ADDRESS_RECORDERS,
}


def test_the_matrix_is_the_workflows_role_sets():
    assert SERVERS == SERVE_ROLES
    assert COURT == COURT_ROLES
    assert PRINTERS == PRINT_ROLES
    assert ADDRESS_RECORDERS == ADDRESS_ROLES


def _request_for(
    user: User, operation: str, *, admitted: bool
) -> tuple[str, str, dict[str, Any] | None, int]:
    """Rows the user could see at their own location, and the request (method, path, body, success status)
    that performs ``operation`` on them."""
    home = _home(user)
    if operation == "hearing-locations list":
        return "get", f"{API}/hearing-locations/", None, 200
    if operation == "hearing-slots list":
        slot()
        return "get", f"{API}/hearing-slots/", None, 200
    if operation == "hearing-slots publish":
        place = hearing_location("sdg-ic-mpp")
        day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=30)
        body = {"hearing_location": "sdg-ic-mpp", "day": day.isoformat(), "times": ["08:30"], "capacity": 10}
        return "post", f"{API}/hearing-slots/", body, 201
    if operation == "families nta serve":
        cases = amenable_family(1, home)
        return "post", f"{API}/families/{cases[0].encounter_id}/nta/", _serve_body(slot()), 201
    cases, ntas, sheets = _served(home)
    hearing = ntas[0].initial_hearing
    paths = {
        "hearings list": ("get", f"{API}/hearings/", None, 200),
        "hearings retrieve": ("get", f"{API}/hearings/{hearing.pk}/", None, 200),
        "ntas list": ("get", f"{API}/ntas/", None, 200),
        "ntas retrieve": ("get", f"{API}/ntas/{ntas[0].pk}/", None, 200),
        "tear-sheets list": ("get", f"{API}/tear-sheets/", None, 200),
        "tear-sheets retrieve": ("get", f"{API}/tear-sheets/{sheets[0].pk}/", None, 200),
        "tear-sheets pdf": ("get", f"{API}/tear-sheets/{sheets[0].pk}/pdf/", None, 200),
        "print-queue list": ("get", f"{API}/print-queue/", None, 200),
        "addresses list": ("get", f"{API}/cases/{cases[0].pk}/addresses/", None, 200),
        "addresses record": ("post", f"{API}/cases/{cases[0].pk}/addresses/", _address_body(), 201),
        "ntas file": (
            "post",
            f"{API}/ntas/file/",
            {"nta_ids": [ntas[0].pk], "filed_on": timezone.localdate().isoformat()},
            200,
        ),
        "hearings move": (
            "post",
            f"{API}/hearings/move/",
            {
                "hearing_ids": [hearing.pk],
                "slot": slot(days_ahead=20).pk,
                "mode": "rescheduled",
                "reason": "IJ ill",
            },
            201,
        ),
        "print-batches create": ("post", f"{API}/print-batches/", {"sheet_ids": [sheets[0].pk]}, 201),
    }
    if operation in paths:
        return paths[operation]
    # A batch at San Ysidro (the print staff's home), built only when the caller may read it.
    batch_printer = user_with_role(Role.PRINT_STAFF, locations=[home])
    if admitted:
        batch = _ready_batch(sheets, batch_printer)
    else:
        batch = print_batch_create(sheet_ids=[sheets[0].pk], actor=batch_printer)
    return {
        "print-batches retrieve": ("get", f"{API}/print-batches/{batch.pk}/", None, 200),
        "print-batches pdf": ("get", f"{API}/print-batches/{batch.pk}/pdf/", None, 200),
        "print-batches printed": ("post", f"{API}/print-batches/{batch.pk}/printed/", None, 200),
    }[operation]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", list(ROLE_MATRIX))
def test_each_endpoint_admits_exactly_the_roles_of_the_matrix(api_for, role, operation):
    user = user_with_role(role)
    admitted = role in ROLE_MATRIX[operation]
    method, path, body, success = _request_for(user, operation, admitted=admitted)

    response = getattr(api_for(user), method)(path, body, format="json")

    assert response.status_code == (success if admitted else 403), response.content
    if not admitted:
        assert refusal(response, 403)["code"] == "not_permitted"


@pytest.mark.parametrize("operation", list(ROLE_MATRIX))
def test_anonymous_callers_are_refused_everywhere(api_for, officer, operation):
    method, path, body, _ = _request_for(officer, operation, admitted=False)
    before = _written()

    response = getattr(api_for(None), method)(path, body, format="json")

    assert response.status_code in (401, 403)
    assert _written() == before
    assert not AccessLog.objects.exists()


def _written() -> dict[str, int]:
    """What a write of this API would add or change, counted."""
    return {
        "slots": HearingSlot.objects.count(),
        "hearings": Hearing.objects.count(),
        "ntas": NoticeToAppear.objects.count(),
        "filed": NoticeToAppear.objects.filter(filed_on__isnull=False).count(),
        "enrolled": Case.objects.filter(status=CaseStatus.ENROLLED).count(),
        "addresses": AddressInMexico.objects.count(),
        "batches": PrintBatch.objects.count(),
        "printed": TearSheetPrint.objects.count(),
    }


def test_a_refused_write_saves_nothing(api_for, officer):
    """An officer may not publish docket time (court staff do): 403 and no slot."""
    before = HearingSlot.objects.count()
    place = hearing_location("sdg-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=30)
    body = {"hearing_location": "sdg-ic-mpp", "day": day.isoformat(), "times": ["08:30"], "capacity": 10}

    response = api_for(officer).post(f"{API}/hearing-slots/", body, format="json")

    assert refusal(response, 403)["code"] == "not_permitted"
    assert HearingSlot.objects.count() == before


# --- duty locations: another location's records answer 404 ---------------------------------------------------


@pytest.fixture
def laredo(db):
    """A family served at Laredo (for the Laredo hearing facility), its sheet printed in a ready batch by
    Laredo's print staff."""
    cases, ntas, sheets = _served("lrd-poe", place="lrd-ihf")
    batch = _ready_batch(sheets, user_with_role(Role.PRINT_STAFF, locations=["lrd-poe"]))
    return {"cases": cases, "ntas": ntas, "sheets": sheets, "batch": batch}


@pytest.mark.parametrize(
    "path",
    [
        "tear-sheets/{sheet}/",
        "tear-sheets/{sheet}/pdf/",
        "print-batches/{batch}/",
        "print-batches/{batch}/pdf/",
    ],
)
def test_print_staff_do_not_find_another_locations_sheet_or_batch(api_for, printer, laredo, path):
    url = f"{API}/" + path.format(sheet=laredo["sheets"][0].pk, batch=laredo["batch"].pk)

    response = api_for(printer).get(url)

    assert refusal(response, 404) == {"code": "not_found", "detail": "No such record within your scope."}


def test_print_staff_cannot_mark_another_locations_batch_printed(api_for, printer, laredo):
    response = api_for(printer).post(f"{API}/print-batches/{laredo['batch'].pk}/printed/")

    assert refusal(response, 404)["code"] == "not_found"
    laredo["batch"].refresh_from_db()
    assert laredo["batch"].marked_printed_at is None
    assert not TearSheetPrint.objects.exists()


def test_print_staff_cannot_batch_another_locations_sheet(api_for, printer, laredo):
    response = api_for(printer).post(
        f"{API}/print-batches/", {"sheet_ids": [laredo["sheets"][0].pk]}, format="json"
    )

    assert refusal(response, 404)["code"] == "not_found"
    assert PrintBatch.objects.filter(requested_by=printer).count() == 0


def test_print_staff_lists_show_only_their_locations_sheets(api_for, printer, laredo):
    _, _, mine = _served("sys-poe")
    client = api_for(printer)

    queue = _results(client.get(f"{API}/print-queue/"))
    sheets = _results(client.get(f"{API}/tear-sheets/"))
    laredo_filter = _results(client.get(f"{API}/print-queue/", {"location": "lrd-poe"}))

    assert [row["id"] for row in queue] == [mine[0].pk]
    assert [row["id"] for row in sheets] == [mine[0].pk]
    assert laredo_filter == []


@pytest.mark.parametrize(
    "path",
    ["hearings/{hearing}/", "ntas/{nta}/", "tear-sheets/{sheet}/", "cases/{case}/addresses/"],
)
def test_an_officer_does_not_find_another_locations_records(api_for, officer, laredo, path):
    nta = laredo["ntas"][0]
    url = f"{API}/" + path.format(
        hearing=nta.initial_hearing_id, nta=nta.pk, sheet=laredo["sheets"][0].pk, case=nta.case_id
    )

    response = api_for(officer).get(url)

    assert refusal(response, 404)["code"] == "not_found"


def test_an_officer_cannot_record_an_address_on_another_locations_case(api_for, officer, laredo):
    case = laredo["cases"][0]

    response = api_for(officer).post(f"{API}/cases/{case.pk}/addresses/", _address_body(), format="json")

    assert refusal(response, 404)["code"] == "not_found"
    assert not AddressInMexico.objects.filter(source=AddressInMexico.Source.EOIR33).exists()


def test_an_officer_cannot_serve_another_locations_family(api_for, officer):
    cases = amenable_family(1, "lrd-poe")

    response = api_for(officer).post(
        f"{API}/families/{cases[0].encounter_id}/nta/", _serve_body(slot(place="lrd-ihf")), format="json"
    )

    assert refusal(response, 404)["code"] == "not_found"
    assert not NoticeToAppear.objects.exists()


def test_national_roles_see_every_locations_records(api_for, laredo):
    ice = user_with_role(Role.ICE_OFFICER)

    rows = _results(api_for(ice).get(f"{API}/hearings/"))

    assert [row["case"] for row in rows] == [laredo["cases"][0].pk]


# --- serving the NTA (N1, N3) ---------------------------------------------------------------------------------


def test_n1_serving_a_family_returns_201_with_each_members_nta_and_enrols_them(api_for, officer):
    cases = amenable_family(2, "sys-poe")
    at = slot(capacity=5)

    response = api_for(officer).post(
        f"{API}/families/{cases[0].encounter_id}/nta/", _serve_body(at), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert [row["case"] for row in body] == [c.pk for c in cases]
    for case in cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.ENROLLED
    first = body[0]
    assert first["classification"] == "arriving"
    assert [c["code"] for c in first["charges"]] == [CHARGE]
    assert first["oral_notice_language"] == "es"
    assert (first["interpretation"], first["interpreter_language"]) == ("none", None)
    assert first["court"]["code"] == "sdg-ic"
    assert first["initial_hearing"]["hearing_location"] == "sdg-ic-mpp"
    assert first["initial_hearing"]["time_zone"] == "America/Los_Angeles"
    assert first["served_by"]["id"] == officer.pk
    assert first["is_filed"] is False and first["filed_on"] is None
    assert first["allegations"][0] == "You are not a citizen or national of the United States."
    assert first["allegations"][1] == "You are a native of Honduras and a citizen of Honduras."
    assert "arriving alien" in first["allegations"][3]
    at.refresh_from_db()
    assert at.booked == 2
    assert TearSheet.objects.filter(case__in=cases, version=1).count() == 2
    assert AccessLog.objects.filter(object_type="nta", channel="api").count() == 1


def test_n3_an_interpreter_and_its_language_are_recorded(api_for, officer):
    cases = amenable_family(1, "sys-poe")
    body = _serve_body(
        slot(), interpretation="telephonic", interpreter_language="es", oral_notice_language="es"
    )

    response = api_for(officer).post(f"{API}/families/{cases[0].encounter_id}/nta/", body, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()[0]["interpretation"], response.json()[0]["interpreter_language"]) == (
        "telephonic",
        "es",
    )


def test_serving_a_served_family_again_changes_nothing(api_for, officer):
    cases = amenable_family(1, "sys-poe")
    at = slot()
    client = api_for(officer)
    first = client.post(f"{API}/families/{cases[0].encounter_id}/nta/", _serve_body(at), format="json")

    again = client.post(f"{API}/families/{cases[0].encounter_id}/nta/", _serve_body(at), format="json")

    assert again.status_code == 201
    assert [row["id"] for row in again.json()] == [row["id"] for row in first.json()]
    at.refresh_from_db()
    assert at.booked == 1


def test_the_slot_race_the_family_that_finds_the_slot_full_is_refused_409_slot_full(api_for, officer):
    at = slot(capacity=2)
    first_family = amenable_family(2, "sys-poe")
    second_family = amenable_family(1, "sys-poe")
    client = api_for(officer)
    won = client.post(f"{API}/families/{first_family[0].encounter_id}/nta/", _serve_body(at), format="json")

    lost = client.post(f"{API}/families/{second_family[0].encounter_id}/nta/", _serve_body(at), format="json")

    assert won.status_code == 201
    body = refusal(lost, 409)
    assert body["code"] == "slot_full"
    assert "0 places left" in body["detail"]
    at.refresh_from_db()
    assert at.booked == 2
    second_family[0].refresh_from_db()
    assert second_family[0].status == CaseStatus.AMENABLE
    assert not NoticeToAppear.objects.filter(case=second_family[0]).exists()


def test_s1_a_pending_fear_claim_refuses_the_familys_service_with_its_rule(api_for, officer):
    cases = amenable_family(2, "sys-poe")
    Hold.objects.create(
        case=cases[1],
        kind="fear_claim",
        rule="S1",
        reason="Fear of return stated",
        location=cases[1].location,
        opened_by=officer,
    )

    response = api_for(officer).post(
        f"{API}/families/{cases[0].encounter_id}/nta/", _serve_body(slot()), format="json"
    )

    body = refusal(response, 409)
    assert body.get("rule") in {"S1", "S4"}
    assert not NoticeToAppear.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"slot": None}, "slot", "null"),
        ({"slot": 10**19}, "slot", "max_value"),
        ({"charges": []}, "charges", "empty"),
        ({"charges": ["999(z)"]}, "charges", "invalid"),
        ({"classification": "tourist"}, "classification", "invalid_choice"),
        ({"oral_notice_language": "xx"}, "oral_notice_language", "invalid"),
        ({"interpretation": "in_person"}, "interpreter_language", "n3_interpretation"),
        ({"interpreter_language": "es"}, "interpreter_language", "n3_interpretation"),
        ({"address": {"address": "Calle 1", "city": "", "state": "BC"}}, "address.city", "blank"),
        ({"address": {"address": "Calle 1", "city": "  ", "state": "BC"}}, "address.city", "blank"),
        ({"served_at": "2026-01-01T10:00:00"}, "served_at", "naive"),
        ({"cases": [10**12]}, "cases", "invalid"),
    ],
)
def test_bad_service_input_names_the_field_and_saves_nothing(api_for, officer, overrides, field, code):
    cases = amenable_family(1, "sys-poe")
    at = slot()

    response = api_for(officer).post(
        f"{API}/families/{cases[0].encounter_id}/nta/", _serve_body(at, **overrides), format="json"
    )

    body = refusal(response)
    assert (body["field"], body["code"]) == (field, code)
    assert not NoticeToAppear.objects.exists()
    assert not Hearing.objects.exists()
    at.refresh_from_db()
    assert at.booked == 0
    cases[0].refresh_from_db()
    assert cases[0].status == CaseStatus.AMENABLE


def test_a_slot_that_does_not_exist_is_refused_naming_it(api_for, officer):
    cases = amenable_family(1, "sys-poe")
    missing = slot()
    missing_id = missing.pk
    missing.delete()

    response = api_for(officer).post(
        f"{API}/families/{cases[0].encounter_id}/nta/", _serve_body(missing, slot=missing_id), format="json"
    )

    assert refusal(response)["field"] == "slot"
    assert not NoticeToAppear.objects.exists()


# --- NTAs: reading and filing (M3/M4) ----------------------------------------------------------------------


def test_an_nta_record_reads_with_its_allegations_charges_and_service(api_for, court_clerk):
    _, ntas, _ = _served("sys-poe")

    response = api_for(court_clerk).get(f"{API}/ntas/{ntas[0].pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["citizen_of"] == "HN"
    assert body["arrived_at"]["code"] == "sys-poe"
    assert body["allegations"][2].startswith(
        "You arrived in the United States at San Ysidro Port of Entry on"
    )
    assert body["charges"][0]["code"] == CHARGE and body["charges"][0]["text"].startswith("An immigrant who")
    assert body["service_manner"] == "in_person"
    assert AccessLog.objects.filter(object_type="nta", object_ids=[str(ntas[0].pk)]).exists()


def test_m3_filing_sets_filed_on_and_moves_the_nta_out_of_the_filing_queue(api_for, court_clerk):
    _, ntas, _ = _served("sys-poe")
    _, others, _ = _served("sys-poe")
    client = api_for(court_clerk)
    queue_before = _results(client.get(f"{API}/ntas/", {"filed": "false"}))
    today = timezone.localdate()

    response = client.post(
        f"{API}/ntas/file/", {"nta_ids": [ntas[0].pk], "filed_on": today.isoformat()}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()[0]["filed_on"] == today.isoformat()
    assert response.json()[0]["filed_by"]["id"] == court_clerk.pk
    ntas[0].refresh_from_db()
    assert (ntas[0].filed_on, ntas[0].filed_by) == (today, court_clerk)
    assert CaseEvent.objects.filter(case=ntas[0].case, type="nta.filed").count() == 1
    assert [row["id"] for row in queue_before] == [ntas[0].pk, others[0].pk]  # oldest served first
    assert [row["id"] for row in _results(client.get(f"{API}/ntas/", {"filed": "false"}))] == [others[0].pk]
    assert [row["id"] for row in _results(client.get(f"{API}/ntas/", {"filed": "true"}))] == [ntas[0].pk]
    assert [row["id"] for row in _results(client.get(f"{API}/ntas/"))] == [others[0].pk, ntas[0].pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"nta_ids": [], "filed_on": "TODAY"}, "nta_ids"),
        ({"nta_ids": [10**12], "filed_on": "TODAY"}, "nta_ids"),
        ({"nta_ids": "NTA", "filed_on": "TOMORROW"}, "filed_on"),
        ({"nta_ids": "NTA", "filed_on": "1899-12-31"}, "filed_on"),
        ({"nta_ids": "NTA"}, "filed_on"),
    ],
)
def test_m3_bad_filing_input_names_the_field_and_files_nothing(api_for, court_clerk, body, field):
    _, ntas, _ = _served("sys-poe")
    today = timezone.localdate()
    words = {"TODAY": today.isoformat(), "TOMORROW": (today + dt.timedelta(days=1)).isoformat()}
    sent = {
        key: (
            [ntas[0].pk] if value == "NTA" else words.get(value, value) if isinstance(value, str) else value
        )
        for key, value in body.items()
    }

    response = api_for(court_clerk).post(f"{API}/ntas/file/", sent, format="json")

    assert refusal(response)["field"] == field
    assert not NoticeToAppear.objects.filter(filed_on__isnull=False).exists()


def test_the_ntas_court_filter_and_a_bad_filter_value(api_for, court_clerk):
    _, sdg, _ = _served("sys-poe")
    _, lrd, _ = _served("lrd-poe", place="lrd-ihf")
    client = api_for(court_clerk)

    at_san_antonio = _results(client.get(f"{API}/ntas/", {"court": "sna-ic"}))
    bad = client.get(f"{API}/ntas/", {"court": "nowhere"})
    bad_flag = client.get(f"{API}/ntas/", {"filed": "perhaps"})

    assert [row["id"] for row in at_san_antonio] == [lrd[0].pk]
    assert refusal(bad)["field"] == "court"
    assert refusal(bad_flag)["field"] == "filed"
    assert sdg  # served too, at another court


# --- hearings: lists, the docket, moves (H2) and the reissued tear sheet (N5) ------------------------------------


def test_a_hearing_reads_in_the_hearing_locations_zone_with_the_report_time_in_the_ports(
    api_for, court_clerk
):
    """Nogales returns are heard in El Paso (Mountain time) and report at Nogales (Arizona time), 5 hours
    before (H1)."""
    at = slot(place="elp-ic-nog", hour=9, minute=0)
    _, ntas, _ = _served("nog-poe", at=at)

    body = api_for(court_clerk).get(f"{API}/hearings/{ntas[0].initial_hearing_id}/").json()

    assert body["hearing_location"] == "elp-ic-nog"
    assert body["time_zone"] == "America/Denver"
    assert body["report_time_zone"] == "America/Phoenix"
    assert body["reporting_port"] == "nog-poe"
    local = dt.datetime.fromisoformat(body["starts_at_local"])
    assert (local.hour, local.minute) == (9, 0)
    assert local.utcoffset() in {dt.timedelta(hours=-7), dt.timedelta(hours=-6)}
    report = dt.datetime.fromisoformat(body["report_at_local"])
    assert report.utcoffset() == dt.timedelta(hours=-7)  # Arizona keeps standard time
    assert report == local - dt.timedelta(hours=5)
    assert body["status"] == "scheduled" and body["is_initial"] is True


def test_the_docket_of_a_day_at_a_hearing_location(api_for, court_clerk):
    on_day = slot(days_ahead=10)
    next_day = slot(days_ahead=11)
    _, heard, _ = _served("sys-poe", at=on_day)
    _served("sys-poe", at=next_day)
    day = timezone.localtime(on_day.starts_at, hearing_location("sdg-ic-mpp").zone).date()
    client = api_for(court_clerk)

    docket = _results(
        client.get(f"{API}/hearings/", {"hearing_location": "sdg-ic-mpp", "day": day.isoformat()})
    )
    without_place = client.get(f"{API}/hearings/", {"day": day.isoformat()})

    assert [row["id"] for row in docket] == [heard[0].initial_hearing_id]
    body = refusal(without_place)
    assert (body["field"], body["code"]) == ("day", "hearing_location_required")


def test_h2_rescheduling_answers_the_new_hearing_and_the_relay_reissues_the_tear_sheet_n5(
    api_for, court_clerk, printer
):
    cases, ntas, sheets = _served("sys-poe")
    old = ntas[0].initial_hearing
    target = slot(days_ahead=20)
    client = api_for(court_clerk)

    response = client.post(
        f"{API}/hearings/move/",
        {"hearing_ids": [old.pk], "slot": target.pk, "mode": "rescheduled", "reason": "Judge unavailable"},
        format="json",
    )

    assert response.status_code == 201, response.content
    new = response.json()[0]
    assert (new["replaces"], new["slot"], new["status"]) == (old.pk, target.pk, "scheduled")
    old.refresh_from_db()
    assert old.status == Hearing.Status.RESCHEDULED
    assert old.replaced_by.pk == new["id"]
    assert client.get(f"{API}/hearings/{old.pk}/").json()["replaced_by"] == new["id"]

    while outbox_relay():  # the event bus delivers hearing.rescheduled: the subscriber reissues (N5)
        pass

    v1 = TearSheet.objects.get(pk=sheets[0].pk)
    v2 = TearSheet.objects.get(case=cases[0], version=2)
    assert v2.hearing_id == new["id"] and v2.reason == TearSheet.Reason.REISSUED and v2.is_current
    assert v1.superseded_by == v2 and not v1.is_current
    read = {row["version"]: row for row in _results(client.get(f"{API}/tear-sheets/", {"case": cases[0].pk}))}
    assert read[1]["is_current"] is False
    assert read[1]["superseded_by"] == {"id": v2.pk, "version": 2}
    assert (read[2]["is_current"], read[2]["superseded_by"]) == (True, None)
    waiting = _results(api_for(printer).get(f"{API}/print-queue/"))
    assert [row["id"] for row in waiting] == [v2.pk]
    superseded = _results(api_for(printer).get(f"{API}/print-queue/", {"state": "superseded"}))
    assert [row["id"] for row in superseded] == [v1.pk]


def test_h2_a_family_moves_together_and_a_full_slot_is_refused_409(api_for, court_clerk):
    _, ntas, _ = _served("sys-poe", size=2)
    full = slot(days_ahead=20, capacity=1)
    ids = [n.initial_hearing_id for n in ntas]

    response = api_for(court_clerk).post(
        f"{API}/hearings/move/",
        {"hearing_ids": ids, "slot": full.pk, "mode": "rescheduled", "reason": "Courtroom closed"},
        format="json",
    )

    assert refusal(response, 409)["code"] == "slot_full"
    assert set(Hearing.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"scheduled"}
    assert Hearing.objects.count() == 2


def test_h2_moving_a_moved_hearing_again_is_a_conflict(api_for, court_clerk):
    _, ntas, _ = _served("sys-poe")
    old = ntas[0].initial_hearing
    hearings_move(
        hearing_ids=[old.pk],
        slot_id=slot(days_ahead=20).pk,
        mode="rescheduled",
        actor=court_clerk,
        reason="Ill",
    )

    response = api_for(court_clerk).post(
        f"{API}/hearings/move/",
        {"hearing_ids": [old.pk], "slot": slot(days_ahead=21).pk, "mode": "continued", "reason": "Again"},
        format="json",
    )

    assert refusal(response, 409)["code"] == "hearing_not_scheduled"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"reason": "   "}, "reason", "blank"),
        ({"reason": ""}, "reason", "blank"),
        ({"mode": "cancelled"}, "mode", "invalid_choice"),
        ({"hearing_ids": []}, "hearing_ids", "empty"),
        ({"hearing_ids": [0]}, "hearing_ids.0", "min_value"),
        ({"slot": "soon"}, "slot", "invalid"),
        ({"mode": "continued", "slot": "SAME_DAY"}, "slot", "h2_later_day"),
        ({"slot": "OTHER_COURT"}, "slot", "invalid"),
    ],
)
def test_h2_bad_move_input_names_the_field_and_moves_nothing(api_for, court_clerk, overrides, field, code):
    _, ntas, _ = _served("sys-poe", at=slot(days_ahead=10, hour=8))
    hearing = ntas[0].initial_hearing
    targets = {
        "SAME_DAY": slot(days_ahead=10, hour=13).pk,
        "OTHER_COURT": slot(place="lrd-ihf", days_ahead=20).pk,
    }
    body = {
        "hearing_ids": [hearing.pk],
        "slot": slot(days_ahead=20).pk,
        "mode": "rescheduled",
        "reason": "Ill",
    }
    body.update(
        {
            key: targets.get(value, value) if isinstance(value, str) else value
            for key, value in overrides.items()
        }
    )

    response = api_for(court_clerk).post(f"{API}/hearings/move/", body, format="json")

    body = refusal(response)
    assert (body["field"], body["code"]) == (field, code)
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.SCHEDULED
    assert Hearing.objects.count() == 1


# --- slots -----------------------------------------------------------------------------------------------


def test_court_staff_publish_slots_at_local_times_and_read_them_back(api_for, court_clerk):
    place = hearing_location("elp-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=12)
    client = api_for(court_clerk)

    response = client.post(
        f"{API}/hearing-slots/",
        {
            "hearing_location": "elp-ic-mpp",
            "day": day.isoformat(),
            "times": ["13:00", "08:30"],
            "capacity": 25,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    published = response.json()
    assert [dt.datetime.fromisoformat(row["starts_at_local"]).time() for row in published] == [
        dt.time(8, 30),
        dt.time(13, 0),
    ]
    assert {row["time_zone"] for row in published} == {"America/Denver"}
    assert {(row["capacity"], row["booked"], row["room"]) for row in published} == {(25, 0, 25)}
    listed = _results(
        client.get(
            f"{API}/hearing-slots/", {"hearing_location": "elp-ic-mpp", "from": day.isoformat(), "days": 1}
        )
    )
    assert [row["id"] for row in listed] == [row["id"] for row in published]


def test_slots_with_room_for_a_family(api_for, officer):
    roomy = slot(days_ahead=5, capacity=3)
    slot(days_ahead=6, capacity=1)

    rows = _results(
        api_for(officer).get(f"{API}/hearing-slots/", {"with_room": 2, "hearing_location": "sdg-ic-mpp"})
    )

    assert [row["id"] for row in rows] == [roomy.pk]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"times": ["25:00"]}, "times.0", "invalid"),
        ({"times": []}, "times", "empty"),
        ({"times": ["08:30", "08:30"]}, "times", "invalid"),
        ({"times": ["09:00"]}, "times", "slot_exists"),
        ({"capacity": 0}, "capacity", "min_value"),
        ({"capacity": 501}, "capacity", "max_value"),
        ({"day": "PAST"}, "day", "invalid"),
        ({"day": "9999-12-31"}, "day", "date_too_late"),
        ({"hearing_location": "atlantis"}, "hearing_location", "does_not_exist"),
    ],
)
def test_bad_slot_input_names_the_field_and_publishes_nothing(api_for, court_clerk, overrides, field, code):
    place = hearing_location("sdg-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=10)
    slot(days_ahead=10, hour=9, minute=0)  # already published: 09:00 that day
    before = HearingSlot.objects.count()
    body = {"hearing_location": "sdg-ic-mpp", "day": day.isoformat(), "times": ["08:30"], "capacity": 10}
    body.update(overrides)
    if body["day"] == "PAST":
        body["day"] = (day - dt.timedelta(days=20)).isoformat()

    response = api_for(court_clerk).post(f"{API}/hearing-slots/", body, format="json")

    body = refusal(response)
    assert (body["field"], body["code"]) == (field, code)
    assert HearingSlot.objects.count() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 63}, "days"),
        ({"from": "9999-12-31"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"with_room": -1}, "with_room"),
        ({"hearing_location": "nul\x00"}, "hearing_location"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_slot_filters_name_the_parameter(api_for, officer, query, field):
    response = api_for(officer).get(f"{API}/hearing-slots/", query)

    assert refusal(response)["field"] == field


def test_hearing_locations_carry_the_reporting_port_in_its_own_zone(api_for, officer):
    rows = _results(api_for(officer).get(f"{API}/hearing-locations/"))

    nogales = next(row for row in rows if row["code"] == "elp-ic-nog")
    assert nogales["court"]["code"] == "elp-ic"
    assert nogales["time_zone"] == "America/Denver"
    assert nogales["reporting_port"]["code"] == "nog-poe"
    assert nogales["reporting_port"]["time_zone"] == "America/Phoenix"
    assert nogales["report_lead_minutes"] == 5 * 60
    laredo = next(row for row in rows if row["code"] == "lrd-ihf")
    assert (laredo["kind"], laredo["facility"]) == ("hearing_facility", "lrd-ihf")


# --- tear sheets, their PDFs and printing --------------------------------------------------------------------


def test_a_tear_sheet_and_its_pdf(api_for, printer):
    _, _, sheets = _served("sys-poe")
    client = api_for(printer)

    sheet = client.get(f"{API}/tear-sheets/{sheets[0].pk}/").json()
    pdf = client.get(sheet["pdf_url"])

    assert (sheet["version"], sheet["reason"], sheet["is_current"], sheet["language_code"]) == (
        1,
        "new",
        True,
        "es",
    )
    assert sheet["location"] == "sys-poe" and sheet["superseded_by"] is None
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(object_type="tear_sheet", path=sheet["pdf_url"]).count() == 1


def test_a_pdf_is_served_to_a_client_that_accepts_only_pdf_and_refusals_stay_json(api_for, printer, laredo):
    _, _, sheets = _served("sys-poe")
    client = api_for(printer)

    pdf = client.get(f"{API}/tear-sheets/{sheets[0].pk}/pdf/", HTTP_ACCEPT="application/pdf")
    missing = client.get(f"{API}/tear-sheets/{laredo['sheets'][0].pk}/pdf/", HTTP_ACCEPT="application/pdf")

    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"


def test_a_small_batch_is_built_at_once_and_its_pdf_downloads(api_for, printer):
    sheets = [_served("sys-poe")[2][0] for _ in range(INLINE_BATCH_MAX)]
    client = api_for(printer)

    response = client.post(f"{API}/print-batches/", {"sheet_ids": [s.pk for s in sheets]}, format="json")

    assert response.status_code == 201, response.content
    batch = response.json()
    size = INLINE_BATCH_MAX
    assert (batch["status"], batch["total"], batch["done"], batch["failed"]) == ("ready", size, size, 0)
    assert [item["sheet"] for item in batch["items"]] == [s.pk for s in sheets]
    assert {item["status"] for item in batch["items"]} == {"ok"}
    assert batch["location"] == "sys-poe"
    pdf = client.get(batch["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"{API}/print-batches/{batch['id']}/").json()["status"] == "ready"


def test_a_large_batch_is_left_to_the_task_and_its_pdf_is_409_until_ready(
    api_for, printer, django_capture_on_commit_callbacks
):
    sheets = [_served("sys-poe")[2][0] for _ in range(INLINE_BATCH_MAX + 1)]
    client = api_for(printer)

    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        response = client.post(f"{API}/print-batches/", {"sheet_ids": [s.pk for s in sheets]}, format="json")

    assert response.status_code == 201, response.content
    batch = response.json()
    assert (batch["status"], batch["done"], batch["pdf_url"]) == ("queued", 0, None)
    assert enqueued  # the build task, after commit
    body = refusal(client.get(f"{API}/print-batches/{batch['id']}/pdf/"), 409)
    assert body["code"] == "batch_not_ready"
    assert (
        refusal(client.post(f"{API}/print-batches/{batch['id']}/printed/"), 409)["code"] == "batch_not_ready"
    )

    print_batch_build(batch_id=batch["id"])  # what the task runs

    assert client.get(f"{API}/print-batches/{batch['id']}/").json()["done"] == INLINE_BATCH_MAX + 1
    assert client.get(f"{API}/print-batches/{batch['id']}/pdf/").content.startswith(b"%PDF")


def test_marking_a_batch_printed_records_who_and_moves_the_sheets_to_printed(api_for, printer):
    _, _, sheets = _served("sys-poe")
    batch = _ready_batch(sheets, printer)
    client = api_for(printer)

    response = client.post(f"{API}/print-batches/{batch.pk}/printed/")

    assert response.status_code == 200
    assert response.json()["marked_printed_at"] is not None
    sheet = client.get(f"{API}/tear-sheets/{sheets[0].pk}/").json()
    assert (sheet["printed_by"], sheet["print_count"]) == (printer.pk, 1)
    assert [row["id"] for row in _results(client.get(f"{API}/print-queue/", {"state": "printed"}))] == [
        sheets[0].pk
    ]
    assert _results(client.get(f"{API}/print-queue/")) == []


@pytest.mark.parametrize(
    ("sheet_ids", "field", "code"),
    [
        ([], "sheet_ids", "empty"),
        (["x"], "sheet_ids.0", "invalid"),
        ("SUPERSEDED", "sheet_ids", "superseded"),
    ],
)
def test_bad_batch_input_names_the_field_and_creates_no_batch(
    api_for, printer, court_clerk, sheet_ids, field, code
):
    _, ntas, sheets = _served("sys-poe")
    if sheet_ids == "SUPERSEDED":
        hearings_move(
            hearing_ids=[ntas[0].initial_hearing_id],
            slot_id=slot(days_ahead=20).pk,
            mode="rescheduled",
            actor=court_clerk,
            reason="Ill",
        )
        while outbox_relay():
            pass
        sheet_ids = [sheets[0].pk]

    response = api_for(printer).post(f"{API}/print-batches/", {"sheet_ids": sheet_ids}, format="json")

    body = refusal(response)
    assert (body["field"], body["code"]) == (field, code)
    if code == "superseded":
        assert body["rule"] == "N5"
    assert not PrintBatch.objects.exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"hearing_on": "someday"}, "hearing_on"),
        ({"court": "nowhere"}, "court"),
    ],
)
def test_bad_print_queue_filters_name_the_parameter(api_for, printer, query, field):
    assert refusal(api_for(printer).get(f"{API}/print-queue/", query))["field"] == field


# --- change of address (N6) ------------------------------------------------------------------------------


def test_n6_a_recorded_eoir33_is_the_current_address_first_in_the_history(api_for, court_clerk):
    cases, _, _ = _served("sys-poe")
    client = api_for(court_clerk)

    response = client.post(f"{API}/cases/{cases[0].pk}/addresses/", _address_body(), format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["source"], created["how_received"], created["is_current"]) == ("eoir33", "mail", True)
    assert created["recorded_by"]["id"] == court_clerk.pk
    history = client.get(f"{API}/cases/{cases[0].pk}/addresses/").json()
    assert [(row["source"], row["is_current"]) for row in history] == [("eoir33", True), ("nta", False)]
    assert history[0]["one_line"] == "Avenida Revolución 45, Zona Centro, Tijuana, Baja California, Mexico"
    assert CaseEvent.objects.filter(case=cases[0], type="address.changed").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"city": ""}, "city"),
        ({"city": "   "}, "city"),
        ({"how_received": "at_service"}, "how_received"),
        ({"received_on": "TOMORROW"}, "received_on"),
        ({"received_on": "1800-01-01"}, "received_on"),
        ({"address": "x" * 2001}, "address"),
    ],
)
def test_n6_bad_address_input_names_the_field_and_records_nothing(api_for, officer, overrides, field):
    cases, _, _ = _served("sys-poe")
    if overrides.get("received_on") == "TOMORROW":
        overrides = {"received_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}

    response = api_for(officer).post(
        f"{API}/cases/{cases[0].pk}/addresses/", _address_body(**overrides), format="json"
    )

    assert refusal(response)["field"] == field
    assert not AddressInMexico.objects.filter(source=AddressInMexico.Source.EOIR33).exists()


def test_n6_no_address_change_before_the_nta_is_a_conflict(api_for, officer):
    case = amenable_family(1, "sys-poe")[0]

    response = api_for(officer).post(f"{API}/cases/{case.pk}/addresses/", _address_body(), format="json")

    assert refusal(response, 409)["code"] == "no_nta"


# --- lists read in a fixed number of queries (STYLE rule 8) ----------------------------------------------------


def _count(client: APIClient, path: str, query: dict[str, Any] | None = None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, query or {})
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return len(rows), len(ctx.captured_queries)


def _serve_more(count: int, **kwargs: Any) -> None:
    for _ in range(count):
        _served("sys-poe", **kwargs)


LISTS = [
    ("hearings", None),
    ("hearings", {"hearing_location": "sdg-ic-mpp"}),
    ("ntas", None),
    ("ntas", {"filed": "false"}),
    ("ntas", {"filed": "true", "court": "sdg-ic"}),
    ("tear-sheets", None),
    ("tear-sheets", {"state": "waiting"}),
    ("print-queue", None),
    ("print-queue", {"location": "sys-poe", "court": "sdg-ic"}),
]


@pytest.mark.parametrize(("endpoint", "query"), LISTS)
def test_case_data_lists_read_in_as_many_queries_for_many_rows_as_for_few(
    api_for, printer, court_clerk, endpoint, query
):
    reader = printer if endpoint == "print-queue" else user_with_role(Role.CBP_SUPERVISOR)
    client = api_for(reader)
    path = f"{API}/{endpoint}/"
    client.get(path, query or {})  # the first request of a session warms caches
    at = slot(capacity=200)

    _serve_more(2, at=at)
    if query and query.get("filed") == "true":
        nta_file(
            nta_ids=list(NoticeToAppear.objects.values_list("pk", flat=True)),
            filed_on=timezone.localdate(),
            actor=court_clerk,
        )
    few_rows, few = _count(client, path, query)
    _serve_more(8, at=at)
    if query and query.get("filed") == "true":
        nta_file(
            nta_ids=list(NoticeToAppear.objects.values_list("pk", flat=True)),
            filed_on=timezone.localdate(),
            actor=court_clerk,
        )
    many_rows, many = _count(client, path, query)

    assert (few_rows, many_rows) == (2, 10)
    assert many == few
    assert many <= 9


def test_the_slot_list_reads_in_as_many_queries_for_many_slots_as_for_few(api_for, officer):
    client = api_for(officer)
    client.get(f"{API}/hearing-slots/")
    for day in (3, 4):
        slot(days_ahead=day)
    few_rows, few = _count(client, f"{API}/hearing-slots/")
    for day in range(5, 13):
        slot(days_ahead=day, place="elp-ic-mpp")

    many_rows, many = _count(client, f"{API}/hearing-slots/")

    assert (few_rows, many_rows) == (2, 10)
    assert many == few


def test_the_hearing_location_list_reads_in_as_many_queries_for_many_places_as_for_few(api_for, officer):
    client = api_for(officer)
    client.get(f"{API}/hearing-locations/")
    few_rows, few = _count(client, f"{API}/hearing-locations/")
    template = hearing_location("lrd-ihf")
    for i in range(4):
        HearingLocation.objects.create(
            code=f"test-place-{i}",
            name=f"Test place {i}",
            kind=template.kind,
            court=template.court,
            facility=template.facility,
            address=template.address,
            time_zone=template.time_zone,
            reporting_port=location("egp-poe"),
            report_lead=template.report_lead,
        )

    many_rows, many = _count(client, f"{API}/hearing-locations/")

    assert many_rows == few_rows + 4
    assert many == few


def test_the_address_history_reads_in_as_many_queries_for_many_addresses_as_for_few(api_for, court_clerk):
    cases, _, _ = _served("sys-poe")
    client = api_for(court_clerk)
    path = f"{API}/cases/{cases[0].pk}/addresses/"
    client.get(path)
    few_rows, few = _count(client, path)
    for i in range(5):
        address_change_record(
            case_id=cases[0].pk,
            address=AddressInput(address=f"Calle {i}", city="Tijuana", state="Baja California"),
            received_on=timezone.localdate() - dt.timedelta(days=5 - i),
            how_received="mail",
            actor=court_clerk,
        )

    many_rows, many = _count(client, path)

    assert (few_rows, many_rows) == (1, 6)
    assert many == few


@pytest.mark.parametrize(
    ("endpoint", "order"), [("tear-sheets", ("-issued_at", "-id")), ("print-queue", ("issued_at", "id"))]
)
def test_lists_read_ids_first_walk_their_pages_like_the_one_query_lists(api_for, printer, endpoint, order):
    # narrow_page (mpp.api.ViewOrderedCursorPagination): the page's ids from the table alone, then the rows with
    # their joins; the pages must hold the same rows, in the same order, each once, with their joined fields.
    _serve_more(5)
    client = api_for(printer)  # posted at San Ysidro: the tear sheet list reads ids first for location users

    first = client.get(f"{API}/{endpoint}/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    rows = [row for page in (first, second, third) for row in page["results"]]
    assert [row["id"] for row in rows] == list(
        TearSheet.objects.order_by(*order).values_list("pk", flat=True)
    )
    assert third["next"] is None
    assert all(row["person"]["a_number"] for row in rows)  # joined through the case to the person


def test_a_list_page_is_recorded_in_one_access_log_row_naming_its_rows(api_for, court_clerk):
    _serve_more(3)
    client = api_for(court_clerk)

    rows = _results(client.get(f"{API}/tear-sheets/"))

    logged = AccessLog.objects.get(object_type="tear_sheet", channel="api")
    assert logged.user == court_clerk
    assert logged.object_ids == [str(row["id"]) for row in rows]


def test_lists_are_keyset_pages_that_follow_their_next_link(api_for, court_clerk):
    _serve_more(5)
    client = api_for(court_clerk)

    first = client.get(f"{API}/hearings/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert seen == list(Hearing.objects.order_by("starts_at", "id").values_list("pk", flat=True))
    assert third["next"] is None
