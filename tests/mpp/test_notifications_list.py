"""The notifications page at scale: 50 a page, newest first, by keyset (no COUNT of the table, no OFFSET), in
the same number of queries for 2 notifications as for 60; the next page shows the older ones and none twice;
"Mark read" brings the reader back to the page they were on."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mpp.outbox.models import Notification, OutboxEvent

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)


def notices(user, count: int, *, start: int = 0, ties: int = 1) -> list[Notification]:
    """``count`` notifications for ``user``, one a minute after T0 (``ties`` of them in each minute: equal
    times), oldest first."""
    rows = []
    for n in range(start, start + count):
        event = OutboxEvent.objects.create(event="test.notice")
        rows.append(Notification.objects.create(user=user, event=event, message=f"Notice {n}"))
        Notification.objects.filter(pk=rows[-1].pk).update(created_at=T0 + dt.timedelta(minutes=n // ties))
    return rows


def get(client: Client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode()), [q["sql"] for q in ctx.captured_queries]


def shown(text: str) -> list[str]:
    return re.findall(r'<p class="margin-y-05">(Notice \d+)</p>', text)


def next_link(text: str) -> str:
    found = re.search(r'<a href="(\?[^"]*)"[^>]*rel="next"', text)
    assert found, "the page has no link to the next page"
    return found.group(1)


def test_the_notifications_page_reads_the_same_number_of_queries_for_2_as_for_60(client_for, supervisor):
    client = client_for(supervisor)
    notices(supervisor, 2)
    get(client, reverse("notifications"))  # the first request of a session warms caches
    few_text, few = get(client, reverse("notifications"))
    notices(supervisor, 58, start=2)

    many_text, many = get(client, reverse("notifications"))
    _, second_page = get(client, reverse("notifications") + next_link(many_text))

    assert len(shown(few_text)) == 2 and len(shown(many_text)) == 50
    assert len(many) == len(few) and len(second_page) == len(few)
    # The page's rows come by keyset: no OFFSET, and the only COUNT is the header's unread badge.
    listing = [sql for sql in many if 'FROM "outbox_notification"' in sql]
    assert all("OFFSET" not in sql for sql in listing)
    assert all('"read_at" IS NULL' in sql for sql in listing if "COUNT(" in sql)


def test_the_second_page_shows_the_older_notifications_and_none_twice(client_for, supervisor):
    notices(supervisor, 60, ties=4)  # four notifications in each minute
    client = client_for(supervisor)

    first, _ = get(client, reverse("notifications"))
    second, _ = get(client, reverse("notifications") + next_link(first))

    newest_first = [f"Notice {n}" for n in reversed(range(60))]  # ids rise with n, also within a minute
    assert shown(first) == newest_first[:50]
    assert shown(second) == newest_first[50:]
    assert 'rel="next"' not in second
    assert re.search(r'rel="prev"[^>]*>.*?Newer</span>', second, re.S)
    assert "Older</span>" in first


def test_another_users_notifications_are_not_listed(client_for, supervisor, officer):
    notices(officer, 3)
    mine = notices(supervisor, 1, start=3)

    text, _ = get(client_for(supervisor), reverse("notifications"))

    assert shown(text) == [mine[0].message]


def test_a_tampered_page_link_shows_the_newest_notifications(client_for, supervisor):
    notices(supervisor, 3)

    text, _ = get(client_for(supervisor), reverse("notifications") + "?cursor=bm90IG1pbmU:forged")

    assert shown(text) == ["Notice 2", "Notice 1", "Notice 0"]
    assert 'data-testid="pager-restarted"' in text


def test_marking_a_notification_read_on_the_second_page_returns_to_that_page(client_for, supervisor):
    notices(supervisor, 55)
    client = client_for(supervisor)
    first, _ = get(client, reverse("notifications"))
    page_two = reverse("notifications") + next_link(first)
    second, _ = get(client, page_two)
    note = Notification.objects.get(user=supervisor, message=shown(second)[0])

    response = client.post(reverse("notification-read", args=[note.pk]), {"next": page_two})

    assert response.status_code == 302 and response.url == page_two
    again, _ = get(client, response.url)
    assert shown(again) == shown(second)
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_empty_list_says_so(client_for, supervisor):
    text, _ = get(client_for(supervisor), reverse("notifications"))

    assert "You have no notifications." in text
    assert 'class="usa-pagination"' not in text
