"""Every case keeps its timeline: the case rows' history becomes case events (opened, each status change),
with the actor, time and reason the history recorded. The case event table becomes append-only.

Statuses are copied as they were, ``fear_claim_pending`` included (the timeline labels it as a former
status). Which old entries carry restricted content is read from what they say: a move into
``not_amenable`` whose reason names a health exclusion is medical; a move into or out of the fear status is
fear.
"""

from itertools import groupby

from django.db import migrations

BATCH = 2000


def history_to_events(apps, schema_editor):
    HistoricalCase = apps.get_model("cases", "HistoricalCase")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    rows = (
        HistoricalCase.objects.order_by("id", "history_date", "history_id")
        .values("id", "status", "history_type", "history_date", "history_user_id", "history_change_reason")
        .iterator(chunk_size=BATCH)
    )
    batch = []
    for case_id, case_rows in groupby(rows, key=lambda row: row["id"]):
        previous = None
        for row in case_rows:
            reason = row["history_change_reason"] or ""
            common = {
                "case_id": case_id,
                "actor_id": row["history_user_id"],
                "occurred_at": row["history_date"],
                "reason": reason,
            }
            if row["history_type"] == "+":
                batch.append(CaseEvent(type="case.opened", data={"status": row["status"]}, **common))
            elif row["history_type"] == "~" and row["status"] != previous:
                sensitivities = []
                if row["status"] == "not_amenable" and "health" in reason:
                    sensitivities.append("medical")
                if "fear_claim_pending" in (row["status"], previous):
                    sensitivities.append("fear")
                batch.append(
                    CaseEvent(
                        type="status.changed",
                        data={"from": previous, "to": row["status"], "migrated_from_history": True},
                        sensitivities=sensitivities,
                        **common,
                    )
                )
            previous = row["status"]
            if len(batch) >= BATCH:
                CaseEvent.objects.bulk_create(batch)
                batch = []
    CaseEvent.objects.bulk_create(batch)


def make_append_only(apps, schema_editor):
    from mpp.audit.triggers import APPEND_ONLY_COMMENT, install_append_only_triggers

    schema_editor.execute(f"COMMENT ON TABLE cases_caseevent IS '{APPEND_ONLY_COMMENT}'")
    install_append_only_triggers(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_holds_events_no_fear_status"), ("audit", "0001_initial")]

    operations = [
        migrations.RunPython(history_to_events, migrations.RunPython.noop),
        migrations.RunPython(make_append_only, migrations.RunPython.noop),
    ]
