"""Registration services: sign-up and approval (registrations.py); badges, tokens and check-in (badges.py,
tokens.py, checkin.py, pdf.py)."""
