"""M1 (RULES.md): relief granted — INA 240 proceedings of MPP aliens that ended in asylum, statutory
withholding of removal or CAT withholding, as of a chosen date (CAT deferral, voluntary departure and the
other outcomes do not count)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearings.models import Completion
from metrics.selectors import M1_DECISIONS, M1Counts, m1_relief_granted
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.metrics.court_rows import YEAR, completed, day, reopened, served

pytestmark = pytest.mark.django_db

D = Completion.Decision


def test_m1_relief_is_asylum_withholding_and_cat_withholding_only():
    assert frozenset(M1_DECISIONS) == Completion.M1_RELIEF
    assert D.CAT_DEFERRAL not in Completion.M1_RELIEF and D.VOLUNTARY_DEPARTURE not in Completion.M1_RELIEF


def test_m1_counts_asylum_withholding_cat_withholding_not_cat_deferral_or_voluntary_departure():
    ntas = served(8, filed=day(1, 10))
    decisions = [D.ASYLUM, D.ASYLUM, D.WITHHOLDING, D.CAT_WITHHOLDING, D.CAT_DEFERRAL, D.VOLUNTARY_DEPARTURE,
                 D.REMOVAL_IN_ABSENTIA, D.TERMINATION]  # fmt: skip
    for nta, decision in zip(ntas, decisions, strict=True):
        completed(nta.case_id, decision, day(3, 4))

    report = m1_relief_granted(as_of=day(12, 31))

    assert report.total == M1Counts(asylum=2, withholding=1, cat_withholding=1)
    assert report.total.total == 4
    assert [(row.court.code, row.counts.total) for row in report.courts] == [("sdg-ic", 4)]
    assert [(row.month, row.counts.total) for row in report.months] == [(day(3, 1), 4)]


def test_m1_as_of_excludes_decisions_after_the_date():
    first, second = served(2, filed=day(1, 10))
    completed(first.case_id, D.ASYLUM, day(3, 31))
    completed(second.case_id, D.WITHHOLDING, day(4, 1))

    assert m1_relief_granted(as_of=day(3, 30)).total == M1Counts()
    assert m1_relief_granted(as_of=day(3, 31)).total == M1Counts(asylum=1)
    assert m1_relief_granted(as_of=day(4, 1)).total == M1Counts(asylum=1, withholding=1)


def test_m1_h5_a_reopened_grant_stops_counting_and_counts_once_when_granted_again():
    (nta,) = served(filed=day(1, 10))
    grant = completed(nta.case_id, D.ASYLUM, day(2, 1))
    reopening = reopened(grant, day(5, 1), kind="remand")
    completed(nta.case_id, D.ASYLUM, day(8, 1), after=reopening)

    assert m1_relief_granted(as_of=day(4, 30)).total == M1Counts(asylum=1)
    assert m1_relief_granted(as_of=day(5, 1)).total == M1Counts()  # reopened: back on the docket
    after = m1_relief_granted(as_of=day(12, 31))
    assert after.total == M1Counts(asylum=1)  # once, not twice
    assert [row.month for row in after.months] == [day(8, 1)]


def test_m1_h5_a_removal_order_reopened_and_then_relief_counts_the_relief():
    (nta,) = served(filed=day(1, 10))
    order = completed(nta.case_id, D.REMOVAL_IN_ABSENTIA, day(2, 1))
    completed(nta.case_id, D.CAT_WITHHOLDING, day(6, 1), after=reopened(order, day(3, 1)))

    assert m1_relief_granted(as_of=day(5, 31)).total == M1Counts()
    assert m1_relief_granted(as_of=day(6, 1)).total == M1Counts(cat_withholding=1)


def test_m1_by_court_of_the_nta():
    (sdg,) = served(filed=day(1, 10))
    (lrd,) = served(place="lrd-ihf", port="lrd-poe", filed=day(1, 10))
    completed(sdg.case_id, D.ASYLUM, day(3, 1))
    completed(lrd.case_id, D.WITHHOLDING, day(3, 2))

    report = m1_relief_granted(as_of=day(12, 31))

    by_court = {row.court.code: row.counts for row in report.courts}
    assert by_court == {"sdg-ic": M1Counts(asylum=1), "sna-ic": M1Counts(withholding=1)}


def test_m1_page_and_api(client_for):
    (nta,) = served(filed=day(1, 10))
    completed(nta.case_id, D.ASYLUM, day(3, 4))
    client = client_for(user_with_role(Role.ANALYST))

    page = client.get("/metrics/", {"as_of": f"{YEAR}-06-30"})
    api = client.get("/api/v1/metrics/m1/", {"as_of": f"{YEAR}-06-30"})

    assert page.status_code == 200
    assert page.context["m1"].total == M1Counts(asylum=1)
    html = page.content.decode()
    assert 'data-testid="m1"' in html and "Deferral of removal under CAT" in html
    assert api.status_code == 200
    body = api.json()
    assert body["metric"] == "M1" and body["as_of"] == f"{YEAR}-06-30"
    assert body["total"] == {"asylum": 1, "withholding": 0, "cat_withholding": 0, "total": 1}
    assert body["courts"][0]["court"]["code"] == "sdg-ic"
    assert body["months"] == [
        {"month": f"{YEAR}-03", "counts": {"asylum": 1, "withholding": 0, "cat_withholding": 0, "total": 1}}
    ]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR, Role.ASYLUM_OFFICER])
def test_m1_is_read_by_the_metric_roles(client_for, role):
    client = client_for(user_with_role(role))

    assert client.get("/api/v1/metrics/m1/").status_code == 200
    assert client.get("/metrics/").status_code == 200


@pytest.mark.parametrize(
    "role",
    [Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR, Role.COURT_STAFF, Role.ICE_OFFICER,
     Role.PRINT_STAFF],
)  # fmt: skip
def test_m1_is_refused_to_other_roles(client_for, role):
    client = client_for(user_with_role(role))

    response = client.get("/api/v1/metrics/m1/")
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"
    assert client.get("/metrics/").status_code == 403


@pytest.mark.parametrize("value", ["2099-01-01", "2018-12-31", "yesterday"])
def test_m1_refuses_an_as_of_outside_the_program_naming_the_field(client_for, value):
    client = client_for(user_with_role(Role.ANALYST))

    api = client.get("/api/v1/metrics/m1/", {"as_of": value})

    assert api.status_code == 400 and api.json()["field"] == "as_of"


def test_m1_query_count_does_not_grow_with_the_completions(client_for):
    client = client_for(user_with_role(Role.ANALYST))
    (nta,) = served(filed=day(1, 10))
    completed(nta.case_id, D.ASYLUM, day(3, 4))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/metrics/m1/", {"as_of": f"{YEAR}-12-31"}).status_code == 200
        return len(captured)

    few = queries()
    ntas = served(4, filed=day(1, 10)) + served(3, place="lrd-ihf", port="lrd-poe", filed=day(1, 10))
    for month, nta in enumerate(ntas, start=2):
        completed(nta.case_id, [D.ASYLUM, D.WITHHOLDING, D.CAT_WITHHOLDING][month % 3], day(month, 5))
    many = queries()

    assert few == many <= 8


def test_m1_is_in_the_api_schema(client_for):
    client = client_for(user_with_role(Role.ANALYST))

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/metrics/m1/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["as_of"]
    assert "M1" in operation["description"] and "`analyst`" in operation["description"]
    assert set(operation["responses"]) == {"200", "400", "403"}
