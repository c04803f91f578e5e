"""Drop the PostgreSQL copies of the hold and cancel rules (once made by 0002 and 0003), if a database has them.

Booking rules live in booths.services.booking only, the same Python on SQLite and PostgreSQL (issue 17).
"""

from django.db import migrations

from eventsite.db import postgres_only_sql

DROP = """
DROP FUNCTION IF EXISTS booths_hold_booth(bigint, bigint, timestamptz, timestamptz, bigint);
DROP FUNCTION IF EXISTS booths_cancel_booking(bigint, bigint, bigint, timestamptz, timestamptz);
"""


class Migration(migrations.Migration):
    dependencies = [("booths", "0004_organization_revision")]

    # Nothing to recreate on the way back: the functions are gone from the code base.
    operations = [postgres_only_sql(DROP, "SELECT 1")]
