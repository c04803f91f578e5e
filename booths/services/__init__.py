"""Booth domain services: booking (booking.py), allocation (allocation.py), applications (applications.py),
floor-plan import (floorplan.py), plan state (state.py)."""
