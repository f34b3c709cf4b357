"""What waits for a user in the e-mail digest: the work queues of the user's role that wait
for their action (`tracker.records.work`, one statement each; titles only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker import policy
from tracker.auth.models import User
from tracker.records.work import item_url, queue

__all__ = ["item_url", "queues_of"]


def queues_of(user: User, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Every waiting queue of the user's role (empty ones included), one statement each."""
    if not user.active:
        return {}
    return {name: queue(user, name, today)[0] for name in policy.queues_of(user, waiting=True)}
