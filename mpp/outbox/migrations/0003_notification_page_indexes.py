# The notifications page reads 50 a page by keyset, newest first: an index on exactly (user, created_at DESC,
# id DESC) replaces the one without the id. The header's unread badge counts a partial index of the unread
# rows only. Built concurrently: the table holds a row per notification, and writes go on meanwhile.

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("outbox", "0002_event_bus_deliveries"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(fields=["user", "-created_at", "-id"], name="notification_user_page_idx"),
        ),
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)), fields=["user"], name="notification_unread_idx"
            ),
        ),
        RemoveIndexConcurrently(
            model_name="notification",
            name="notification_user_idx",
        ),
    ]
