"""PostgreSQL: the exhibitor's booth hold as one function call (booths.services.booking.hold_booth).

The same steps, in the same order, as the portable path in hold_booth (which SQLite runs):
an unlocked read refuses a plainly taken booth; then the application and the booth are locked (in that
order, the global lock order), an expired hold on the booth is released (its waitlist offer closed), and
the hold is inserted only if the exhibitor is approved, nothing live occupies the booth and the exhibitor
is under its limit. In a VOLATILE PL/pgSQL function every statement takes a fresh snapshot, so the insert,
which runs after both locks, sees every committed change, exactly as the separate statements did.
Called outside a transaction it is one statement, so one round trip instead of five (BEGIN, lock,
insert, COMMIT, after the unlocked read), and PL/pgSQL keeps its statements' plans for the session.

Outcomes: won (booking id, event, booth code, exhibitor name, expiry), taken, blocked, closed,
not_approved, limit (with the limit), no_settings (the event has no rules row yet: the caller creates
the defaults and asks again), no_application, no_booth. The partial unique index stays the last guard.
"""

from django.db import migrations

from eventsite.db import postgres_only_sql

CREATE = r"""
CREATE OR REPLACE FUNCTION booths_hold_booth(
    p_app bigint, p_booth bigint, p_now timestamptz, p_stamp timestamptz, p_by_user bigint,
    OUT outcome text, OUT booking_id bigint, OUT event_id bigint, OUT code text, OUT exhibitor text,
    OUT expires timestamptz, OUT booth_limit integer)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_status text;
    v_minutes integer;
    v_open boolean;
    v_blocked boolean;
    v_expired boolean;
BEGIN
    -- 1. Unlocked: a booth plainly taken now, self-service open and the booth not blocked.
    SELECT b.code INTO code
    FROM booths_booth b
    JOIN booths_exhibitorapplication a ON a.id = p_app AND a.event_id = b.event_id
    JOIN booths_boothsettings s ON s.event_id = b.event_id AND s.self_service_open
    WHERE b.id = p_booth AND NOT b.blocked AND EXISTS (
        SELECT 1 FROM booths_booking k WHERE k.booth_id = b.id AND k.status IN ('held', 'reserved', 'confirmed')
        AND NOT (k.status = 'held' AND k.hold_expires_at <= p_now));
    IF FOUND THEN
        outcome := 'taken';
        RETURN;
    END IF;

    -- 2. Lock the application, then the booth; read the event's rules.
    SELECT a.event_id, a.status, o.name, s.hold_minutes, s.max_booths_per_exhibitor, s.self_service_open,
           b.code, b.blocked,
           EXISTS (SELECT 1 FROM booths_booking k WHERE k.booth_id = b.id AND k.status = 'held'
                   AND k.hold_expires_at <= p_now)
    INTO event_id, v_status, exhibitor, v_minutes, booth_limit, v_open, code, v_blocked, v_expired
    FROM booths_exhibitorapplication a
    JOIN eventsite_organization o ON o.id = a.organization_id
    JOIN booths_booth b ON b.id = p_booth AND b.event_id = a.event_id
    LEFT JOIN booths_boothsettings s ON s.event_id = a.event_id
    WHERE a.id = p_app
    FOR UPDATE OF a, b;
    IF NOT FOUND THEN
        outcome := CASE WHEN EXISTS (SELECT 1 FROM booths_exhibitorapplication WHERE id = p_app)
                        THEN 'no_booth' ELSE 'no_application' END;
        RETURN;
    END IF;
    IF v_minutes IS NULL THEN
        outcome := 'no_settings';
        RETURN;
    END IF;
    IF NOT v_open THEN
        outcome := 'closed';
        RETURN;
    END IF;
    IF v_blocked THEN
        outcome := 'blocked';
        RETURN;
    END IF;

    -- 3. An expired hold on the booth stops occupying it; its waitlist offer closes.
    IF v_expired THEN
        WITH gone AS (
            UPDATE booths_booking SET status = 'expired', updated_at = p_now
            WHERE booth_id = p_booth AND status = 'held' AND hold_expires_at <= p_now
            RETURNING id)
        UPDATE booths_waitlistentry SET status = 'cancelled'
        WHERE offer_id IN (SELECT id FROM gone) AND status = 'offered';
    END IF;

    -- 4. The hold, only if approved, nothing live on the booth and under the limit.
    expires := p_now + make_interval(mins => v_minutes);
    INSERT INTO booths_booking (event_id, booth_id, application_id, status, hold_expires_at, created_at,
                                updated_at, created_by_id)
    SELECT event_id, p_booth, p_app, 'held', expires, p_stamp, p_stamp, p_by_user
    WHERE v_status = 'approved'
      AND NOT EXISTS (SELECT 1 FROM booths_booking WHERE booth_id = p_booth AND status IN ('held', 'reserved', 'confirmed')
                      AND NOT (status = 'held' AND hold_expires_at <= p_now))
      AND (SELECT COUNT(*) FROM booths_booking WHERE application_id = p_app
           AND status IN ('held', 'reserved', 'confirmed') AND NOT (status = 'held' AND hold_expires_at <= p_now))
          < booth_limit
    RETURNING id INTO booking_id;
    IF booking_id IS NOT NULL THEN
        outcome := 'won';
        RETURN;
    END IF;

    -- 5. Declined: say why, in the portable path's order.
    IF EXISTS (SELECT 1 FROM booths_booking WHERE booth_id = p_booth AND status IN ('held', 'reserved', 'confirmed')
               AND NOT (status = 'held' AND hold_expires_at <= p_now)) THEN
        outcome := 'taken';
    ELSIF v_status <> 'approved' THEN
        outcome := 'not_approved';
    ELSE
        outcome := 'limit';
    END IF;
END
$fn$;
"""

DROP = "DROP FUNCTION IF EXISTS booths_hold_booth(bigint, bigint, timestamptz, timestamptz, bigint);"


class Migration(migrations.Migration):
    dependencies = [("booths", "0001_initial")]

    operations = [postgres_only_sql(CREATE, DROP)]
