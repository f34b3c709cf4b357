"""Fixtures of the audit page tests: records of every kind in the world's project."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import make_asset, make_disclosure, make_review, make_session
from tracker.db import db


@pytest.fixture
def records(world: Any) -> Any:
    class Records:
        pass

    r = Records()
    r.asset = make_asset(world.project, title="Quiet converter layout")
    r.disclosure = make_disclosure(world.project, world.users["company"], title="Secret cathode")
    r.session = make_session(world.project, world.users["lawyer"])
    r.review = make_review(world.project, world.users["lawyer"])
    db.session.commit()
    return r
