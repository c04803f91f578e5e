"""PostgreSQL: an exhibitor's or organizer's cancel as one function call (booths.services.booking.cancel_booking).

The same steps as the portable path: lock the booking's booth, then one conditional UPDATE cancels the booking
if it is still on that booth, still active and (for an exhibitor, ``p_app`` not NULL) still theirs; a waitlist
offer it was closes. When someone waits for this booth type, nothing is changed and the outcome is ``waitlist``:
offering the freed booth is the portable path's work (in Python, same transaction as the cancel).

Outcomes: cancelled (with the booth's id, code, blocked flag and the booking's application), unchanged (the
caller reads the booking to say why), waitlist, no_booking.
"""

from django.db import migrations

from eventsite.db import postgres_only_sql

CREATE = r"""
CREATE OR REPLACE FUNCTION booths_cancel_booking(
    p_booking bigint, p_event bigint, p_app bigint, p_now timestamptz, p_stamp timestamptz,
    OUT outcome text, OUT booth_id bigint, OUT code text, OUT blocked boolean, OUT application_id bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_kind text;
    v_offers integer;
BEGIN
    SELECT b.id, b.code, b.blocked, b.kind INTO booth_id, code, blocked, v_kind
    FROM booths_booth b
    WHERE b.event_id = p_event
      AND b.id = (SELECT k.booth_id FROM booths_booking k WHERE k.id = p_booking AND k.event_id = p_event)
    FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'no_booking';
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM booths_waitlistentry w WHERE w.event_id = p_event AND w.kind = v_kind
               AND w.status = 'waiting') THEN
        outcome := 'waitlist';
        RETURN;
    END IF;
    UPDATE booths_booking k SET status = 'cancelled', updated_at = p_stamp
    WHERE k.id = p_booking AND k.booth_id = booths_cancel_booking.booth_id
      AND k.application_id = COALESCE(p_app, k.application_id)
      AND (k.status IN ('reserved', 'confirmed') OR (k.status = 'held' AND k.hold_expires_at > p_now))
    RETURNING k.application_id INTO application_id;
    IF NOT FOUND THEN
        outcome := 'unchanged';
        RETURN;
    END IF;
    UPDATE booths_waitlistentry SET status = 'cancelled' WHERE offer_id = p_booking AND status = 'offered';
    outcome := 'cancelled';
END
$fn$;
"""

DROP = "DROP FUNCTION IF EXISTS booths_cancel_booking(bigint, bigint, bigint, timestamptz, timestamptz);"


class Migration(migrations.Migration):
    dependencies = [("booths", "0002_hold_booth_function")]

    operations = [postgres_only_sql(CREATE, DROP)]
