from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # hearing_docket_idx with the status included (index-only reads of a day's hearings at a place), built
    # before the old one goes so that the docket's and arrivals' reads always have one; neither blocks writes.
    atomic = False

    dependencies = [
        ("hearings", "0007_hearing_and_sheet_list_idx"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="hearing",
            index=models.Index(
                fields=["hearing_location", "starts_at", "id"], include=["status"], name="hearing_place_time_idx"
            ),
        ),
        RemoveIndexConcurrently(model_name="hearing", name="hearing_docket_idx"),
    ]
