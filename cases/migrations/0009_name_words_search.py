"""Name search at program scale (step 5): the words of each person's names as an indexed array, and a
dictionary of the distinct words to match typed words against.

``mpp_name_words(text, ...)``: the words of the given texts, lower case, accents removed (``mpp_search_name``
of migration 0008), split at spaces and punctuation. ``cases_alien.name_words`` (given and family names) and
``family_words`` are set by a BEFORE trigger on every insert and update of the row, whatever the writer
sent: nothing can let them disagree with the names. Migration 0010 copies them onto each case.

``cases_nameword``: every distinct word of ``name_words``, filled by statement triggers on cases_alien
(insert and update, in the writer's transaction; words are inserted in sorted order so two writers never
deadlock on each other's words). ``cases.selectors.case_search`` scores a typed word against these few
thousand words (trigram, GIN) instead of against every person.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.conf import settings
from django.db import migrations, models

NAME_WORDS = r"""
CREATE OR REPLACE FUNCTION mpp_name_words(VARIADIC parts text[]) RETURNS text[] AS $$
    SELECT array_remove(
        regexp_split_to_array(mpp_search_name(array_to_string(parts, ' ')), '[[:space:][:punct:]’‘“”]+'), ''
    )
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;
"""

COMPUTE = """
CREATE OR REPLACE FUNCTION mpp_alien_name_words() RETURNS trigger AS $$
BEGIN
    NEW.name_words := mpp_name_words(NEW.given_names, NEW.family_name);
    NEW.family_words := mpp_name_words(NEW.family_name);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER alien_name_words BEFORE INSERT OR UPDATE ON cases_alien
    FOR EACH ROW EXECUTE FUNCTION mpp_alien_name_words();
UPDATE cases_alien SET name_words = mpp_name_words(given_names, family_name),
    family_words = mpp_name_words(family_name);
"""

UNCOMPUTE = """
DROP TRIGGER IF EXISTS alien_name_words ON cases_alien;
DROP FUNCTION IF EXISTS mpp_alien_name_words();
"""

COLLECT = """
CREATE OR REPLACE FUNCTION mpp_nameword_collect() RETURNS trigger AS $$
BEGIN
    INSERT INTO cases_nameword (word)
    SELECT DISTINCT w FROM new_rows, unnest(new_rows.name_words) AS w ORDER BY w
    ON CONFLICT (word) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER alien_namewords_insert AFTER INSERT ON cases_alien
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mpp_nameword_collect();
CREATE TRIGGER alien_namewords_update AFTER UPDATE ON cases_alien
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mpp_nameword_collect();
INSERT INTO cases_nameword (word)
    SELECT DISTINCT w FROM cases_alien, unnest(cases_alien.name_words) AS w ORDER BY w
    ON CONFLICT (word) DO NOTHING;
"""

UNCOLLECT = """
DROP TRIGGER IF EXISTS alien_namewords_insert ON cases_alien;
DROP TRIGGER IF EXISTS alien_namewords_update ON cases_alien;
DROP FUNCTION IF EXISTS mpp_nameword_collect();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_accent_insensitive_name_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(NAME_WORDS, "DROP FUNCTION IF EXISTS mpp_name_words(VARIADIC text[]);"),
        migrations.CreateModel(
            name='NameWord',
            fields=[
                ('word', models.TextField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.AddField(
            model_name='alien',
            name='family_words',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), default=list, editable=False),
        ),
        migrations.AddField(
            model_name='alien',
            name='name_words',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), default=list, editable=False),
        ),
        migrations.AddIndex(
            model_name='nameword',
            index=django.contrib.postgres.indexes.GinIndex(fields=['word'], name='nameword_word_trgm', opclasses=['gin_trgm_ops']),
        ),
        migrations.RunSQL(COMPUTE, UNCOMPUTE),
        migrations.RunSQL(COLLECT, UNCOLLECT),
    ]
