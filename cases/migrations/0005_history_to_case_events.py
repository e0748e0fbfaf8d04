"""Every case keeps its timeline: the case rows' history becomes case events (opened, each status change),
with the actor, time and reason the history recorded. The case event table becomes append-only.

Statuses are copied as they were, ``fear_claim_pending`` included (the timeline labels it as a former
status). Which old entries carry restricted content is read from what they say: a move into
``not_amenable`` whose reason names a health exclusion is medical; a move into or out of the fear status is
fear. One set-based INSERT … SELECT (a window over each case's history), so it stays quick on millions of
history rows.
"""

from django.db import migrations

HISTORY_TO_EVENTS = """
INSERT INTO cases_caseevent (case_id, type, actor_id, occurred_at, reason, data, sensitivities, created_at)
SELECT
    h.id,
    CASE WHEN h.history_type = '+' THEN 'case.opened' ELSE 'status.changed' END,
    h.history_user_id,
    h.history_date,
    COALESCE(h.history_change_reason, ''),
    CASE
        WHEN h.history_type = '+' THEN jsonb_build_object('status', h.status)
        ELSE jsonb_build_object('from', h.previous, 'to', h.status, 'migrated_from_history', true)
    END,
    ARRAY_REMOVE(ARRAY[
        CASE WHEN h.history_type = '~' AND h.status = 'not_amenable'
             AND COALESCE(h.history_change_reason, '') LIKE '%health%' THEN 'medical' END,
        CASE WHEN h.history_type = '~' AND 'fear_claim_pending' IN (h.status, h.previous) THEN 'fear' END
    ], NULL)::varchar(16)[],
    now()
FROM (
    SELECT hc.*, LAG(hc.status) OVER (PARTITION BY hc.id ORDER BY hc.history_date, hc.history_id) AS previous
    FROM cases_historicalcase hc
) h
WHERE h.history_type = '+' OR (h.history_type = '~' AND h.status IS DISTINCT FROM h.previous)
ORDER BY h.id, h.history_date, h.history_id
"""


def make_append_only(apps, schema_editor):
    from mpp.audit.triggers import APPEND_ONLY_COMMENT, install_append_only_triggers

    schema_editor.execute(f"COMMENT ON TABLE cases_caseevent IS '{APPEND_ONLY_COMMENT}'")
    install_append_only_triggers(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_holds_events_no_fear_status"), ("audit", "0001_initial")]

    operations = [
        migrations.RunSQL(HISTORY_TO_EVENTS, migrations.RunSQL.noop),
        migrations.RunPython(make_append_only, migrations.RunPython.noop),
    ]
