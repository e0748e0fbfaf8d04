"""One access-log row per request: ``object_id`` → ``object_ids`` (a list), plus the client's address and the
HTTP method. Existing rows keep their one record (``[object_id]``), address unknown (null).

The table is append-only (a trigger refuses UPDATE and DELETE): the data steps drop the trigger, rewrite the
rows and install it again, inside the migration's transaction, so no other write sees the table unguarded.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

TRIGGER_DROP = "DROP TRIGGER IF EXISTS mpp_append_only ON audit_accesslog"


def one_id_per_row_to_a_list(apps, schema_editor):
    from mpp.audit.triggers import install_append_only_triggers

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TRIGGER_DROP)
        cursor.execute("UPDATE audit_accesslog SET object_ids = ARRAY[object_id]")
    install_append_only_triggers(using=schema_editor.connection.alias)


def a_list_to_one_id_per_row(apps, schema_editor):
    """Backwards: a row naming several records becomes one row per record (same who, when, where)."""
    from mpp.audit.triggers import install_append_only_triggers

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TRIGGER_DROP)
        # Checked now, not at commit: the next steps ALTER the table, refused while trigger events wait.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """
            INSERT INTO audit_accesslog
                (user_id, channel, method, object_type, object_id, object_ids, path, ip_address, at)
            SELECT user_id, channel, method, object_type, extra.id, ARRAY[extra.id], path, ip_address, at
            FROM audit_accesslog, unnest(object_ids[2:]) AS extra(id)
            WHERE cardinality(object_ids) > 1
            """
        )
        cursor.execute("UPDATE audit_accesslog SET object_id = object_ids[1], object_ids = object_ids[1:1]")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    install_append_only_triggers(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="object_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=64), null=True, size=None
            ),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="channel",
            field=models.CharField(
                choices=[("page", "Browser page"), ("api", "REST API"), ("admin", "Django admin")], max_length=8
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="ip_address",
            field=models.GenericIPAddressField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="method",
            field=models.CharField(default="", max_length=8),
            preserve_default=False,
        ),
        # Backwards, the old column comes back with a default so that rows can be added to it first.
        migrations.AlterField(
            model_name="accesslog", name="object_id", field=models.CharField(default="", max_length=64)
        ),
        migrations.RunPython(one_id_per_row_to_a_list, a_list_to_one_id_per_row),
        migrations.AlterField(
            model_name="accesslog",
            name="object_ids",
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=64), size=None),
        ),
        migrations.RemoveIndex(model_name="accesslog", name="accesslog_object_idx"),
        migrations.RemoveField(model_name="accesslog", name="object_id"),
        migrations.AddIndex(
            model_name="accesslog",
            index=models.Index(fields=["object_type", "-at"], name="accesslog_type_idx"),
        ),
        migrations.AddIndex(
            model_name="accesslog",
            index=django.contrib.postgres.indexes.GinIndex(fields=["object_ids"], name="accesslog_object_ids_idx"),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.CheckConstraint(
                condition=models.Q(object_ids__len__gt=0), name="accesslog_names_records"
            ),
        ),
    ]
