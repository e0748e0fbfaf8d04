"""The fear claim is no longer a status (it is a hold, see 0004-0005 and screenings 0003): the status column
refuses it from now on. screenings 0003 runs before this one (its ``run_before``) and moves the cases that
were in ``fear_claim_pending`` back to where they stood."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_history_to_case_events")]

    operations = [
        migrations.RemoveConstraint(
            model_name='case',
            name='case_status_valid',
        ),
        migrations.AlterField(
            model_name='case',
            name='status',
            field=models.CharField(choices=[('screening', 'Screening in progress'), ('awaiting_review', 'Awaiting supervisor review of amenability'), ('amenable', 'Amenable: ready for the NTA'), ('not_amenable', 'Not amenable to MPP'), ('enrolled', 'Enrolled: NTA served and filed'), ('in_mexico', 'In Mexico awaiting hearing'), ('in_us_for_hearing', 'In the U.S. for a hearing'), ('removed_from_mpp', 'Removed from MPP (240 proceedings continue in the U.S.)'), ('completed_relief', 'Completed: relief or protection granted'), ('completed_removal_order', 'Completed: final order of removal'), ('completed_other', 'Completed: other outcome (terminated, voluntary departure …)'), ('handed_to_ice', 'Handed over to ICE ERO'), ('reopened', 'Reopened (motion to reopen or remand)')], default='screening', max_length=32),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='status',
            field=models.CharField(choices=[('screening', 'Screening in progress'), ('awaiting_review', 'Awaiting supervisor review of amenability'), ('amenable', 'Amenable: ready for the NTA'), ('not_amenable', 'Not amenable to MPP'), ('enrolled', 'Enrolled: NTA served and filed'), ('in_mexico', 'In Mexico awaiting hearing'), ('in_us_for_hearing', 'In the U.S. for a hearing'), ('removed_from_mpp', 'Removed from MPP (240 proceedings continue in the U.S.)'), ('completed_relief', 'Completed: relief or protection granted'), ('completed_removal_order', 'Completed: final order of removal'), ('completed_other', 'Completed: other outcome (terminated, voluntary departure …)'), ('handed_to_ice', 'Handed over to ICE ERO'), ('reopened', 'Reopened (motion to reopen or remand)')], default='screening', max_length=32),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['screening', 'awaiting_review', 'amenable', 'not_amenable', 'enrolled', 'in_mexico', 'in_us_for_hearing', 'removed_from_mpp', 'completed_relief', 'completed_removal_order', 'completed_other', 'handed_to_ice', 'reopened'])), name='case_status_valid'),
        ),
    ]
