"""Keyset pagination (mpp.pagination): every row once, in order, however the pages are walked; a cursor that
is not the list's own gives the first page; one query a page; and the page links as the include renders them.

The rows are notifications (a NOT NULL ``created_at``, ties made on purpose, and the id to break them)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpp.outbox.models import Notification, OutboxEvent
from mpp.pagination import KeysetPage, SortOption, keyset_page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
NEWEST = SortOption(
    key="newest", label="Newest first", ordering=("-created_at", "-id"), earlier="Newer", later="Older"
)
OLDEST = SortOption(key="oldest", label="Oldest first", ordering=("created_at", "id"))
SORTS = (NEWEST, OLDEST)


def notifications(minutes: list[int]) -> tuple[object, list[Notification]]:
    """A new user with one notification per entry, created ``minutes[i]`` minutes after T0 (equal minutes:
    equal times). Returned in id order."""
    user = UserFactory()
    events = OutboxEvent.objects.bulk_create(OutboxEvent(event="test.page") for _ in minutes)
    rows = Notification.objects.bulk_create(
        Notification(user=user, event=event, message=f"Notice {i}") for i, event in enumerate(events)
    )
    for minute in set(minutes):  # created_at is set on insert: move each to its minute afterwards
        ids = [row.pk for row, m in zip(rows, minutes, strict=True) if m == minute]
        Notification.objects.filter(pk__in=ids).update(created_at=T0 + dt.timedelta(minutes=minute))
    return user, list(Notification.objects.filter(user=user).order_by("id"))


def in_order(rows: list[Notification], sort: SortOption) -> list[int]:
    """The ids as the sort orders them, written out from the sort's meaning (not by the code under test)."""
    if sort is NEWEST:
        return [r.pk for r in sorted(rows, key=lambda r: (r.created_at, r.pk), reverse=True)]
    return [r.pk for r in sorted(rows, key=lambda r: (r.created_at, r.pk))]


def page_of(user, query: str = "", *, size: int = 50, sorts=SORTS) -> KeysetPage[Notification]:
    return keyset_page(
        Notification.objects.filter(user=user), sorts=sorts, params=QueryDict(query.lstrip("?")), size=size
    )


def walk_forward(user, sort_key: str, size: int) -> list[KeysetPage[Notification]]:
    pages = [page_of(user, f"sort={sort_key}", size=size)]
    while pages[-1].has_next:
        pages.append(page_of(user, pages[-1].next_query, size=size))
        assert len(pages) < 500, "the walk does not end"
    return pages


# --- Every row once, in order -------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=st.lists(st.integers(min_value=0, max_value=4), max_size=40),
    size=st.integers(min_value=1, max_value=7),
    sort=st.sampled_from(SORTS),
)
def test_walking_on_visits_every_row_once_in_order_with_ties_on_the_time(minutes, size, sort):
    user, rows = notifications(minutes)

    pages = walk_forward(user, sort.key, size)

    assert [r.pk for p in pages for r in p.rows] == in_order(rows, sort)
    assert all(len(p.rows) == size for p in pages[:-1])
    assert pages[0].is_first and not pages[0].has_previous
    assert all(p.has_previous and not p.is_first for p in pages[1:])
    assert not pages[-1].has_next


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=30),
    size=st.integers(min_value=1, max_value=6),
    sort=st.sampled_from(SORTS),
)
def test_walking_back_from_the_last_page_shows_the_same_pages(minutes, size, sort):
    user, _ = notifications(minutes)
    forward = walk_forward(user, sort.key, size)

    back = [forward[-1]]
    while back[-1].has_previous:
        back.append(page_of(user, back[-1].previous_query, size=size))
        assert len(back) <= len(forward)

    assert [[r.pk for r in p.rows] for p in reversed(back)] == [[r.pk for r in p.rows] for p in forward]
    assert back[-1].is_first  # the page before the second one is read as the first page


def test_a_page_is_one_query_of_size_plus_one_rows(django_assert_num_queries):
    user, _ = notifications([0] * 7)
    first = page_of(user, size=3)

    with django_assert_num_queries(1) as captured:
        second = page_of(user, first.next_query, size=3)

    sql = captured.captured_queries[0]["sql"]
    assert "LIMIT 4" in sql and "OFFSET" not in sql and "COUNT" not in sql
    assert len(second.rows) == 3 and second.has_next


