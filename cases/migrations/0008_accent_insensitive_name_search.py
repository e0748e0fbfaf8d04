"""Name search that ignores accents and case: ``mpp_search_name(text)`` (lower case, accents removed by the
unaccent extension) is IMMUTABLE, so GIN trigram indexes on exactly that expression serve the search query
(``cases.selectors.case_search`` evaluates the same expression). unaccent() itself is only STABLE, which is
why it is wrapped with its dictionary named explicitly."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION mpp_search_name(text) RETURNS text AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1))
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_recent_index")]

    operations = [
        UnaccentExtension(),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS mpp_search_name(text);"),
        migrations.RunSQL(
            "CREATE INDEX alien_family_name_search_trgm ON cases_alien "
            "USING gin (mpp_search_name(family_name) gin_trgm_ops);",
            "DROP INDEX IF EXISTS alien_family_name_search_trgm;",
        ),
        migrations.RunSQL(
            "CREATE INDEX alien_given_names_search_trgm ON cases_alien "
            "USING gin (mpp_search_name(given_names) gin_trgm_ops);",
            "DROP INDEX IF EXISTS alien_given_names_search_trgm;",
        ),
    ]
