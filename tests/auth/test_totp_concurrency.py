"""A TOTP code is accepted once even when two requests carry it at the same moment: the second
waits for the first's row lock and then sees the step already used (finding 10 of issue 11)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa

from tracker.auth import totp
from tracker.auth.models import User
from tracker.db import db


def _someone_waits_for_a_lock(started: float) -> bool:
    """Whether another connection is blocked on a row lock (PostgreSQL); SQLite cannot tell, so
    after a moment we assume the other writer waits (SQLite serialises writers at BEGIN)."""
    if db.engine.dialect.name != "postgresql":
        return time.monotonic() - started > 1.0
    with db.engine.connect() as conn:
        waiting = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return bool(waiting)


@pytest.mark.real_commits
def test_one_code_passes_once_under_concurrency(app: Any, make_user: Any) -> None:
    user = make_user("lawyer")
    secret = pyotp.random_base32()
    assert totp.enrol_totp(user, secret, pyotp.TOTP(secret).now())
    user.totp_last_step = int(time.time() // 30) - 5  # the current code is still unused
    db.session.commit()
    user_id, code = user.id, pyotp.TOTP(secret).now()
    db.session.remove()

    first_checked, second_checked = threading.Event(), threading.Event()
    results: dict[str, bool] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with app.app_context():
                results["first"] = totp.check_otp(db.session.get(User, user_id), code)
                first_checked.set()
                # hold the transaction open until the second request has checked too (no row
                # lock) or is seen waiting for ours (row lock)
                started = time.monotonic()
                while not second_checked.wait(0.05):
                    if _someone_waits_for_a_lock(started) or time.monotonic() - started > 30:
                        break
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            first_checked.set()

    def second() -> None:
        try:
            first_checked.wait(30)
            with app.app_context():
                results["second"] = totp.check_otp(db.session.get(User, user_id), code)
                second_checked.set()
                db.session.commit()
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)
            second_checked.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert results == {"first": True, "second": False}
    with app.app_context():
        stored = db.session.get(User, user_id)
        assert stored is not None and stored.totp_last_step is not None
        db.session.remove()
