"""Reference data: the hearing locations people report for (each with its reporting port and lead time)
and the charges an NTA may bring. Editable in the admin, with history. The printings of tear sheets are
append-only (mpp.audit.triggers)."""

import datetime as dt

from django.db import migrations

# (code, name, kind, court code, facility code, address from, time zone, reporting port, lead hours)
HEARING_LOCATIONS = [
    ("sdg-ic-mpp", "San Diego Immigration Court (MPP docket)", "courtroom", "sdg-ic", None, "sdg-ic",
     "America/Los_Angeles", "sys-poe", 4.0),
    ("imp-ic-mpp", "Imperial Immigration Court (MPP docket)", "courtroom", "imp-ic", None, "imp-ic",
     "America/Los_Angeles", "cxl-poe", 3.0),
    ("elp-ic-mpp", "El Paso Immigration Court (MPP docket)", "courtroom", "elp-ic", None, "elp-ic",
     "America/Denver", "elp-poe", 3.0),
    # People returned at Nogales were transported to El Paso for their hearings: they report in Arizona
    # time (no daylight saving), the hearing is in Mountain time.
    ("elp-ic-nog", "El Paso Immigration Court (Nogales returns)", "courtroom", "elp-ic", None, "elp-ic",
     "America/Denver", "nog-poe", 5.0),
    ("lrd-ihf", "Laredo MPP Immigration Hearing Facility", "hearing_facility", "sna-ic", "lrd-ihf", "lrd-ihf",
     "America/Chicago", "lrd-poe", 3.5),
    ("egp-lrd-ihf", "Laredo MPP Immigration Hearing Facility (Eagle Pass returns)", "hearing_facility",
     "sna-ic", "lrd-ihf", "lrd-ihf", "America/Chicago", "egp-poe", 5.0),
    ("bro-ihf", "Brownsville MPP Immigration Hearing Facility", "hearing_facility", "hlg-ic", "bro-ihf",
     "bro-ihf", "America/Chicago", "bro-poe", 3.5),
]

CHARGES = [
    (
        "212(a)(7)(A)(i)(I)",
        "An immigrant who, at the time of application for admission, is not in possession of a valid "
        "unexpired immigrant visa, reentry permit, border crossing card, or other valid entry document "
        "required by the Act, and a valid unexpired passport, or other suitable travel document, or "
        "document of identity and nationality as required under the regulations issued by the Attorney "
        "General under section 211(a) of the Act.",
    ),
    (
        "212(a)(6)(A)(i)",
        "An alien present in the United States without being admitted or paroled, or who arrived in the "
        "United States at any time or place other than as designated by the Attorney General.",
    ),
    (
        "212(a)(6)(C)(i)",
        "An alien who, by fraud or willfully misrepresenting a material fact, seeks to procure (or has "
        "sought to procure or has procured) a visa, other documentation, or admission into the United "
        "States or other benefit provided under the Act.",
    ),
]


def load(apps, schema_editor):
    Location = apps.get_model("accounts", "Location")
    HearingLocation = apps.get_model("hearings", "HearingLocation")
    Charge = apps.get_model("hearings", "Charge")
    places = {loc.code: loc for loc in Location.objects.all()}
    for code, name, kind, court, facility, address_of, tz, port, lead in HEARING_LOCATIONS:
        if court not in places or port not in places:
            continue
        HearingLocation.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                kind=kind,
                court=places[court],
                facility=places.get(facility) if facility else None,
                address=places[address_of].address or places[address_of].name,
                time_zone=tz,
                reporting_port=places[port],
                report_lead=dt.timedelta(hours=lead),
            ),
        )
    for code, text in CHARGES:
        Charge.objects.update_or_create(code=code, defaults=dict(text=text))


def make_append_only(apps, schema_editor):
    from mpp.audit.triggers import APPEND_ONLY_COMMENT, install_append_only_triggers

    schema_editor.execute(f"COMMENT ON TABLE hearings_tearsheetprint IS '{APPEND_ONLY_COMMENT}'")
    install_append_only_triggers(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("hearings", "0001_initial"), ("accounts", "0005_location_addresses")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(make_append_only, migrations.RunPython.noop),
    ]
