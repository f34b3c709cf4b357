"""The work queues: the action that shows each one, which of them wait for the user's
action (the navigation's count and the e-mail digest), and running one. The statements come
from the record kinds (`RecordKind.queues`), each filtered by the policy in SQL, selecting
only the columns an item shows with its total as a window count: one statement per queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tracker import records
from tracker.db import BuiltOnce, db

#: the most items a queue lists (its count is the full number)
QUEUE_LIMIT = 100

#: every queue, in the order a page shows them: the policy action that shows it to a user, and
#: whether its items wait for the user's action (the navigation's count, the e-mail digest);
#: `tracker.policy.queues_of` answers which of them a user sees
QUEUE_RULES: tuple[tuple[str, str, bool], ...] = (
    ("disclosures_to_decide", "disclosure.decide", True),
    ("reviews_to_decide", "review.decide", True),
    ("my_requests", "dashboard.my_requests", True),
    ("transfers_to_decide", "transfer.decide", True),
    ("overdue_follow_ups", "session.view_advice", True),
    ("projects_without_current_review", "dashboard.unreviewed_projects", False),
)


def _items(keys: Sequence[str], rows: Sequence[Any]) -> list[dict[str, Any]]:
    """A queue's rows (with the columns `keys`) as the API's items: without the total, the
    date or time waited since in ISO 8601, and what the item's kind adds (`queue_item`)."""
    names = [k for k in keys if k != "total"]
    at = [i for i, k in enumerate(keys) if k != "total"]
    since = names.index("since")
    finish: dict[str, Any] = {}  # each type's `queue_item`, looked up once
    out = []
    for row in rows:
        values = [row[i] for i in at]
        if values[since] is not None:
            values[since] = values[since].isoformat()
        item = dict(zip(names, values, strict=True))
        kind = item["type"]
        if kind not in finish:
            found = records.find(kind)
            finish[kind] = found.queue_item if found is not None else None
        if finish[kind] is not None:
            finish[kind](item)
        out.append(item)
    return out


def user_key(user: Any, today: dt.date) -> tuple[Any, ...]:
    """What a statement built for `user` on `today` depends on: the registered kinds (a test
    registers one for a while), every value the policy and the queues read of a user (id,
    role, active, zone, organisation) and the day; a changed role or zone builds anew."""
    kinds = kinds_key()
    return (kinds, user.id, user.role, user.active, user.zone_id, user.organization_id, today)


def kinds_key() -> tuple[int, ...]:
    """The registered kinds, as a statement built from them depends on them (a test registers
    one for a while)."""
    return tuple(id(kind) for kind in records.kinds())


#: the queues' statements by user, day and queue (`queue`): building one cost as much as
#: running it
_QUEUES: BuiltOnce[Any] = BuiltOnce(1024)


def _statement(user: Any, name: str, today: dt.date) -> Any:
    return _QUEUES.get(
        (*user_key(user, today), name),
        lambda: records.queues()[name](user, today).limit(QUEUE_LIMIT),
    )


def queue(user: Any, name: str, today: dt.date) -> tuple[list[dict[str, Any]], int]:
    """The first QUEUE_LIMIT items of one queue and its full count, in one statement (built
    once per user, day and queue)."""
    result = db.session.execute(_statement(user, name, today))
    keys = tuple(result.keys())
    rows = result.all()
    return _items(keys, rows), (rows[0].total if rows else 0)


def item_url(item: dict[str, Any]) -> str:
    """The page of a queue item (a follow-up's is its session's)."""
    return records.page_of_record(
        item["type"], item["id"], item["project_id"], item.get("session_id")
    )
