"""Reference data: the street addresses printed on tear sheets (where to report, N1/H1) and used for
EOIR-33 changes of address (the court, N6). Editable in the admin."""

from django.db import migrations

ADDRESSES = {
    "sys-poe": "720 East San Ysidro Boulevard, San Ysidro, CA 92173",
    "cxl-poe": "200 East 1st Street, Calexico, CA 92231",
    "nog-poe": "9 North Grand Avenue, Nogales, AZ 85621",
    "elp-poe": "1000 South El Paso Street, El Paso, TX 79901",
    "egp-poe": "500 South Adams Street, Eagle Pass, TX 78852",
    "lrd-poe": "Gateway to the Americas International Bridge, Convent Avenue, Laredo, TX 78040",
    "bro-poe": "Gateway International Bridge, 1001 East Elizabeth Street, Brownsville, TX 78520",
    "sdg-ic": "880 Front Street, Suite 2239, San Diego, CA 92101",
    "imp-ic": "2409 La Brucherie Road, Imperial, CA 92251",
    "elp-ic": "700 East San Antonio Avenue, Suite 750, El Paso, TX 79901",
    "sna-ic": "800 Dolorosa Street, Suite 300, San Antonio, TX 78207",
    "hlg-ic": "2009 West Jefferson Avenue, Suite 300, Harlingen, TX 78550",
    "lrd-ihf": "MPP Immigration Hearing Facility, beside the Juárez–Lincoln International Bridge, Laredo, TX 78040",
    "bro-ihf": "MPP Immigration Hearing Facility, beside the Gateway International Bridge, Brownsville, TX 78520",
}


def load(apps, schema_editor):
    Location = apps.get_model("accounts", "Location")
    for code, address in ADDRESSES.items():
        Location.objects.filter(code=code, address="").update(address=address)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_location_address")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
