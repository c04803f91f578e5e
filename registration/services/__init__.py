"""Registration rules, split by sub-domain (registrations, imports, exports; badges and check-in beside)."""
