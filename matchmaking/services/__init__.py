"""Matchmaking rules, split by sub-domain: profiles, recommendations, requests, scheduling, the day itself."""
