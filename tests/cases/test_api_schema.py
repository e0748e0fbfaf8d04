"""The OpenAPI schema and the documentation pages of /api/v1/.

Choice (cases.api.urls): any signed-in user, by token or session, may read the schema and the docs; anonymous
callers may not. The schema holds no personal data but maps the personal records and the role table.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from mpp.accounts.roles import Role
from mpp.accounts.services import api_token_create
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

COLLECTIONS = ["/api/v1/aliens/", "/api/v1/family-units/", "/api/v1/encounters/", "/api/v1/cases/"]
CASE_ACTIONS = [
    "/api/v1/cases/{id}/timeline/",
    "/api/v1/cases/search/",
    "/api/v1/cases/{id}/allowed-transitions/",
    "/api/v1/cases/{id}/holds/",
    "/api/v1/cases/{id}/holds/open/",
    "/api/v1/cases/{id}/holds/{hold_id}/release/",
]
# The 13 statuses of the case (RULES.md A3, N1, H1, H4, H5, S4). A pending fear claim is a hold, not a status.
CASE_STATUSES = [
    "screening",
    "awaiting_review",
    "amenable",
    "not_amenable",
    "enrolled",
    "in_mexico",
    "in_us_for_hearing",
    "removed_from_mpp",
    "completed_relief",
    "completed_removal_order",
    "completed_other",
    "handed_to_ice",
    "reopened",
]


def _schema(client: APIClient) -> dict:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_signed_in_user_gets_an_openapi_schema_with_every_registry_path(officer):
    client = APIClient()
    client.force_login(officer)

    schema = _schema(client)

    assert schema["openapi"].startswith("3.")
    for path in COLLECTIONS + CASE_ACTIONS:
        assert path in schema["paths"], path
    # Step 8: no generic status change; allowed-transitions names the workflow that makes each move.
    assert "/api/v1/cases/{id}/transition/" not in schema["paths"]
    assert "CaseTransitionRequest" not in schema["components"]["schemas"]
    assert set(schema["paths"]["/api/v1/cases/{id}/allowed-transitions/"]) == {"get"}
    option = schema["components"]["schemas"]["StatusOption"]["properties"]
    assert {"status", "label", "workflow", "where", "refusal"} <= set(option)


def test_the_schema_is_served_to_a_token_holder_even_without_a_case_role():
    analyst = user_with_role(Role.ANALYST)
    client = APIClient()
    _, secret = api_token_create(user=analyst, name="schema")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    schema = _schema(client)

    assert "/api/v1/cases/" in schema["paths"]


def test_every_operation_names_the_roles_it_admits(officer):
    client = APIClient()
    client.force_login(officer)

    schema = _schema(client)

    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path not in {"/api/v1/schema/"}
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    registry = [
        op
        for op in operations
        if op[0].startswith(("/api/v1/aliens/", "/api/v1/family-units/", "/api/v1/encounters/"))
    ]
    assert len(registry) >= 9  # list, retrieve, create on each of the three collections (at least)
    for path, method, operation in operations:  # every operation of the whole API, later steps' too
        assert "**Roles admitted:**" in operation["description"], (path, method)
    allowed = schema["paths"]["/api/v1/cases/{id}/allowed-transitions/"]["get"]
    assert "`court_staff`" in allowed["description"]
    assert "`analyst`" not in allowed["description"] and "`print_staff`" not in allowed["description"]
    assert {"403", "404"} <= set(allowed["responses"])
    hold_open = schema["paths"]["/api/v1/cases/{id}/holds/open/"]["post"]
    assert "`cbp_officer`" in hold_open["description"] and "`court_staff`" in hold_open["description"]
    assert "`asylum_officer`" not in hold_open["description"]
    release = schema["paths"]["/api/v1/cases/{id}/holds/{hold_id}/release/"]["post"]
    assert "**Roles admitted:** `supervisory_asylum_officer`." in release["description"]
    assert "409" in release["responses"]
    holds = schema["paths"]["/api/v1/cases/{id}/holds/"]["get"]
    assert "`print_staff`" not in holds["description"] and "`analyst`" not in holds["description"]


def test_case_status_is_one_enum_component(officer):
    client = APIClient()
    client.force_login(officer)

    components = _schema(client)["components"]["schemas"]

    assert components["CaseStatus"]["enum"] == CASE_STATUSES
    assert "fear_claim_pending" not in components["CaseStatus"]["enum"]
    assert "CaseStatus" in str(components["Case"]["properties"]["status"])


def test_the_docs_page_is_served_to_a_signed_in_user(officer):
    client = APIClient()
    client.force_login(officer)

    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
    assert b"/api/v1/schema/" in response.content


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"])
def test_anonymous_visitors_get_neither_schema_nor_docs(path):
    response = APIClient().get(path)

    assert response.status_code in (401, 403)


def test_the_schema_generates_without_warnings(tmp_path):
    # Raises SchemaGenerationError on any warning or validation error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert (tmp_path / "schema.yml").read_text().startswith("openapi:")


# The operations that can conflict with the state of a record (409), written out from the descriptions of
# the workflows: holds (release), A3 (screening closed, submission, the decision and the return).
CONFLICTING = {
    ("/api/v1/cases/{id}/holds/{hold_id}/release/", "post"),
    ("/api/v1/cases/{case_id}/screening/", "put"),
    ("/api/v1/cases/{case_id}/screening/", "patch"),
    ("/api/v1/families/{encounter_id}/submit-for-review/", "post"),
    ("/api/v1/amenability-reviews/{id}/decide/", "post"),
    ("/api/v1/amenability-reviews/{id}/return/", "post"),
    # Step 6: a full slot, nobody amenable or a hold (serving the NTA); a hearing already moved or a closed
    # case (H2); no NTA yet (N6); a print batch not built yet.
    ("/api/v1/families/{encounter_id}/nta/", "post"),
    ("/api/v1/hearings/move/", "post"),
    ("/api/v1/cases/{case_id}/addresses/", "post"),
    ("/api/v1/print-batches/{id}/pdf/", "get"),
    ("/api/v1/print-batches/{id}/printed/", "post"),
    # Step 7: a person not or no longer in MPP (S1); an assessment already submitted or reviewed, no
    # interview scheduled, another supervisor's review first (S2, S3).
    ("/api/v1/fear-claims/", "post"),
    ("/api/v1/fear-claims/{id}/schedule/", "post"),
    ("/api/v1/fear-claims/{id}/assessment/", "post"),
    ("/api/v1/fear-claims/{id}/review/", "post"),
    # Step 7: no custody determination due (S4 custody_not_due); a hold released meanwhile (F4's exception).
    ("/api/v1/cases/{case_id}/custody-determinations/", "post"),
    ("/api/v1/holds/{hold_id}/exemptions/", "post"),
    # Step 8, O1: a hearing closed to the public (o1_closed_hearing), a request already decided.
    ("/api/v1/observer-requests/{id}/decide/", "post"),
    # Step 8, in court (H2-H5): a hearing not scheduled or not yet come, a checked-in person (H1), a case not
    # reopened (H5), an appeal out of step, a full slot; H4: the hand-off only on a final order.
    ("/api/v1/hearings/held/", "post"),
    ("/api/v1/hearings/failure-to-appear/", "post"),
    ("/api/v1/cases/{case_id}/hearings/schedule/", "post"),
    ("/api/v1/cases/{case_id}/completions/", "post"),
    ("/api/v1/completions/{id}/appeal/", "post"),
    ("/api/v1/cases/{case_id}/reopenings/", "post"),
    ("/api/v1/ero-handoffs/{id}/record/", "post"),
    # Step 8, hearing day (H1, N5, F4): the wrong day or too early, the wrong port, already returned, a
    # pending fear claim in the family, an overnight custody still open.
    ("/api/v1/arrivals/scan/", "post"),
    ("/api/v1/hearing-day/check-in/", "post"),
    ("/api/v1/hearing-day/transported/", "post"),
    ("/api/v1/hearing-day/failed-to-appear/", "post"),
    ("/api/v1/hearing-day/appearance/", "post"),
    ("/api/v1/hearing-day/overnight-in/", "post"),
    ("/api/v1/hearing-day/overnight-out/", "post"),
    ("/api/v1/hearing-day/return-to-mexico/", "post"),
}


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path != "/api/v1/schema/"
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_operation_documents_each_error_it_can_answer_in_the_one_error_body(officer):
    """403 everywhere; 404 wherever a path names a record; 400 and 415 wherever a body is read; 400 on every
    list (filters, cursor); 409 exactly on the operations that can conflict."""
    client = APIClient()
    client.force_login(officer)
    schema = _schema(client)

    for path, method, operation in _operations(schema):
        documented = set(operation["responses"])
        expected = {"403"}
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"400", "415"}
        if method == "get" and "{" not in path:
            expected.add("400")
        if (path, method) in CONFLICTING:
            expected.add("409")
        assert expected <= documented, (path, method, sorted(documented))
        assert ("409" in documented) == ((path, method) in CONFLICTING), (path, method)
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref in {"#/components/schemas/ApiError", "#/components/schemas/IntakeRefusal"}, (
                    path,
                    status,
                )


def test_the_intake_refusal_is_the_error_body_with_the_candidates(officer):
    client = APIClient()
    client.force_login(officer)

    components = _schema(client)["components"]["schemas"]

    error, refusal = components["ApiError"], components["IntakeRefusal"]
    assert set(refusal["properties"]) == set(error["properties"]) | {"candidates"}
    assert refusal["required"] == error["required"] == ["code", "detail"]
