"""The hearings API in the OpenAPI schema of /api/v1/ (step 6): every path and method, the roles each admits
(the very sets hearings.workflow enforces), the PDFs documented as binary, and one enum component per kind
of status so that generated clients get one type each."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from hearings.workflow import (
    ADDRESS_ROLES,
    COURT_ROLES,
    OBSERVER_ROLES,
    PORT_ROLES,
    PRINT_ROLES,
    READ_ROLES,
    SERVE_ROLES,
)

pytestmark = pytest.mark.django_db

# Written out from the brief of step 6.
OPERATIONS: dict[tuple[str, str], frozenset[str]] = {
    ("/api/v1/hearing-locations/", "get"): READ_ROLES,
    ("/api/v1/hearing-slots/", "get"): READ_ROLES,
    ("/api/v1/hearing-slots/", "post"): COURT_ROLES,
    ("/api/v1/hearings/", "get"): READ_ROLES,
    ("/api/v1/hearings/{id}/", "get"): READ_ROLES,
    ("/api/v1/hearings/move/", "post"): COURT_ROLES,
    ("/api/v1/ntas/", "get"): READ_ROLES,
    ("/api/v1/ntas/{id}/", "get"): READ_ROLES,
    ("/api/v1/ntas/file/", "post"): COURT_ROLES,
    ("/api/v1/families/{encounter_id}/nta/", "post"): SERVE_ROLES,
    ("/api/v1/tear-sheets/", "get"): READ_ROLES,
    ("/api/v1/tear-sheets/{id}/", "get"): READ_ROLES,
    ("/api/v1/tear-sheets/{id}/pdf/", "get"): READ_ROLES,
    ("/api/v1/print-queue/", "get"): PRINT_ROLES,
    ("/api/v1/print-batches/", "post"): PRINT_ROLES,
    ("/api/v1/print-batches/{id}/", "get"): PRINT_ROLES,
    ("/api/v1/print-batches/{id}/pdf/", "get"): PRINT_ROLES,
    ("/api/v1/print-batches/{id}/printed/", "post"): PRINT_ROLES,
    ("/api/v1/cases/{case_id}/addresses/", "get"): READ_ROLES,
    ("/api/v1/cases/{case_id}/addresses/", "post"): ADDRESS_ROLES,
    # Step 8, hearing day at the port (H1): CBP at the port; court staff also record attendance.
    ("/api/v1/arrivals/", "get"): PORT_ROLES,
    ("/api/v1/arrivals/scan/", "post"): PORT_ROLES,
    ("/api/v1/hearing-day/check-in/", "post"): PORT_ROLES,
    ("/api/v1/hearing-day/transported/", "post"): PORT_ROLES,
    ("/api/v1/hearing-day/failed-to-appear/", "post"): PORT_ROLES,
    ("/api/v1/hearing-day/appearance/", "post"): PORT_ROLES | COURT_ROLES,
    ("/api/v1/hearing-day/overnight-in/", "post"): PORT_ROLES,
    ("/api/v1/hearing-day/overnight-out/", "post"): PORT_ROLES,
    ("/api/v1/hearing-day/return-to-mexico/", "post"): PORT_ROLES,
    # Step 8, observers and press (O1, O2): court staff and CBP supervisors; closing a hearing: court staff.
    ("/api/v1/observer-requests/", "get"): OBSERVER_ROLES,
    ("/api/v1/observer-requests/", "post"): OBSERVER_ROLES,
    ("/api/v1/observer-requests/{id}/decide/", "post"): OBSERVER_ROLES,
    ("/api/v1/hearings/{hearing_id}/close-to-public/", "post"): COURT_ROLES,
    ("/api/v1/hearings/{hearing_id}/open-to-public/", "post"): COURT_ROLES,
    # Step 8, in court (H2-H5): read by the hearings' readers, written by court staff.
    ("/api/v1/docket/", "get"): READ_ROLES,
    ("/api/v1/hearings/held/", "post"): COURT_ROLES,
    ("/api/v1/hearings/failure-to-appear/", "post"): COURT_ROLES,
    ("/api/v1/cases/{case_id}/hearings/schedule/", "post"): COURT_ROLES,
    ("/api/v1/cases/{case_id}/representations/", "get"): READ_ROLES,
    ("/api/v1/cases/{case_id}/representations/", "post"): COURT_ROLES,
    ("/api/v1/representations/{id}/end/", "post"): COURT_ROLES,
    ("/api/v1/cases/{case_id}/completions/", "get"): READ_ROLES,
    ("/api/v1/cases/{case_id}/completions/", "post"): COURT_ROLES,
    ("/api/v1/completions/{id}/appeal/", "post"): COURT_ROLES,
    ("/api/v1/cases/{case_id}/reopenings/", "get"): READ_ROLES,
    ("/api/v1/cases/{case_id}/reopenings/", "post"): COURT_ROLES,
}
PDFS = {"/api/v1/tear-sheets/{id}/pdf/", "/api/v1/print-batches/{id}/pdf/"}


@pytest.fixture
def schema(officer) -> dict:
    client = APIClient()
    client.force_login(officer)
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    return response.json()


def _admitted(operation: dict) -> set[str]:
    sentence = operation["description"].split("**Roles admitted:**")[1]
    return set(re.findall(r"`([a-z_]+)`", sentence.split(".")[0]))


def test_the_schema_validates_and_has_every_hearings_operation(schema):
    validate_schema(schema)  # raises on anything OpenAPI 3 does not allow

    for path, method in OPERATIONS:
        assert method in schema["paths"].get(path, {}), (path, method)
    hearings_paths = {
        path
        for path in schema["paths"]
        if path.startswith(
            (
                "/api/v1/hearing",
                "/api/v1/ntas",
                "/api/v1/tear-sheets",
                "/api/v1/print-",
                "/api/v1/families/{encounter_id}/nta",
                "/api/v1/arrivals",
                "/api/v1/docket",
                "/api/v1/representations",
                "/api/v1/completions",
                "/api/v1/observer-requests",
            )
        )
        or path.endswith(
            ("/addresses/", "/representations/", "/completions/", "/reopenings/", "/hearings/schedule/")
        )
    }
    assert hearings_paths == {path for path, _ in OPERATIONS}


@pytest.mark.parametrize(("path", "method"), list(OPERATIONS))
def test_each_operation_names_exactly_the_roles_the_workflow_admits(schema, path, method):
    operation = schema["paths"][path][method]

    assert _admitted(operation) == {str(role) for role in OPERATIONS[(path, method)]}
    assert not {"analyst", "administrator"} & _admitted(operation)


@pytest.mark.parametrize("path", sorted(PDFS))
def test_the_pdfs_are_documented_as_binary_and_their_refusals_as_the_error_body(schema, path):
    responses = schema["paths"][path]["get"]["responses"]

    assert responses["200"]["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}
    }
    assert (
        responses["404"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ApiError"
    )


def test_the_batch_pdf_documents_its_conflict_until_the_batch_is_ready(schema):
    conflict = schema["paths"]["/api/v1/print-batches/{id}/pdf/"]["get"]["responses"]["409"]

    assert "`batch_not_ready`" in conflict["description"]


def test_each_status_and_kind_has_its_own_enum_component(schema):
    components = schema["components"]["schemas"]

    assert components["HearingStatus"]["enum"] == ["scheduled", "rescheduled", "continued", "held"]
    assert components["HearingMoveMode"]["enum"] == ["rescheduled", "continued"]
    assert components["PrintBatchStatus"]["enum"] == ["queued", "building", "ready", "failed"]
    assert components["PrintBatchItemStatus"]["enum"] == ["pending", "ok", "failed"]
    assert components["TearSheetState"]["enum"] == ["waiting", "printed", "superseded"]
    assert components["NtaInterpretation"]["enum"] == ["none", "in_person", "telephonic"]
    assert "at_service" not in components["Eoir33Received"]["enum"]  # N6: only an EOIR-33's ways
    assert "HearingStatus" in str(components["Hearing"]["properties"]["status"])


def test_the_slot_list_takes_from_days_and_with_room(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/hearing-slots/"]["get"]["parameters"]}

    assert {"hearing_location", "from", "days", "with_room", "cursor"} <= parameters


def test_serving_answers_the_members_ntas(schema):
    created = schema["paths"]["/api/v1/families/{encounter_id}/nta/"]["post"]["responses"]["201"]

    body = created["content"]["application/json"]["schema"]
    assert body["type"] == "array" and body["items"]["$ref"] == "#/components/schemas/Nta"
