"""Reference data: the USCIS asylum offices that interviewed MPP fear claims (S1), and which office serves
each port, station, court and hearing facility. Editable later in the admin."""

from django.db import migrations

# (code, name, city, state, time zone, address)
OFFICES = [
    (
        "lax-zla",
        "Los Angeles Asylum Office",
        "Tustin",
        "CA",
        "America/Los_Angeles",
        "1585 S. Manchester Ave., Anaheim, CA 92802",
    ),
    (
        "hou-zhn",
        "Houston Asylum Office",
        "Houston",
        "TX",
        "America/Chicago",
        "16630 Imperial Valley Dr., Suite 200, Houston, TX 77060",
    ),
]

# California and Arizona → Los Angeles; Texas (and New Mexico) → Houston.
SERVED_BY = {"CA": "lax-zla", "AZ": "lax-zla", "TX": "hou-zhn", "NM": "hou-zhn"}


def load(apps, schema_editor):
    Location = apps.get_model("accounts", "Location")
    offices = {}
    for code, name, city, state, tz, address in OFFICES:
        offices[code], _ = Location.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name, kind="asylum_office", city=city, state=state, time_zone=tz, address=address
            ),
        )
    for place in Location.objects.exclude(kind="asylum_office").filter(asylum_office__isnull=True):
        office = SERVED_BY.get(place.state)
        if office:
            place.asylum_office = offices[office]
            place.save(update_fields=["asylum_office"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_asylum_office_kind")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
