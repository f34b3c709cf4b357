"""Deadlines: docketing rules, the calendar feed and e-mail reminders (issue 9)."""
