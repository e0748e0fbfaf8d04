"""M2 (RULES.md): USCIS referrals — MPP aliens referred for non-refoulement assessment interviews, by asylum
office and month, with outcomes as of a chosen date."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Hold
from metrics.selectors import M2Counts, m2_uscis_referrals
from mpp.accounts.roles import Role
from screenings.models import FearClaim
from tests.factories import CaseFactory, EncounterFactory, language, location, user_with_role

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")  # the Los Angeles Asylum Office (lax-zla), serving San Ysidro
HOUSTON = ZoneInfo("America/Chicago")  # the Houston Asylum Office (hou-zhn), serving Laredo
# A fixed past: the tests do not depend on today's date (as of dates before today are the normal case).
YEAR = timezone.localdate().year - 1


def at(zone: ZoneInfo, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(YEAR, month, day, hour, minute, tzinfo=zone)


def claim(
    case: Case,
    *,
    stated: dt.datetime,
    place: str = "sys-poe",
    outcome: str = "",
    decided: dt.datetime | None = None,
) -> FearClaim:
    """A fear claim with its hold as the fear workflow leaves them, at exact times (M2 reads only these rows;
    the workflow itself is tested in tests/screenings)."""
    where = location(place)
    officer = user_with_role(Role.CBP_OFFICER, locations=[place])
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER, locations=[where.asylum_office.code])
    hold = Hold.objects.create(
        case=case,
        kind="fear_claim",
        rule="S1",
        reason="S1: fear of return to Mexico stated; referred to USCIS.",
        location=where,
        opened_by=officer,
        opened_at=stated,
        released_by=sao if decided else None,
        released_at=decided,
        release_reason=f"S3: {outcome} assessment concurred." if decided else "",
        outcome=outcome if decided else "",
    )
    return FearClaim.objects.create(
        case=case,
        hold=hold,
        stated_by=FearClaim.StatedBy.SELF,
        stated_at=stated,
        location=where,
        setting=FearClaim.Setting.HEARING_DAY,
        language=language("es"),
        asylum_office=where.asylum_office,
        recorded_by=officer,
        status=FearClaim.Status.DECIDED if decided else FearClaim.Status.REFERRED,
        outcome=outcome if decided else "",
        decided_at=decided,
    )


def person(place: str = "sys-poe") -> Case:
    return CaseFactory(encounter=EncounterFactory(location=location(place)), status=Case.Status.IN_MEXICO)


def office_of(report, code: str):
    return next(o for o in report.offices if o.office.code == code)


def months_of(report, code: str) -> dict[dt.date, M2Counts]:
    return {row.month: row.counts for row in office_of(report, code).months}


def test_m2_counts_people_referred_by_asylum_office_and_month_with_outcomes():
    claim(person(), stated=at(LA, 3, 2), outcome="positive", decided=at(LA, 3, 9))
    claim(person(), stated=at(LA, 3, 20), outcome="negative", decided=at(LA, 4, 2))
    claim(person(), stated=at(LA, 4, 5))
    claim(
        person("lrd-poe"),
        stated=at(HOUSTON, 4, 7),
        place="lrd-poe",
        outcome="negative",
        decided=at(HOUSTON, 4, 8),
    )
    claim(person("lrd-poe"), stated=at(HOUSTON, 4, 9), place="lrd-poe")

    report = m2_uscis_referrals(as_of=dt.date(YEAR, 6, 30))

    assert months_of(report, "lax-zla") == {
        dt.date(YEAR, 3, 1): M2Counts(referred=2, positive=1, negative=1, pending=0),
        dt.date(YEAR, 4, 1): M2Counts(referred=1, positive=0, negative=0, pending=1),
    }
    assert months_of(report, "hou-zhn") == {
        dt.date(YEAR, 4, 1): M2Counts(referred=2, positive=0, negative=1, pending=1),
    }
    assert office_of(report, "lax-zla").total == M2Counts(referred=3, positive=1, negative=1, pending=1)
    assert report.total == M2Counts(referred=5, positive=1, negative=2, pending=2)
    assert [o.office.code for o in report.offices] == ["hou-zhn", "lax-zla"]  # by name: Houston, Los Angeles


def test_m2_as_of_a_claim_counts_as_decided_only_if_decided_by_the_end_of_that_day_in_the_office():
    as_of = dt.date(YEAR, 5, 10)
    # decided at 23:30 in Los Angeles on the 10th (06:30 UTC on the 11th): decided as of the 10th
    claim(person(), stated=at(LA, 5, 1), outcome="positive", decided=at(LA, 5, 10, 23, 30))
    # decided just after midnight on the 11th: still pending as of the 10th
    claim(person(), stated=at(LA, 5, 2), outcome="negative", decided=at(LA, 5, 11, 0, 5))
    # stated late on the 10th, local time (the 11th in UTC): referred as of the 10th
    claim(person(), stated=at(LA, 5, 10, 22, 0))
    # stated on the 11th: not referred yet as of the 10th
    claim(person(), stated=at(LA, 5, 11, 9, 0))

    report = m2_uscis_referrals(as_of=as_of)
    later = m2_uscis_referrals(as_of=dt.date(YEAR, 5, 11))

    assert report.total == M2Counts(referred=3, positive=1, negative=0, pending=2)
    assert later.total == M2Counts(referred=4, positive=1, negative=1, pending=2)


def test_m2_months_are_the_asylum_offices_local_months():
    # 22:00 on 31 January in Los Angeles is already February in UTC: January's referral
    claim(person(), stated=at(LA, 1, 31, 22, 0))

    report = m2_uscis_referrals(as_of=dt.date(YEAR, 3, 1))

    assert list(months_of(report, "lax-zla")) == [dt.date(YEAR, 1, 1)]


def test_m2_a_person_with_two_claims_counts_once():
    again = person()
    claim(again, stated=at(LA, 2, 3), outcome="negative", decided=at(LA, 2, 10))
    claim(again, stated=at(LA, 2, 20))  # a second claim in the same month, pending
    moved = person()
    claim(moved, stated=at(LA, 2, 4), outcome="negative", decided=at(LA, 2, 11))
    claim(moved, stated=at(LA, 3, 4), outcome="positive", decided=at(LA, 3, 12))  # another month, positive
    # the same person on a second case (encountered again): still one person
    reencountered = person()
    claim(reencountered, stated=at(LA, 3, 5))
    second_case = CaseFactory(
        alien=reencountered.alien,
        encounter=EncounterFactory(location=location("sys-poe")),
        status="in_mexico",
    )
    claim(second_case, stated=at(LA, 3, 25))

    report = m2_uscis_referrals(as_of=dt.date(YEAR, 6, 1))

    assert months_of(report, "lax-zla") == {
        dt.date(YEAR, 2, 1): M2Counts(referred=2, positive=0, negative=1, pending=1),
        dt.date(YEAR, 3, 1): M2Counts(referred=2, positive=1, negative=0, pending=1),
    }
    # each person once in the office's total: positive beats pending beats negative
    assert office_of(report, "lax-zla").total == M2Counts(referred=3, positive=1, negative=0, pending=2)
    assert report.total == M2Counts(referred=3, positive=1, negative=0, pending=2)


def test_m2_offices_without_referrals_are_listed_empty():
    report = m2_uscis_referrals(as_of=dt.date(YEAR, 6, 1))

    assert {o.office.code for o in report.offices} == {"lax-zla", "hou-zhn"}
    assert all(o.months == [] and o.total == M2Counts() for o in report.offices)
    assert report.total == M2Counts()


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.ADMINISTRATOR, Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER]
)
def test_m2_page_and_api_for_analysts_administrators_and_uscis(client_for, role):
    claim(person(), stated=at(LA, 3, 2), outcome="positive", decided=at(LA, 3, 9))
    client = client_for(user_with_role(role))

    page = client.get("/metrics/", {"as_of": f"{YEAR}-06-30"})
    api = client.get("/api/v1/metrics/m2/", {"as_of": f"{YEAR}-06-30"})

    assert page.status_code == 200
    assert page.context["m2"].total == M2Counts(referred=1, positive=1)
    assert "Los Angeles Asylum Office" in page.content.decode() and "March" in page.content.decode()
    assert api.status_code == 200
    body = api.json()
    assert body["metric"] == "M2" and body["as_of"] == f"{YEAR}-06-30"
    lax = next(o for o in body["offices"] if o["code"] == "lax-zla")
    assert lax["months"] == [
        {"month": f"{YEAR}-03", "counts": {"referred": 1, "positive": 1, "negative": 0, "pending": 0}}
    ]
    assert body["total"] == {"referred": 1, "positive": 1, "negative": 0, "pending": 0}


@pytest.mark.parametrize(
    "role",
    [Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR, Role.COURT_STAFF, Role.ICE_OFFICER,
     Role.PRINT_STAFF],
)  # fmt: skip
def test_m2_is_refused_to_other_roles(client_for, role):
    client = client_for(user_with_role(role))

    assert client.get("/metrics/").status_code == 403
    response = client.get("/api/v1/metrics/m2/")
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"


def test_m2_signed_out_goes_to_sign_in(client):
    assert client.get("/metrics/").status_code == 302
    assert client.get("/api/v1/metrics/m2/").status_code == 403


def test_m2_default_as_of_is_today(client_for):
    client = client_for(user_with_role(Role.ANALYST))

    page = client.get("/metrics/")
    api = client.get("/api/v1/metrics/m2/")

    assert page.status_code == 200 and page.context["m2"].as_of == timezone.localdate()
    assert api.json()["as_of"] == timezone.localdate().isoformat()


@pytest.mark.parametrize("value", ["2099-01-01", "2018-12-31", "yesterday", "2026-02-30", "\x00"])
def test_m2_refuses_an_as_of_that_is_not_a_date_in_the_program_naming_the_field(client_for, value):
    client = client_for(user_with_role(Role.ANALYST))

    page = client.get("/metrics/", {"as_of": value})
    api = client.get("/api/v1/metrics/m2/", {"as_of": value})

    assert page.status_code == 400 and page.context["m2"] is None
    assert "as_of" in page.context["form"].errors
    assert 'href="#id_as_of"' in page.content.decode()  # the error summary links to the field
    assert api.status_code == 400 and api.json()["field"] == "as_of"


def test_m2_query_count_does_not_grow_with_the_claims(client_for):
    client = client_for(user_with_role(Role.ANALYST))
    claim(person(), stated=at(LA, 3, 2))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/metrics/", {"as_of": f"{YEAR}-12-31"}).status_code == 200
            assert client.get("/api/v1/metrics/m2/", {"as_of": f"{YEAR}-12-31"}).status_code == 200
        return len(captured)

    few = queries()
    for month in range(1, 13):
        claim(person(), stated=at(LA, month, 5), outcome="negative", decided=at(LA, month, 6))
        claim(person("lrd-poe"), stated=at(HOUSTON, month, 7), place="lrd-poe")
    many = queries()

    assert few == many


def test_m2_is_in_the_api_schema(client_for):
    client = client_for(user_with_role(Role.ANALYST))

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/metrics/m2/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["as_of"]
    assert "M2" in operation["description"] and "`analyst`" in operation["description"]
    assert set(operation["responses"]) == {"200", "400", "403"}
