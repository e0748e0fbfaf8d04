"""Reference data: languages. N1a: tear sheets exist in English, Spanish and Portuguese (required) and
Haitian Creole (on DHS's packet list); the set is data, editable in the admin."""

from django.db import migrations

LANGUAGES = [
    ("en", "English", True),
    ("es", "Spanish", True),
    ("pt", "Portuguese", True),
    ("ht", "Haitian Creole", True),
    ("fr", "French", False),
    ("quc", "K'iche'", False),
    ("mam", "Mam", False),
    ("qeq", "Q'eqchi'", False),
    ("ru", "Russian", False),
    ("tr", "Turkish", False),
    ("ar", "Arabic", False),
    ("other", "Other (record in notes)", False),
]


def load(apps, schema_editor):
    Language = apps.get_model("cases", "Language")
    for code, name, tear_sheet in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults=dict(name=name, tear_sheet_available=tear_sheet))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
