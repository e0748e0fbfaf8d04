"""History is append-only: the database itself refuses UPDATE and DELETE on history tables. Every read of
personal data is access-logged: one row per request, naming the records shown, who, when and from where."""

import datetime as dt

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.api.views import AlienViewSet, CaseViewSet, EncounterViewSet, FamilyUnitViewSet
from cases.models import CaseStatus
from cases.services import case_move
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.audit.triggers import append_only_tables, install_append_only_triggers
from screenings.api.views import AmenabilityReviewViewSet
from screenings.models import AmenabilityReview
from screenings.services import (
    family_submit_for_review,
    intake_create,
    intake_draft_save_member,
    intake_draft_start,
)
from screenings.workflow import AMENABILITY_REVIEW
from tests.factories import AlienFactory, CaseFactory, family_with_cases, location, user_with_role
from tests.screenings.factories import member, mixed_family, screen_all

pytestmark = pytest.mark.django_db


def test_every_history_table_has_the_refusing_trigger():
    tables = append_only_tables()

    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'mpp_append_only'")
        guarded = {row[0] for row in cursor.fetchall()}
    assert "cases_historicalcase" in guarded
    assert "cases_historicalalien" in guarded
    assert "cases_caseevent" in guarded  # marked by its migration with the append-only table comment
    assert "accounts_historicaluser" in guarded
    assert "audit_accesslog" in guarded
    assert set(tables) <= guarded