def test_a_page_appended_to_while_reading_shows_no_row_twice():
    user, rows = notifications([0, 1, 2, 3, 4])
    first = page_of(user, "sort=newest", size=2)
    notifications_later = OutboxEvent.objects.create(event="test.page")
    newer = Notification.objects.create(user=user, event=notifications_later, message="New")

    second = page_of(user, first.next_query, size=2)

    assert [r.pk for r in first.rows] == [rows[4].pk, rows[3].pk]
    assert [r.pk for r in second.rows] == [rows[2].pk, rows[1].pk]
    assert newer.pk not in [r.pk for r in second.rows]


def test_going_back_when_fewer_than_a_page_remain_before_reads_the_first_page():
    user, rows = notifications([0, 1, 2, 3, 4, 5])
    second = page_of(user, page_of(user, size=3).next_query, size=3)
    Notification.objects.filter(pk=rows[5].pk).delete()  # the newest, on the first page, goes away

    back = page_of(user, second.previous_query, size=3)

    assert back.is_first and not back.has_previous and not back.cursor_refused
    assert [r.pk for r in back.rows] == [rows[4].pk, rows[3].pk, rows[2].pk]


# --- Sorts ----------------------------------------------------------------------------------------------


def test_the_first_sort_is_the_default_and_an_unknown_sort_falls_back_to_it():
    user, rows = notifications([0, 1, 2])

    default = page_of(user)
    unknown = page_of(user, "sort=DROP%20TABLE")
    oldest = page_of(user, "sort=oldest")

    assert default.sort is NEWEST and unknown.sort is NEWEST and oldest.sort is OLDEST
    assert [r.pk for r in unknown.rows] == [rows[2].pk, rows[1].pk, rows[0].pk]
    assert [r.pk for r in oldest.rows] == [rows[0].pk, rows[1].pk, rows[2].pk]


def test_links_carry_the_sort_when_it_is_not_the_default_and_keep_other_parameters():
    user, _ = notifications([0, 1, 2])

    newest = page_of(user, "q=ana&sort=newest", size=1)
    oldest = page_of(user, "q=ana&sort=oldest", size=1)

    assert parse_qs(newest.next_query[1:]).keys() == {"q", "cursor"}
    assert parse_qs(oldest.next_query[1:])["sort"] == ["oldest"]
    assert parse_qs(oldest.next_query[1:])["q"] == ["ana"]
    assert oldest.first_query == "?q=ana&sort=oldest"


def test_a_cursor_of_one_sort_does_not_position_another():
    user, rows = notifications([0, 1, 2, 3])
    oldest = page_of(user, "sort=oldest", size=2)
    cursor = parse_qs(oldest.next_query[1:])["cursor"][0]

    page = page_of(user, f"sort=newest&cursor={cursor}", size=2)

    assert page.cursor_refused and page.is_first
    assert [r.pk for r in page.rows] == [rows[3].pk, rows[2].pk]


# --- A cursor that is not the list's own -----------------------------------------------------------------


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        "%00",
        "x" * 5000,
        "WyJhZnRlciIsWyIyMDI2LTExLTAyVDA4OjAwOjAwKzAwOjAwIiwxXV0:forged",
        signing.dumps(["after", ["2026-11-02T08:00:00+00:00", 1]], salt="another list"),
    ],
    ids=["garbage", "empty", "nul", "too-long", "forged-signature", "other-salt"],
)
def test_a_cursor_that_is_not_the_lists_own_gives_the_first_page(cursor):
    user, rows = notifications([0, 1, 2])

    page = page_of(user, f"cursor={cursor}", size=2)

    assert page.is_first and not page.has_previous
    assert page.cursor_refused == bool(cursor)
    assert [r.pk for r in page.rows] == [rows[2].pk, rows[1].pk]


def test_a_tampered_cursor_gives_the_first_page():
    user, rows = notifications([0, 1, 2, 3])
    cursor = parse_qs(page_of(user, size=2).next_query[1:])["cursor"][0]
    value, signature = cursor.rsplit(":", 1)
    tampered = f"{value[:-2]}{'A' if value[-2] != 'A' else 'B'}{value[-1]}:{signature}"

    page = page_of(user, f"cursor={tampered}", size=2)

    assert page.cursor_refused and page.is_first
    assert [r.pk for r in page.rows] == [rows[3].pk, rows[2].pk]


