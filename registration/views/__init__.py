"""Registration pages, split by page family: public sign-up, organizer list, import; badges, desk,
check-in dashboard."""
