"""What waits for the signed-in user: the dashboard per role (API and start page)."""
