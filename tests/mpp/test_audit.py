"""History is append-only: the database itself refuses UPDATE and DELETE on history tables."""

import pytest
from django.db import ProgrammingError, connection, transaction

from cases.models import CaseStatus
from cases.services import case_move
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.audit.triggers import append_only_tables, install_append_only_triggers
from screenings.workflow import AMENABILITY_REVIEW
from tests.factories import user_with_role

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


def test_the_access_log_is_append_only(officer, case):
    access_log_record(user=officer, channel="page", object_type="case", object_id=case.pk, path="/cases/1/")

    with pytest.raises(ProgrammingError), transaction.atomic():
        AccessLog.objects.all().delete()

    assert AccessLog.objects.filter(user=officer, object_id=str(case.pk)).count() == 1


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