def test_an_update_on_a_history_table_fails(case, officer):
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.AWAITING_REVIEW,
        actor=officer,
        reason="Screened",
        workflow=AMENABILITY_REVIEW,
    )
    row = case.history.first()

    with (
        pytest.raises(ProgrammingError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE cases_historicalcase SET history_change_reason = 'rewritten' WHERE history_id = %s",
            [row.history_id],
        )

    row.refresh_from_db()
    assert row.history_change_reason == "Screened"


def test_a_delete_on_a_history_table_fails(case):
    rows_before = case.history.count()

    with (
        pytest.raises(ProgrammingError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM cases_historicalcase WHERE id = %s", [case.pk])

    assert case.history.count() == rows_before


def test_orm_bulk_update_of_history_is_refused_too(case):
    with pytest.raises(ProgrammingError), transaction.atomic():
        case.history.all().update(history_change_reason="tampered")


def _get(path: str, *, remote_addr: str = "203.0.113.7") -> HttpRequest:
    return RequestFactory().get(path, REMOTE_ADDR=remote_addr)


def test_the_access_log_is_append_only(officer, case):
    access_log_record(
        user=officer, request=_get("/cases/1/"), channel="page", object_type="case", object_ids=[case.pk]
    )

    with pytest.raises(ProgrammingError), transaction.atomic():
        AccessLog.objects.all().delete()
    with pytest.raises(ProgrammingError), transaction.atomic():
        AccessLog.objects.update(object_ids=["1"])

    assert AccessLog.objects.filter(user=officer, object_ids=[str(case.pk)]).count() == 1


def test_a_read_of_several_records_is_one_row_naming_them_in_order_with_who_where_and_how(officer):
    request = RequestFactory().get("/search/?q=Hernandez", REMOTE_ADDR="2001:db8::1")

    row = access_log_record(
        user=officer, request=request, channel="page", object_type="case", object_ids=[12, 7, 12, "9"]
    )

    assert AccessLog.objects.count() == 1
    assert row is not None
    row.refresh_from_db()
    assert (row.user, row.channel, row.method, row.object_type) == (officer, "page", "GET", "case")
    assert row.object_ids == ["12", "7", "9"]  # in the order shown, each once
    assert (row.path, row.ip_address) == ("/search/", "2001:db8::1")  # never the query string
    assert row.at is not None


def test_a_read_that_showed_nobody_writes_no_row(officer):
    row = access_log_record(
        user=officer, request=_get("/"), channel="page", object_type="case", object_ids=[]
    )

    assert row is None
    assert not AccessLog.objects.exists()


def test_the_database_refuses_a_row_naming_no_record(officer):
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLog.objects.create(
            user=officer, channel="page", method="GET", object_type="case", object_ids=[], path="/"
        )


def test_an_address_that_does_not_parse_is_recorded_as_unknown(officer):
    row = access_log_record(
        user=officer,
        request=_get("/", remote_addr="unknown"),
        channel="api",
        object_type="alien",
        object_ids=[1],
    )

    assert row is not None and row.ip_address is None


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_our_proxy_the_address_it_forwarded_is_recorded_as_the_lockout_counts_it(officer):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9, 192.0.2.44"
    )

    row = access_log_record(user=officer, request=request, channel="page", object_type="case", object_ids=[1])

    assert row is not None and row.ip_address == "192.0.2.44"  # the entry our proxy wrote, not the client's


def test_installing_the_triggers_again_is_harmless():
    first = install_append_only_triggers(using="default")
    second = install_append_only_triggers(using="default")

    assert first == second
    assert "cases_historicalcase" in second


def test_users_are_never_deleted_and_stay_as_actors(case):
    actor = user_with_role(Role.CBP_OFFICER, locations=[case.location.code])
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.AWAITING_REVIEW,
        actor=actor,
        reason="Screened",
        workflow=AMENABILITY_REVIEW,
    )

    with pytest.raises(Exception, match="deactivate"):
        actor.delete()

    assert case.history.first().history_user_id == actor.pk


@pytest.mark.django_db(transaction=True)
def test_migrating_the_access_log_keeps_each_old_row_as_a_list_of_one_and_keeps_the_table_append_only():
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0001_initial")])
    old_apps = executor.loader.project_state([("audit", "0001_initial")]).apps
    user = old_apps.get_model("accounts", "User").objects.create(username="reader")
    old_apps.get_model("audit", "AccessLog").objects.create(
        user_id=user.pk, channel="page", object_type="case", object_id="12", path="/cases/12/"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    row = AccessLog.objects.get()
    assert (row.object_type, row.object_ids, row.ip_address) == ("case", ["12"], None)
    assert "audit_accesslog" in append_only_tables()
    with pytest.raises(ProgrammingError), transaction.atomic():
        AccessLog.objects.update(path="/rewritten/")


# --- every read of personal data: one row per request, naming what was shown ------------------------------

ADDRESS = "198.51.100.30"


def _api(user) -> APIClient:
    client = APIClient(REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    return client


def _page(user) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    return client


FAMILIES = (("Ana Lucía", "Reyes Mejía"), ("Chidi", "Okonkwo"), ("Marta", "Quispe Huamán"))


def _reviews(officer, count: int) -> list[AmenabilityReview]:
    """``count`` families of one, entered, screened and submitted: one review each, oldest first."""
    reviews = []
    for given, family in FAMILIES[:count]:
        encounter = intake_create(
            actor=officer,
            location=location("sys-poe"),
            occurred_at=timezone.now() - dt.timedelta(hours=2),
            members=[member("head", given, family, dt.date(1990, 3, 14))],
        )
        screen_all(officer, encounter)
        reviews.append(family_submit_for_review(actor=officer, encounter_id=encounter.pk))
    return reviews


def _only_row() -> AccessLog:
    (row,) = AccessLog.objects.all()
    return row


LISTS = {  # endpoint → the kind of record it lists
    "aliens": "alien",
    "cases": "case",
    "family-units": "family_unit",
    "encounters": "encounter",
}


@pytest.mark.parametrize(("endpoint", "kind"), LISTS.items())
def test_an_api_list_writes_one_row_naming_the_page_it_returned(court_clerk, endpoint, kind):
    for _ in range(3):
        family_with_cases(size=1)

    response = _api(court_clerk).get(f"/api/v1/{endpoint}/", {"page_size": 2})

    assert response.status_code == 200
    returned = [str(item["id"]) for item in response.json()["results"]]
    assert len(returned) == 2  # a page of three rows, not the whole list
    row = _only_row()
    assert (row.user, row.channel, row.method, row.object_type) == (court_clerk, "api", "GET", kind)
    assert (row.object_ids, row.path, row.ip_address) == (returned, f"/api/v1/{endpoint}/", ADDRESS)


@pytest.mark.parametrize("endpoint", LISTS)
def test_an_empty_api_list_writes_no_row(court_clerk, endpoint):
    response = _api(court_clerk).get(f"/api/v1/{endpoint}/")

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert not AccessLog.objects.exists()


def test_the_review_queue_api_writes_one_row_naming_the_reviews_returned(officer, supervisor):
    reviews = _reviews(officer, 2)

    response = _api(supervisor).get("/api/v1/amenability-reviews/")

    assert response.status_code == 200
    row = _only_row()
    assert (row.user, row.object_type, row.ip_address) == (supervisor, "amenability_review", ADDRESS)
    assert row.object_ids == [str(r.pk) for r in reviews]  # oldest first, as listed


@pytest.mark.parametrize(
    ("viewset", "url"),
    [
        (AlienViewSet, "/api/v1/aliens/"),
        (CaseViewSet, "/api/v1/cases/"),
        (FamilyUnitViewSet, "/api/v1/family-units/"),
        (EncounterViewSet, "/api/v1/encounters/"),
    ],
)
def test_logging_an_api_list_costs_one_insert(court_clerk, monkeypatch, viewset, url):
    for _ in range(3):
        family_with_cases(size=2)
    client = _api(court_clerk)
    client.get(url)  # warm the caches

    with CaptureQueriesContext(connection) as logged:
        client.get(url)
    monkeypatch.setattr(viewset, "access_log_type", None)
    with CaptureQueriesContext(connection) as unlogged:
        client.get(url)

    assert len(logged.captured_queries) == len(unlogged.captured_queries) + 1


def test_logging_the_review_queue_api_costs_one_insert(officer, supervisor, monkeypatch):
    _reviews(officer, 2)
    client = _api(supervisor)
    client.get("/api/v1/amenability-reviews/")

    with CaptureQueriesContext(connection) as logged:
        client.get("/api/v1/amenability-reviews/")
    monkeypatch.setattr(AmenabilityReviewViewSet, "access_log_type", None)
    with CaptureQueriesContext(connection) as unlogged:
        client.get("/api/v1/amenability-reviews/")

    assert len(logged.captured_queries) == len(unlogged.captured_queries) + 1


def test_the_home_page_writes_one_row_naming_the_recent_cases_and_the_review_queue(officer, supervisor):
    screened = mixed_family(officer)
    screen_all(officer, screened)
    family_submit_for_review(actor=officer, encounter_id=screened.pk)
    other = CaseFactory()

    response = _page(supervisor).get(reverse("cases:home"))

    assert response.status_code == 200
    row = _only_row()
    assert (row.user, row.channel, row.object_type, row.ip_address) == (supervisor, "page", "case", ADDRESS)
    assert set(row.object_ids) == {str(c.pk) for c in screened.cases.all()} | {str(other.pk)}


def test_the_home_page_of_a_role_without_cases_writes_no_row():
    analyst = user_with_role(Role.ANALYST)
    CaseFactory()

    assert _page(analyst).get(reverse("cases:home")).status_code == 200
    assert not AccessLog.objects.exists()


def test_the_review_queue_page_writes_one_row_naming_the_reviews_listed(officer, supervisor):
    reviews = _reviews(officer, 2)

    response = _page(supervisor).get(reverse("screenings:review-queue"))

    assert response.status_code == 200
    row = _only_row()
    assert (row.user, row.object_type, row.ip_address) == (supervisor, "amenability_review", ADDRESS)
    assert row.object_ids == [str(r.pk) for r in reviews]


def test_the_intake_list_writes_one_row_naming_the_drafts_listed(officer):
    open_draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    colleagues = intake_draft_start(actor=user_with_role(Role.CBP_OFFICER), location=location("sys-poe"))

    response = _page(officer).get(reverse("screenings:intake-list"))

    assert response.status_code == 200
    row = _only_row()
    assert (row.user, row.object_type, row.object_ids, row.ip_address) == (
        officer,
        "intake_draft",
        [str(open_draft.pk)],
        ADDRESS,
    )
    assert str(colleagues.pk) not in row.object_ids


def test_the_intake_draft_page_writes_a_row_for_the_draft_and_one_for_the_registered_people_it_shows(
    officer,
):
    """Two kinds of record, one row each: the draft, and the registered person offered as its duplicate."""
    registered = AlienFactory(family_name="Castillo", given_names="Rosa", date_of_birth=dt.date(1985, 4, 9))
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    intake_draft_save_member(
        actor=officer,
        draft_id=draft.pk,
        data={
            "relationship": "head",
            "family_name": "Castilo",
            "given_names": "Rosa",
            "date_of_birth": "1985-04-09",
            "sex": "F",
            "country_of_citizenship": "SV",
            "preferred_language": "es",
        },
    )

    response = _page(officer).get(reverse("screenings:intake-draft", args=[draft.pk]) + "?step=members")

    assert response.status_code == 200
    rows = set(AccessLog.objects.values_list("user", "object_type", "ip_address"))
    assert rows == {(officer.pk, "intake_draft", ADDRESS), (officer.pk, "alien", ADDRESS)}
    assert AccessLog.objects.get(object_type="intake_draft").object_ids == [str(draft.pk)]
    assert AccessLog.objects.get(object_type="alien").object_ids == [str(registered.pk)]


def test_the_case_page_writes_one_row_naming_the_case_and_the_family_cases_it_lists(officer):
    head, *others = family_with_cases(size=3)

    response = _page(officer).get(reverse("cases:detail", args=[head.pk]))

    assert response.status_code == 200
    row = _only_row()
    assert (row.user, row.object_type, row.ip_address) == (officer, "case", ADDRESS)
    assert row.object_ids[0] == str(head.pk)
    assert sorted(row.object_ids) == sorted(str(c.pk) for c in [head, *others])


def test_print_staff_case_page_names_only_the_case_they_were_shown():
    head, *_ = family_with_cases(size=3)

    _page(user_with_role(Role.PRINT_STAFF)).get(reverse("cases:detail", args=[head.pk]))

    assert _only_row().object_ids == [str(head.pk)]  # the family table is not shown to print staff


def test_search_results_write_one_row_and_no_result_writes_none(officer):
    first, second = family_with_cases(size=2)
    first.alien.family_name = second.alien.family_name = "Hernandez"
    for alien in (first.alien, second.alien):
        alien.save(update_fields=["family_name"])
    client = _page(officer)

    client.get(reverse("cases:search"), {"q": "Nobody-like-this"})
    client.get(reverse("cases:search"), {"q": "Hernandez"})

    row = _only_row()
    assert (row.object_type, sorted(row.object_ids), row.path) == (
        "case",
        sorted([str(first.pk), str(second.pk)]),
        reverse("cases:search"),  # never the query: it carries the name searched
    )
