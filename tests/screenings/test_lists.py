"""The lists of the screening pages at program scale: the supervisor's review queue and "My drafts" show 50
rows a page by keyset (no COUNT, no OFFSET), in the same number of queries for 2 rows as for 60; the next
page shows the following rows and none twice; the access log names exactly the rows shown; and the intake
draft page reads in the same number of queries for a family of 1 as of 6."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mpp.audit.models import AccessLog
from screenings.models import AmenabilityReview, IntakeDraft
from screenings.selectors import family_proposal
from screenings.services import (
    intake_draft_save_encounter,
    intake_draft_save_member,
    intake_draft_start,
)
from tests.factories import AlienFactory, EncounterFactory, location
from tests.screenings.factories import mixed_family, screen_all

pytestmark = pytest.mark.django_db

QUEUE = "screenings:review-queue"
INTAKE = "screenings:intake-list"
T0 = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)


def get(client: Client, url: str) -> tuple[str, int]:
    """The page's text and the number of queries it took."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode()), len(ctx.captured_queries)


def next_link(text: str) -> str:
    found = re.search(r'<a href="(\?[^"]*)"[^>]*rel="next"', text)
    assert found, "the page has no link to the next page"
    return found.group(1)


def logged(user, object_type: str) -> list[list[str]]:
    return [
        row.object_ids for row in AccessLog.objects.filter(user=user, object_type=object_type).order_by("id")
    ]


# --- The supervisor's review queue -----------------------------------------------------------------------


@pytest.fixture
def proposal(officer) -> dict:
    """A screened family's proposal as a submission freezes it (the shape the queue page reads)."""
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    _, live = family_proposal(encounter_id=encounter.pk)
    return live.as_json()


