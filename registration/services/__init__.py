"""Registration rules, split by sub-domain: sign-up and approval (registrations.py), imports and exports;
badges, tokens and check-in (badges.py, tokens.py, checkin.py, pdf.py)."""
