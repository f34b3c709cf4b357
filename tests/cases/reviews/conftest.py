"""Fixtures of the risk-review tests."""

import pytest

from tests.support import assign_second_lawyer, make_review


@pytest.fixture
def second_lawyer(world, make_user):
    return assign_second_lawyer(world.project, make_user)


@pytest.fixture
def submitted(world):
    """A submitted review with every factor at its highest choice."""
    return make_review(world.project, world.users["lawyer"], index=-1)