def queued(officer, proposal: dict, count: int, *, start: int = 0, ties: int = 1) -> list[AmenabilityReview]:
    """``count`` families pending at San Ysidro, submitted a minute apart after T0 (``ties`` of them at each
    minute: equal times), oldest first. Built directly: the queue reads only the review row."""
    reviews = []
    for n in range(start, start + count):
        reviews.append(
            AmenabilityReview.objects.create(
                encounter=EncounterFactory(created_by=officer),
                location=location("sys-poe"),
                proposal=proposal,
                submitted_by=officer,
                submitted_at=T0 + dt.timedelta(minutes=n // ties),
            )
        )
    return reviews


def review_ids(text: str) -> list[int]:
    rows = text.split('data-testid="review-row"')[1:]
    return [int(re.search(r'href="/screenings/reviews/(\d+)/"', row).group(1)) for row in rows]


def test_the_review_queue_reads_the_same_number_of_queries_for_2_families_as_for_60(
    client_for, officer, supervisor, proposal
):
    client = client_for(supervisor)
    queued(officer, proposal, 2)
    get(client, reverse(QUEUE))  # the first request of a session warms caches
    few_text, few = get(client, reverse(QUEUE))
    queued(officer, proposal, 58, start=2)

    many_text, many = get(client, reverse(QUEUE))
    _, second_page = get(client, reverse(QUEUE) + next_link(many_text))

    assert len(review_ids(few_text)) == 2 and len(review_ids(many_text)) == 50
    assert many == few
    assert second_page == few


def test_the_second_page_of_the_queue_shows_the_next_families_oldest_first_and_none_twice(
    client_for, officer, supervisor, proposal
):
    reviews = queued(officer, proposal, 60, ties=3)  # three families submitted in each minute
    client = client_for(supervisor)

    first, _ = get(client, reverse(QUEUE))
    second, _ = get(client, reverse(QUEUE) + next_link(first))

    oldest_first = [r.pk for r in reviews]  # created in submission order, ids rising within a minute
    assert review_ids(first) == oldest_first[:50]
    assert review_ids(second) == oldest_first[50:]
    assert 'rel="next"' not in second
    assert 'rel="prev"' in second and 'data-testid="pager-first"' in second
    # The access log names exactly the families each page showed.
    assert logged(supervisor, "amenability_review")[-2:] == [
        [str(pk) for pk in oldest_first[:50]],
        [str(pk) for pk in oldest_first[50:]],
    ]


def test_the_queue_sorted_newest_first_starts_with_the_latest_families(
    client_for, officer, supervisor, proposal
):
    reviews = queued(officer, proposal, 55, ties=2)
    client = client_for(supervisor)

    first, _ = get(client, reverse(QUEUE) + "?sort=newest")
    second, _ = get(client, reverse(QUEUE) + next_link(first))

    newest_first = [r.pk for r in reversed(reviews)]
    assert review_ids(first) == newest_first[:50]
    assert review_ids(second) == newest_first[50:]
    assert '<option value="newest" selected>Newest first</option>' in first
    assert "sort=newest" in next_link(first)


def test_a_tampered_or_unknown_queue_link_shows_the_first_page_oldest_first(
    client_for, officer, supervisor, proposal
):
    reviews = queued(officer, proposal, 3)
    client = client_for(supervisor)

    tampered, _ = get(client, reverse(QUEUE) + "?cursor=WyJhZnRlciJd:forged&sort=sideways")

    assert review_ids(tampered) == [r.pk for r in reviews]
    assert 'data-testid="pager-restarted"' in tampered


def test_the_queue_offers_oldest_and_newest_first_in_a_get_form(client_for, supervisor):
    text, _ = get(client_for(supervisor), reverse(QUEUE))

    assert re.search(r'<form class="usa-form[^"]*" method="get" action="/screenings/reviews/"', text)
    assert '<option value="oldest" selected>Oldest first</option>' in text
    assert '<option value="newest">Newest first</option>' in text
    assert 'data-testid="review-queue-empty"' in text


# --- My drafts ------------------------------------------------------------------------------------------


def drafts(officer, count: int) -> list[IntakeDraft]:
    return [intake_draft_start(actor=officer, location=location("sys-poe")) for _ in range(count)]


def draft_ids(text: str) -> list[int]:
    rows = text.split('data-testid="draft-row"')[1:]
    return [int(re.search(r"Intake (\d+)</th>", row).group(1)) for row in rows]


def test_my_drafts_read_the_same_number_of_queries_for_2_drafts_as_for_60(client_for, officer):
    client = client_for(officer)
    drafts(officer, 2)
    get(client, reverse(INTAKE))
    few_text, few = get(client, reverse(INTAKE))
    drafts(officer, 58)

    many_text, many = get(client, reverse(INTAKE))
    _, second_page = get(client, reverse(INTAKE) + next_link(many_text))

    assert len(draft_ids(few_text)) == 2 and len(draft_ids(many_text)) == 50
    assert many == few
    assert second_page == few


def test_the_second_page_of_my_drafts_shows_the_earlier_saved_ones_and_none_twice(client_for, officer):
    started = drafts(officer, 60)
    # Saving a draft brings it to the top: the first started is now the last saved.
    intake_draft_save_encounter(
        actor=officer,
        draft_id=started[0].pk,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
    )
    client = client_for(officer)

    first, _ = get(client, reverse(INTAKE))
    second, _ = get(client, reverse(INTAKE) + next_link(first))

    last_saved_first = [started[0].pk, *(d.pk for d in reversed(started[1:]))]
    assert draft_ids(first) == last_saved_first[:50]
    assert draft_ids(second) == last_saved_first[50:]
    assert logged(officer, "intake_draft")[-2:] == [
        [str(pk) for pk in last_saved_first[:50]],
        [str(pk) for pk in last_saved_first[50:]],
    ]
    assert "Start a new intake" in second  # the form stays on every page


# --- The intake draft page -----------------------------------------------------------------------------


def draft_of(officer, size: int, *, born_year: int, a_number: str) -> IntakeDraft:
    """A draft of ``size`` members, each with a registered person of a similar name born the same day (a
    possible duplicate to decide), and the head with the A-number of someone else (an N2 conflict)."""
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    intake_draft_save_encounter(
        actor=officer,
        draft_id=draft.pk,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
    )
    owner = AlienFactory(family_name="Otra Persona", given_names="Lucía", a_number=a_number)
    for i in range(size):
        born = dt.date(born_year, 1 + i, 20)
        AlienFactory(family_name=f"Reyes Mejia {i}", given_names="Ana", date_of_birth=born)
        data = {
            "relationship": "head" if i == 0 else "child",
            "family_name": f"Reyes Mejía {i}",
            "given_names": "Ana",
            "date_of_birth": born.isoformat(),
            "sex": "F",
            "country_of_citizenship": "HN",
            "preferred_language": "es",
            "a_number": owner.a_number if i == 0 else "",
        }
        draft = intake_draft_save_member(actor=officer, draft_id=draft.pk, data=data)
    return draft


def test_the_intake_draft_page_reads_the_same_number_of_queries_for_1_member_as_for_6(client_for, officer):
    client = client_for(officer)
    small = draft_of(officer, 1, born_year=1970, a_number="A123456781")
    large = draft_of(officer, 6, born_year=1980, a_number="A123456782")
    get(client, reverse("screenings:intake-draft", args=[small.pk]))

    counts = {}
    texts = {}
    for name, draft in (("small", small), ("large", large)):
        texts[name], counts[name] = get(
            client, reverse("screenings:intake-draft", args=[draft.pk]) + "?step=review"
        )

    assert counts["large"] == counts["small"]
    # Each member's possible duplicate is on the page, and the head's A-number conflict (N2).
    assert texts["large"].count('data-testid="duplicate-candidates"') == 6
    assert texts["small"].count('data-testid="duplicate-candidates"') == 1
    assert "(N2 · a_number_conflict)" in texts["large"]
