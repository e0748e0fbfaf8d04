"""Step 5: the case page stays within 12 queries whatever the family size or the timeline length, and a long
timeline is shown a page at a time (the latest 50, then earlier ones), in the page and in the API. Speed
itself is the benchmark's job (make bench); these tests pin the query counts and the paging."""

import datetime as dt
import html
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import CaseEvent
from cases.selectors import TIMELINE_PAGE_SIZE, case_timeline, case_timeline_page
from cases.services import case_event_record
from tests.factories import family_with_cases
from tests.screenings.factories import fear_claim_for

pytestmark = pytest.mark.django_db

CASE_PAGE_MAX_QUERIES = 12


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.force_login(user)
        return client

    return make


def add_events(case, officer, count: int, *, same_time: bool = False) -> None:
    if same_time:  # ties on occurred_at: the id breaks them, no event is skipped or shown twice
        moment = dt.datetime(2030, 3, 2, 15, 0, tzinfo=dt.UTC)  # after the case.opened event
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case=case, type="case.note", actor=officer, reason=f"Note number {i:03d}", occurred_at=moment
            )
            for i in range(count)
        )
        return
    with transaction.atomic():
        for i in range(count):
            case_event_record(case=case, type="case.note", actor=officer, reason=f"Note number {i:03d}")


def queries_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), html.unescape(response.content.decode())


def test_case_page_query_count_is_the_same_for_one_person_and_a_family_of_five_with_a_long_timeline(
    client_for, officer
):
    (alone,) = family_with_cases(size=1)
    family = family_with_cases(size=5)
    add_events(family[0], officer, 130)
    fear_claim_for(family[1], actor=officer, statement="Fear of return stated (S1)")
    client = client_for(officer)
    client.get(reverse("cases:detail", args=[alone.pk]))  # the session's first request warms what is cached

    few, _ = queries_of(client, reverse("cases:detail", args=[alone.pk]))
    many, text = queries_of(client, reverse("cases:detail", args=[family[0].pk]))

    assert many == few
    assert many <= CASE_PAGE_MAX_QUERIES
    assert text.count('data-event="case.note"') == TIMELINE_PAGE_SIZE  # only the latest page is rendered


def test_the_case_page_shows_the_latest_events_first_and_pages_back_to_the_first(client_for, officer):
    (case,) = family_with_cases(size=1)
    add_events(case, officer, 120, same_time=True)
    client = client_for(officer)
    url = reverse("cases:detail", args=[case.pk])

    seen: list[str] = []
    pages = 0
    next_url = url
    while next_url:
        _, text = queries_of(client, next_url)
        pages += 1
        shown = re.findall(r"Note number (\d{3})", text)
        seen = shown + seen  # each page is older than the one before it
        earlier = re.search(r'href="(\?timeline_before=[^"#]+)#timeline-heading"', text)
        next_url = url + earlier.group(1) if earlier else None
        if pages > 1:
            assert 'data-testid="timeline-latest"' in text
    assert pages == 3
    assert seen == [f"{i:03d}" for i in range(120)]  # every event once, oldest first overall


@pytest.mark.parametrize("cursor", ["nonsense", "1_", "_1", "9" * 39 + "_1", "-5_-5", "1e400_3"])
def test_a_malformed_timeline_cursor_shows_the_latest_events(client_for, officer, cursor):
    (case,) = family_with_cases(size=1)
    add_events(case, officer, 60)
    client = client_for(officer)

    _, text = queries_of(client, reverse("cases:detail", args=[case.pk]) + f"?timeline_before={cursor}")

    shown = re.findall(r"Note number (\d{3})", text)
    assert shown[-1] == "059"
    assert len(shown) <= TIMELINE_PAGE_SIZE


def test_the_timeline_page_and_the_whole_timeline_agree(officer):
    (case,) = family_with_cases(size=1)
    add_events(case, officer, 75)

    whole = case_timeline(case=case, user=officer)
    latest = case_timeline_page(case=case, user=officer)
    earlier = case_timeline_page(case=case, user=officer, before=latest.earlier)

    assert earlier.entries + latest.entries == whole
    assert earlier.earlier is None and not earlier.is_latest and latest.is_latest


def test_the_api_timeline_pages_oldest_first_and_never_repeats_an_event(api_for, officer):
    (case,) = family_with_cases(size=1)
    add_events(case, officer, 110, same_time=True)
    client = api_for(officer)

    reasons: list[str] = []
    url = f"/api/v1/cases/{case.pk}/timeline/"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 50
        reasons += [entry["reason"] for entry in body["results"]]
        url = body["next"]

    notes = [r for r in reasons if r.startswith("Note number")]
    assert notes == [f"Note number {i:03d}" for i in range(110)]


def test_the_api_timeline_refuses_a_cursor_it_did_not_give_out(api_for, officer):
    (case,) = family_with_cases(size=1)

    response = api_for(officer).get(f"/api/v1/cases/{case.pk}/timeline/?cursor=bm9wZQ")

    assert response.status_code == 400
    assert "cursor" in response.json()["errors"][0]["field"]


def test_the_supervisors_home_shows_the_ten_longest_waiting_and_says_more_are_waiting(client_for):
    from cases.models import Case, CaseStatus
    from mpp.accounts.roles import Role
    from tests.factories import CaseFactory, user_with_role

    supervisor = user_with_role(Role.CBP_SUPERVISOR)
    cases = [CaseFactory(status=CaseStatus.AWAITING_REVIEW) for _ in range(12)]
    client = client_for(supervisor)

    _, text = queries_of(client, reverse("cases:home"))

    oldest = sorted(
        Case.objects.filter(pk__in=[c.pk for c in cases]), key=lambda c: (c.status_changed_at, c.pk)
    )
    shown = [int(pk) for pk in re.findall(r">Review case (\d+)<", text)]
    assert shown == [c.pk for c in oldest[:10]]
    assert "More are waiting" in text
