"""Booth pages, split by audience: plan.py (everyone), exhibitor.py, organizer.py, allocation.py, applications.py."""
