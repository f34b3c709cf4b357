"""`tracker.db.among_ids`: a column among a list of ids read from the database, the same rows
as `IN (…)` on both databases (on PostgreSQL one array parameter, the same text whatever the
number of ids)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support import statements
from tracker.cases.projects.models import Project
from tracker.db import among_ids, db


def _found(ids):
    stmt = sa.select(Project.id).where(among_ids(Project.id, ids)).order_by(Project.id)
    return list(db.session.execute(stmt).scalars())


def _in(ids):
    stmt = sa.select(Project.id).where(Project.id.in_(ids)).order_by(Project.id)
    return list(db.session.execute(stmt).scalars())


def test_the_same_rows_as_in(world, make_project):
    others = [make_project() for _ in range(3)]
    every = [world.project.id, *(p.id for p in others)]
    for ids in (
        [],
        [every[0]],
        every,
        list(reversed(every)),
        [every[1], every[1]],  # twice
        [0, -1, 2**31 - 1, every[2]],  # ids no row has
        [2**31 - 1],
    ):
        assert _found(ids) == _in(ids) == sorted({i for i in ids if i in every})


def test_one_statement_text_whatever_the_number_of_ids(world, make_project):
    others = [make_project() for _ in range(3)]
    texts = set()
    for n in (1, 2, 4):
        with statements() as seen:
            _found([p.id for p in [world.project, *others][:n]])
        texts.add(seen[-1])
    if db.session.get_bind().dialect.name == "postgresql":
        assert len(texts) == 1 and "ANY" in texts.pop()
    else:
        assert len(texts) == 3
