"""Fixtures of the disclosure tests."""

import pytest

from tests.support import make_disclosure


@pytest.fixture
def filed(world):
    """A disclosure the project's company user filed."""
    return make_disclosure(world.project, world.users["company"])
