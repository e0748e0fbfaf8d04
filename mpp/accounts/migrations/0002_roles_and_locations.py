"""Reference data: the role groups and the MPP locations (editable later in the admin)."""

from django.db import migrations

ROLES = [
    "cbp_officer",
    "border_patrol_agent",
    "cbp_supervisor",
    "asylum_officer",
    "supervisory_asylum_officer",
    "court_staff",
    "ice_officer",
    "print_staff",
    "analyst",
    "administrator",
]

# (code, name, kind, city, state, sector / field office, time zone)
PORTS_AND_STATIONS = [
    ("sys-poe", "San Ysidro Port of Entry", "port_of_entry", "San Ysidro", "CA", "San Diego Field Office", "America/Los_Angeles"),
    ("cxl-poe", "Calexico West Port of Entry", "port_of_entry", "Calexico", "CA", "San Diego Field Office", "America/Los_Angeles"),
    ("nog-poe", "Nogales DeConcini Port of Entry", "port_of_entry", "Nogales", "AZ", "Tucson Field Office", "America/Phoenix"),
    ("elp-poe", "El Paso Paso del Norte Port of Entry", "port_of_entry", "El Paso", "TX", "El Paso Field Office", "America/Denver"),
    ("egp-poe", "Eagle Pass Port of Entry", "port_of_entry", "Eagle Pass", "TX", "Laredo Field Office", "America/Chicago"),
    ("lrd-poe", "Laredo Port of Entry (Gateway to the Americas Bridge)", "port_of_entry", "Laredo", "TX", "Laredo Field Office", "America/Chicago"),
    ("bro-poe", "Brownsville Port of Entry (Gateway International Bridge)", "port_of_entry", "Brownsville", "TX", "Laredo Field Office", "America/Chicago"),
    ("cv-bps", "Chula Vista Border Patrol Station", "border_patrol_station", "Chula Vista", "CA", "San Diego Sector", "America/Los_Angeles"),
    ("cxl-bps", "Calexico Border Patrol Station", "border_patrol_station", "Calexico", "CA", "El Centro Sector", "America/Los_Angeles"),
    ("yum-bps", "Yuma Border Patrol Station", "border_patrol_station", "Yuma", "AZ", "Yuma Sector", "America/Phoenix"),
    ("nog-bps", "Nogales Border Patrol Station", "border_patrol_station", "Nogales", "AZ", "Tucson Sector", "America/Phoenix"),
    ("elp-bps", "El Paso Border Patrol Station", "border_patrol_station", "El Paso", "TX", "El Paso Sector", "America/Denver"),
    ("egp-bps", "Eagle Pass Border Patrol Station", "border_patrol_station", "Eagle Pass", "TX", "Del Rio Sector", "America/Chicago"),
    ("lrd-bps", "Laredo North Border Patrol Station", "border_patrol_station", "Laredo", "TX", "Laredo Sector", "America/Chicago"),
    ("bro-bps", "Brownsville Border Patrol Station", "border_patrol_station", "Brownsville", "TX", "Rio Grande Valley Sector", "America/Chicago"),
]

COURTS = [
    ("sdg-ic", "San Diego Immigration Court", "San Diego", "CA", "America/Los_Angeles"),
    ("imp-ic", "Imperial Immigration Court", "Imperial", "CA", "America/Los_Angeles"),
    ("elp-ic", "El Paso Immigration Court", "El Paso", "TX", "America/Denver"),
    ("sna-ic", "San Antonio Immigration Court", "San Antonio", "TX", "America/Chicago"),
    ("hlg-ic", "Harlingen Immigration Court", "Harlingen", "TX", "America/Chicago"),
]

# (code, name, city, court code): the tent courts where MPP hearings were held by video.
FACILITIES = [
    ("lrd-ihf", "Laredo MPP Immigration Hearing Facility", "Laredo", "sna-ic"),
    ("bro-ihf", "Brownsville MPP Immigration Hearing Facility", "Brownsville", "hlg-ic"),
]


def load(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Location = apps.get_model("accounts", "Location")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for code, name, kind, city, state, sector, tz in PORTS_AND_STATIONS:
        Location.objects.update_or_create(
            code=code, defaults=dict(name=name, kind=kind, city=city, state=state, sector=sector, time_zone=tz)
        )
    courts = {}
    for code, name, city, state, tz in COURTS:
        courts[code], _ = Location.objects.update_or_create(
            code=code, defaults=dict(name=name, kind="immigration_court", city=city, state=state, time_zone=tz)
        )
    for code, name, city, court_code in FACILITIES:
        court = courts[court_code]
        Location.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name, kind="hearing_facility", city=city, state="TX", time_zone=court.time_zone, court=court
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
