"""Append-only history: a PostgreSQL trigger refuses UPDATE and DELETE on every history table.

Database privileges alone would not bind a superuser connection; a trigger does. History rows are only
ever INSERTed (simple-history's normal saves and ``bulk_create_with_history`` do exactly that).
"""

from __future__ import annotations

from django.db import connection

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION mpp_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'P0001';
END;
$$ LANGUAGE plpgsql;
"""

# Tables that are append-only although they are not simple-history tables.
EXTRA_APPEND_ONLY_TABLES = ("audit_accesslog",)
# An app marks one of its own tables append-only with this table comment (in a migration), so mpp needs
# no list of domain tables: ``COMMENT ON TABLE cases_caseevent IS 'mpp:append-only'``.
APPEND_ONLY_COMMENT = "mpp:append-only"


def append_only_tables() -> list[str]:
    """History tables found by their columns, so this also works inside migrations and after flush."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND c.column_name IN ('history_id', 'history_date', 'history_type')
            GROUP BY c.table_name HAVING count(*) = 3
            UNION
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_name = ANY(%s)
            UNION
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r'
              AND obj_description(c.oid, 'pg_class') = %s
            ORDER BY 1
            """,
            [list(EXTRA_APPEND_ONLY_TABLES), APPEND_ONLY_COMMENT],
        )
        return [row[0] for row in cursor.fetchall()]


def install_append_only_triggers(**kwargs: object) -> list[str]:
    """Create or replace the refusing trigger on every history table. Returns the tables covered."""
    using = kwargs.get("using", "default")
    if using != "default" or connection.vendor != "postgresql":
        return []
    tables = append_only_tables()
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        for table in tables:
            cursor.execute(
                f'CREATE OR REPLACE TRIGGER mpp_append_only BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION mpp_refuse_history_change()"
            )
    return tables
