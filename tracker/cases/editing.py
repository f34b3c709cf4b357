"""How an edit of a case-file record ends, the same for every kind that is edited by fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from tracker import clock
from tracker.audit.service import record
from tracker.db import db


class Edited(Protocol):
    updated_at: dt.datetime


Record = TypeVar("Record", bound=Edited)


def finish_update(
    row: Record,
    changed: list[str],
    action: str,
    index: Callable[[Record], None] | None,
    detail: dict[str, Any],
) -> Record:
    """After the service set the fields (`changed`: the names of those that differ): stamp the
    row, flush, index its text again (unless `index` is None) and audit `action` with `detail`
    and the changed fields. Nothing at all when nothing changed (no event, same version)."""
    if changed:
        # the row itself is always updated, so its version moves on even when only a list
        # beside it changed (owners, covered assets, partners)
        row.updated_at = clock.now()
        db.session.flush()
        if index is not None:
            index(row)
        record(action, row, detail={**detail, "fields": changed})
    return row
