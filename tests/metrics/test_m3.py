"""M3 (RULES.md): cases completed by immigration judges since MPP's inception, as of a chosen date — Total
enrolled counts only cases whose NTA was filed; Cases completed counts initial completions only (H5)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearings.models import Completion
from metrics.selectors import M3Counts, m3_cases_completed
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.metrics.court_rows import YEAR, completed, day, reopened, served

pytestmark = pytest.mark.django_db

D = Completion.Decision


def test_m3_enrolled_counts_only_cases_whose_nta_was_filed_by_the_date():
    served(2, filed=day(2, 1))
    served(1, filed=day(3, 1))
    served(2)  # served, never filed

    assert m3_cases_completed(as_of=day(1, 31)).total.enrolled == 0
    assert m3_cases_completed(as_of=day(2, 1)).total.enrolled == 2
    assert m3_cases_completed(as_of=day(12, 31)).total.enrolled == 3


def test_m3_h5_counts_initial_completions_only_a_case_completed_reopened_completed_again_counts_once():
    first, second = served(2, filed=day(1, 10))
    order = completed(first.case_id, D.REMOVAL_IN_ABSENTIA, day(2, 1))
    reopening = reopened(order, day(3, 1))
    completed(first.case_id, D.ASYLUM, day(5, 1), after=reopening)
    completed(second.case_id, D.VOLUNTARY_DEPARTURE, day(4, 1))

    report = m3_cases_completed(as_of=day(12, 31))

    # The first case counts once, with its initial decision (the removal order in absentia).
    assert report.total == M3Counts(enrolled=2, completed=2, removal=1, in_absentia=1, other=1)
    assert m3_cases_completed(as_of=day(2, 28)).total == M3Counts(
        enrolled=2, completed=1, removal=1, in_absentia=1
    )


def test_m3_as_of_excludes_later_completions_and_groups_the_decisions():
    ntas = served(6, filed=day(1, 10))
    for nta, decision in zip(ntas, [D.ASYLUM, D.CAT_DEFERRAL, D.REMOVAL_ORDER, D.REMOVAL_IN_ABSENTIA,
                                    D.TERMINATION, D.ADMIN_CLOSURE], strict=True):  # fmt: skip
        completed(nta.case_id, decision, day(6, 30))
    completed(served(filed=day(1, 10))[0].case_id, D.DISMISSAL, day(7, 1))

    assert m3_cases_completed(as_of=day(6, 29)).total == M3Counts(enrolled=7)
    assert m3_cases_completed(as_of=day(6, 30)).total == M3Counts(
        enrolled=7, completed=6, relief=2, removal=2, in_absentia=1, other=2
    )
    assert m3_cases_completed(as_of=day(7, 1)).total.completed == 7


def test_m3_by_court_of_the_nta():
    (sdg,) = served(filed=day(1, 10))
    served(2, place="lrd-ihf", port="lrd-poe", filed=day(1, 10))
    completed(sdg.case_id, D.ASYLUM, day(3, 1))

    report = m3_cases_completed(as_of=day(12, 31))

    by_court = {row.court.code: row.counts for row in report.courts}
    assert by_court == {"sdg-ic": M3Counts(enrolled=1, completed=1, relief=1), "sna-ic": M3Counts(enrolled=2)}
    assert report.total == M3Counts(enrolled=3, completed=1, relief=1)


def test_m3_page_and_api(client_for):
    (nta,) = served(filed=day(1, 10))
    completed(nta.case_id, D.REMOVAL_IN_ABSENTIA, day(3, 4))
    client = client_for(user_with_role(Role.ANALYST))

    page = client.get("/metrics/", {"as_of": f"{YEAR}-06-30"})
    api = client.get("/api/v1/metrics/m3/", {"as_of": f"{YEAR}-06-30"})

    assert page.status_code == 200
    assert page.context["m3"].total == M3Counts(enrolled=1, completed=1, removal=1, in_absentia=1)
    assert 'data-testid="m3"' in page.content.decode()
    assert api.status_code == 200
    body = api.json()
    assert body["metric"] == "M3" and body["as_of"] == f"{YEAR}-06-30"
    assert body["total"] == {"enrolled": 1, "completed": 1, "relief": 0, "removal": 1, "in_absentia": 1,
                             "other": 0}  # fmt: skip
    assert body["courts"][0]["court"] == {"code": "sdg-ic", "name": "San Diego Immigration Court"}


@pytest.mark.parametrize(
    "role",
    [Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR, Role.COURT_STAFF, Role.ICE_OFFICER,
     Role.PRINT_STAFF],
)  # fmt: skip
def test_m3_is_refused_to_other_roles(client_for, role):
    client = client_for(user_with_role(role))

    response = client.get("/api/v1/metrics/m3/")
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR, Role.SUPERVISORY_ASYLUM_OFFICER])
def test_m3_is_read_by_the_metric_roles(client_for, role):
    assert client_for(user_with_role(role)).get("/api/v1/metrics/m3/").status_code == 200


def test_m3_refuses_an_as_of_in_the_future_naming_the_field(client_for):
    api = client_for(user_with_role(Role.ANALYST)).get("/api/v1/metrics/m3/", {"as_of": "2099-01-01"})

    assert api.status_code == 400 and api.json()["field"] == "as_of"


def test_m3_query_count_does_not_grow_with_the_cases(client_for):
    client = client_for(user_with_role(Role.ANALYST))
    served(filed=day(1, 10))

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as api:
            assert client.get("/api/v1/metrics/m3/", {"as_of": f"{YEAR}-12-31"}).status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert client.get("/metrics/", {"as_of": f"{YEAR}-12-31"}).status_code == 200
        return len(api), len(page)

    few = queries()
    ntas = served(3, filed=day(1, 10)) + served(3, place="lrd-ihf", port="lrd-poe", filed=day(2, 10))
    for month, nta in enumerate(ntas, start=3):
        first = completed(nta.case_id, D.REMOVAL_IN_ABSENTIA, day(month, 5))
        if month % 2:
            completed(nta.case_id, D.ASYLUM, day(month, 20), after=reopened(first, day(month, 10)))
    many = queries()

    assert few == many
    assert many[0] <= 8 and many[1] <= 8


def test_m3_is_in_the_api_schema(client_for):
    client = client_for(user_with_role(Role.ANALYST))

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/metrics/m3/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["as_of"]
    assert "M3" in operation["description"] and "`analyst`" in operation["description"]
    assert set(operation["responses"]) == {"200", "400", "403"}