@pytest.mark.parametrize(
    "payload",
    [["sideways", ["2026-11-02T08:00:00+00:00", 1]], ["after", ["not a time", 1]], ["after", [None, 1]], "x"],
    ids=["direction", "value", "null", "shape"],
)
def test_a_signed_cursor_with_a_position_the_list_cannot_read_gives_the_first_page(payload):
    user, _ = notifications([0, 1])
    salt = f"mpp.pagination:outbox.notification:newest:{','.join(NEWEST.ordering)}"

    page = page_of(user, f"cursor={signing.dumps(payload, salt=salt)}")

    assert page.cursor_refused and page.is_first and len(page.rows) == 2


# --- Sorts that cannot position a page are refused where they are declared --------------------------------


@pytest.mark.parametrize(
    ("ordering", "words"),
    [
        (("created_at",), "must end with a unique field"),
        (("read_at", "id"), "NOT NULL column"),
        (("user", "id"), "NOT NULL column"),
        (("nonexistent", "id"), "has no field"),
    ],
)
def test_a_sort_that_cannot_position_a_page_is_a_configuration_error(ordering, words):
    sort = SortOption(key="bad", label="Bad", ordering=ordering)

    with pytest.raises(ImproperlyConfigured, match=words):
        keyset_page(Notification.objects.all(), sorts=[sort], params={})


# --- The include ----------------------------------------------------------------------------------------


def rendered(page: KeysetPage[Notification], **extra) -> str:
    request = RequestFactory().get("/notifications/")
    return render_to_string("includes/keyset_pager.html", {"page": page, "request": request, **extra})


def test_the_pager_links_to_the_next_and_previous_pages_with_the_sorts_words():
    user, _ = notifications([0, 1, 2, 3, 4])
    second = page_of(user, page_of(user, size=2).next_query, size=2)

    html = rendered(second, label="Notification pages")

    assert '<nav aria-label="Notification pages" class="usa-pagination"' in html
    previous = re.search(r'<a href="([^"]+)"[^>]*rel="prev"[^>]*>.*?Newer</span></a>', html, re.S)
    following = re.search(r'<a href="([^"]+)"[^>]*rel="next"[^>]*><span[^>]*>Older</span>', html, re.S)
    assert previous and following
    assert html.count('data-testid="pager-first"') == 1 and ">First page</a>" in html
    assert "cursor=" in following.group(1) and urlsplit(following.group(1)).path == ""


def test_the_first_page_has_no_previous_link_and_a_single_page_no_pager_at_all():
    user, _ = notifications([0, 1, 2])

    first = rendered(page_of(user, size=2))
    single = rendered(page_of(user, size=5))

    assert 'rel="next"' in first and 'rel="prev"' not in first and "pager-first" not in first
    assert 'class="usa-pagination"' not in single


def test_the_sort_control_is_a_get_form_with_a_labelled_select_and_a_button_and_no_script():
    user, _ = notifications([0, 1])
    page = page_of(user, "q=ana&sort=oldest")

    html = rendered(page, part="sort", sort_label="Order")

    assert re.search(r'<form class="usa-form[^"]*" method="get" action="/notifications/"', html)
    assert '<label class="usa-label margin-top-0" for="sort-choice">Order</label>' in html
    assert '<select class="usa-select" id="sort-choice" name="sort">' in html
    assert '<option value="oldest" selected>Oldest first</option>' in html
    assert '<input type="hidden" name="q" value="ana">' in html
    assert '<button type="submit" class="usa-button usa-button--outline' in html
    assert "<script" not in html and "style=" not in html and "onchange" not in html
    assert 'class="usa-pagination"' not in html  # part="sort": the links go below the list


def test_a_refused_cursor_is_explained_above_the_list():
    user, _ = notifications([0, 1])

    html = rendered(page_of(user, "cursor=garbage"), part="sort")

    assert 'data-testid="pager-restarted"' in html and "starts again from its first page" in html
