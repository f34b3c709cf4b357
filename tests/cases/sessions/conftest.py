"""Fixtures of the advisory-session tests."""

import pytest

from tests.support import make_session


@pytest.fixture
def held(world):
    """A session the project's lawyer recorded (with privileged notes and a follow-up)."""
    return make_session(world.project, world.users["lawyer"])
