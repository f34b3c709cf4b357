"""Copies of a project's zone on the rows of other tables (`IpAsset.zone_id`, `Nda.zone_id`,
`ProjectRiskLevel.zone_id`), so that a zone's rows are read from one index; the scope still
asks the project (a copy: no foreign key).

`keep_zone_copy` registers a model; one `after_flush` listener then moves every registered
copy along when a project changes zone."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker.cases.projects.models import Project

#: the tables holding a copy (a `project_id` and a `zone_id` column), in registration order
_COPIES: list[Any] = []


def project_zone(project_id: Any) -> Any:
    """The zone of the project `project_id` (a column or a value), as a scalar subquery."""
    return sa.select(Project.zone_id).where(Project.id == project_id).scalar_subquery()


def _zone_on_insert(_mapper: Any, _conn: Any, row: Any) -> None:
    """A new row takes its project's zone (read in its INSERT: the project may be new too)."""
    row.zone_id = project_zone(row.project_id)


def _zone_on_move(_mapper: Any, _conn: Any, row: Any) -> None:
    """A row moved to another project takes that project's zone."""
    if sa.inspect(row).attrs.project_id.history.has_changes():
        row.zone_id = project_zone(row.project_id)


def keep_zone_copy(model: type[Any], *, on_write: bool = True) -> None:
    """Keep `model.zone_id` its project's zone (`model.project_id`'s): it follows when the
    project changes zone; with `on_write`, it is also set when a row is inserted and when it
    moves to another project (without: the model's rows are written with the zone elsewhere,
    as the stored risk levels by `tracker.cases.reviews.level.store_current_level`)."""
    table = model.__table__
    if table in _COPIES:
        return
    _COPIES.append(table)
    if on_write:
        sa.event.listen(model, "before_insert", _zone_on_insert)
        sa.event.listen(model, "before_update", _zone_on_move)


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _zone_follows_project(session: sa.orm.Session, _context: Any) -> None:
    """A project moved to another zone takes the rows of every registered copy along."""
    for obj in session.dirty:
        if not isinstance(obj, Project):
            continue
        state = sa.inspect(obj)
        if state.attrs.zone_id.history.has_changes() or state.attrs.zone.history.has_changes():
            for table in _COPIES:
                session.connection().execute(
                    sa.update(table)
                    .where(table.c.project_id == obj.id)
                    .values(zone_id=project_zone(obj.id))
                )
