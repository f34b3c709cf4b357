"""What waits for a user in the e-mail digest: the dashboard's queues of the user's role
that wait for their action (tracker.dashboard.service, one statement each; titles only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.auth.models import User
from tracker.dashboard import service as dashboard


def queues_of(user: User, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Every waiting queue of the user's role (empty ones included), one statement each."""
    if not user.active:
        return {}
    names = dashboard.queues_of(user, waiting=True)
    return {name: dashboard.queue(user, name, today)[0] for name in names}
