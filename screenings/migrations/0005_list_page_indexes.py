# The lists read 50 a page by keyset, so each index matches its list's filter and order, the id included:
# the supervisor's queue (pending reviews of a location, oldest first; partial: only pending rows) and the
# user's drafts in a status, last saved first. Built concurrently, then the indexes they replace dropped.

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("screenings", "0004_fear_stated_by_and_rescreening"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="amenabilityreview",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["location", "submitted_at", "id"],
                name="review_queue_pending_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="intakedraft",
            index=models.Index(
                fields=["created_by", "status", "-updated_at", "-id"], name="intake_owner_page_idx"
            ),
        ),
        RemoveIndexConcurrently(
            model_name="amenabilityreview",
            name="review_queue_idx",
        ),
        RemoveIndexConcurrently(
            model_name="intakedraft",
            name="intake_owner_idx",
        ),
    ]
