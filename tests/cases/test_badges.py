"""Step 5: the header's badges are on every page, so their counts are bounded: up to 99, then "99+"."""

import re

import pytest
from django.urls import reverse

from cases.templatetags.ui import BADGE_CAP, badge_number
from mpp.accounts.roles import Role
from mpp.outbox.models import Notification, OutboxEvent
from mpp.outbox.selectors import notifications_unread_count
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def badge(text: str, testid: str) -> str | None:
    found = re.search(rf'data-testid="{testid}">([^<]+)<', text)
    return found.group(1) if found else None


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, 1), (99, 99), (100, "99+"), (5000, "99+")])
def test_badge_number(count, shown):
    assert badge_number(count) == shown


def test_the_unread_count_stops_after_the_cap_and_the_badge_says_99_plus(client):
    officer = user_with_role(Role.CBP_OFFICER)
    Notification.objects.bulk_create(
        Notification(
            user=officer, event=OutboxEvent.objects.create(event="test.event"), message=f"Notice {i}", url="/"
        )
        for i in range(BADGE_CAP + 21)
    )
    client.force_login(officer)

    page = client.get(reverse("cases:home")).content.decode()

    assert notifications_unread_count(user=officer) == BADGE_CAP + 21
    assert notifications_unread_count(user=officer, cap=BADGE_CAP) == BADGE_CAP + 1
    assert badge(page, "unread-count") == "99+"


def test_a_few_unread_are_counted_exactly(client):
    officer = user_with_role(Role.CBP_OFFICER)
    Notification.objects.bulk_create(
        Notification(
            user=officer, event=OutboxEvent.objects.create(event="test.event"), message=f"N{i}", url="/"
        )
        for i in range(3)
    )
    client.force_login(officer)

    assert badge(client.get(reverse("cases:home")).content.decode(), "unread-count") == "3"
