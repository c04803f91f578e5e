"""Emptied: this migration once created a PostgreSQL function copying booths.services.booking.cancel_booking.

The rule now runs in one place, the Python service, on every database (issue 17). A database that applied the
old version of this migration drops the function in 0004.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("booths", "0002_hold_booth_function")]

    operations = []
