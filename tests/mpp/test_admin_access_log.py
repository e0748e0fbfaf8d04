"""The Django admin logs its reads of personal data like every other page: who, which records, when, from
where — one access-log row per page (mpp.audit.admin.AccessLoggedAdmin)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Alien, Case, CaseEvent, Encounter, FamilyMember, FamilyUnit, Hold
from mpp.audit.admin import AccessLoggedAdmin
from mpp.audit.models import AccessLog
from screenings.models import AmenabilityReview, IntakeDraft, ScreeningFacts
from tests.factories import AlienFactory, CaseFactory, UserFactory, family_with_cases

pytestmark = pytest.mark.django_db

PERSONAL_DATA_MODELS = (
    Alien,
    Case,
    FamilyUnit,
    FamilyMember,
    Encounter,
    ScreeningFacts,
    AmenabilityReview,
    IntakeDraft,
    Hold,
    CaseEvent,
)
ADDRESS = "198.51.100.77"


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def admin_client(user) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    return client


def the_row() -> AccessLog:
    (row,) = AccessLog.objects.all()
    return row


def test_every_admin_of_a_personal_data_model_logs_its_reads():
    registered = {model: model_admin for model, model_admin in admin.site._registry.items()}

    unlogged = [
        model.__name__
        for model in PERSONAL_DATA_MODELS
        if model in registered and not isinstance(registered[model], AccessLoggedAdmin)
    ]

    assert unlogged == []
    assert {Alien, Case, FamilyUnit, Encounter} <= set(registered)  # the ones the admin has today


@pytest.mark.parametrize(
    ("model", "kind"),
    [(Alien, "alien"), (Case, "case"), (FamilyUnit, "family_unit"), (Encounter, "encounter")],
)
def test_a_change_page_writes_one_row_naming_the_record_the_user_and_the_address(superuser, model, kind):
    case = CaseFactory()
    record = {
        Alien: case.alien,
        Case: case,
        FamilyUnit: case.encounter.family_unit,
        Encounter: case.encounter,
    }[model]
    url = reverse(f"admin:cases_{model._meta.model_name}_change", args=[record.pk])

    response = admin_client(superuser).get(url)

    assert response.status_code == 200
    row = the_row()
    assert (row.user, row.channel, row.method, row.object_type, row.object_ids) == (
        superuser,
        "admin",
        "GET",
        kind,
        [str(record.pk)],
    )
    assert (row.path, row.ip_address) == (url, ADDRESS)


def test_the_history_page_and_a_past_version_are_logged_each_in_one_row(superuser):
    alien = AlienFactory()
    version = alien.history.first()
    client = admin_client(superuser)

    history = client.get(reverse("admin:cases_alien_history", args=[alien.pk]))
    past = client.get(reverse("admin:cases_alien_simple_history", args=[alien.pk, version.history_id]))

    assert (history.status_code, past.status_code) == (200, 200)
    rows = list(AccessLog.objects.order_by("id").values_list("object_type", "object_ids", "path"))
    assert rows == [
        ("alien", [str(alien.pk)], reverse("admin:cases_alien_history", args=[alien.pk])),
        (
            "alien",
            [str(alien.pk)],
            reverse("admin:cases_alien_simple_history", args=[alien.pk, version.history_id]),
        ),
    ]


def test_the_list_page_writes_one_row_naming_the_rows_shown(superuser):
    cases = family_with_cases(size=3)

    response = admin_client(superuser).get(reverse("admin:cases_case_changelist"))

    assert response.status_code == 200
    row = the_row()
    assert (row.object_type, sorted(row.object_ids)) == ("case", sorted(str(c.pk) for c in cases))


def test_an_empty_list_page_writes_no_row(superuser):
    response = admin_client(superuser).get(reverse("admin:cases_alien_changelist"))

    assert response.status_code == 200
    assert not AccessLog.objects.exists()


def test_view_only_staff_reading_a_change_page_are_logged():
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_alien"))
    alien = AlienFactory()

    response = admin_client(viewer).get(reverse("admin:cases_alien_change", args=[alien.pk]))

    assert response.status_code == 200
    assert (the_row().user, the_row().object_ids) == (viewer, [str(alien.pk)])


def test_a_record_not_shown_writes_nothing(superuser):
    no_permission = UserFactory(is_staff=True)
    alien = AlienFactory()

    missing = admin_client(superuser).get(reverse("admin:cases_alien_change", args=[alien.pk + 1000]))
    refused = admin_client(no_permission).get(reverse("admin:cases_alien_change", args=[alien.pk]))

    assert missing.status_code == 302  # the admin's "does not exist" redirect
    assert refused.status_code == 403
    assert not AccessLog.objects.exists()


def test_logging_the_list_page_costs_one_insert_and_no_second_read_of_the_rows(superuser, monkeypatch):
    family_with_cases(size=3)
    client = admin_client(superuser)
    url = reverse("admin:cases_case_changelist")
    client.get(url)  # warm the caches (content types, session)

    with CaptureQueriesContext(connection) as logged:
        client.get(url)
    monkeypatch.setattr(AccessLoggedAdmin, "log_read", lambda *args, **kwargs: None)
    with CaptureQueriesContext(connection) as unlogged:
        client.get(url)

    assert len(logged.captured_queries) == len(unlogged.captured_queries) + 1
