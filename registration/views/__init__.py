"""Registration views: sign-up and the organizer list (registrations.py); badges, desk, dashboard, API."""
