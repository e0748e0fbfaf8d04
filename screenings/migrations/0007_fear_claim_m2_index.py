"""M2 (USCIS referrals by asylum office and month, as of a date) reads every fear claim each asylum office had
by the date: an index on (office, stated_at) that also carries the columns the aggregate reads (case, outcome,
decision time) serves each office as one index-only range scan, without visiting the table
(``metrics.selectors.m2_uscis_referrals``; ~12 ms for the 51k claims of 500k cases).

Raw SQL, not ``AddIndex``: the covering columns are for the metric's query alone, and the model's ``Meta``
belongs to the fear-claim workflow; Django's migration state is left unchanged (``makemigrations --check``
sees nothing to do)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("screenings", "0006_fear_claims_and_assessments")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX IF NOT EXISTS fear_claim_m2_idx ON screenings_fearclaim (asylum_office_id, stated_at) "
                "INCLUDE (case_id, outcome, decided_at)"
            ),
            reverse_sql="DROP INDEX IF EXISTS fear_claim_m2_idx",
        )
    ]
