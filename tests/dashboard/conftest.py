"""Fixtures of the dashboard tests: a world with work waiting in it, and the same work in a
project nobody of the world's scope may see."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dashboard.waiting import fill


@pytest.fixture
def busy(world: Any, make_user: Any, make_project: Any, make_zone: Any, make_org: Any) -> Any:
    """`world` with one item of every queue in its project (and a second lawyer there), and
    the same in an outside project of another zone, company and lawyer."""
    world.second = make_user("lawyer")
    world.project.lawyers.append(world.second)
    world.items = fill(world.project, world.users["lawyer"], world.users["company"], 1)
    other_lawyer = make_user("lawyer")
    world.other = make_project(
        zone=make_zone(),
        company=make_org("company"),
        partners=[world.partner],
        lawyers=[other_lawyer, make_user("lawyer")],
    )
    filer = make_user("company", organization=world.other.company)
    world.other_items = fill(world.other, other_lawyer, filer, 1)
    return world
