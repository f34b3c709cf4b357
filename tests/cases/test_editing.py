"""An edit of a project, an asset or an NDA ends the same way (`tracker.cases.editing`): a
change, even of a list beside the row only, moves the version on and is audited with the
changed fields; an edit that changes nothing leaves the version and the trail alone."""

from decimal import Decimal

import sqlalchemy as sa

from tests.support import make_asset, make_nda
from tracker.audit.models import AuditEvent
from tracker.cases.assets import service as assets
from tracker.cases.editing import finish_update
from tracker.cases.ndas import service as ndas
from tracker.cases.projects import service as projects
from tracker.db import db


def _details(action, object_id):
    stmt = sa.select(AuditEvent.detail).where(
        AuditEvent.action == action, AuditEvent.object_id == object_id
    )
    return db.session.execute(stmt.order_by(AuditEvent.seq)).scalars().all()


def _edits(world, make_org):
    """(record, edit with its version, the list-only change, the action, the detail's base)."""
    admin, lawyer = world.users["admin"], world.users["lawyer"]
    asset = make_asset(world.project)
    nda = make_nda(world.project, world.partner, status="draft")
    partners = [world.partner.id, make_org("partner").id]
    owners = [{"organization_id": world.company.id, "share_pct": Decimal(100)}]
    pid = {"project_id": world.project.id}
    return [
        (world.project, lambda c: projects.update_project(admin, world.project, c),
         {"partner_ids": partners}, "project.updated", {}),
        (asset, lambda c: assets.update_asset(asset, c),
         {"owners": owners}, "asset.updated", pid),
        (nda, lambda c: ndas.update_nda(lawyer, nda, c),
         {"asset_ids": [asset.id]}, "nda.updated", pid),
    ]  # fmt: skip


def test_a_list_only_change_moves_the_version_and_is_audited(world, make_org):
    for row, edit, change, action, base in _edits(world, make_org):
        version = row.version
        edit({"version": version, **change})
        assert row.version == version + 1, action
        (detail,) = _details(action, row.id)
        fields = detail.pop("fields")
        # an asset's new owners may move its derived deadlines too: they are named after them
        assert detail == base and fields[: len(change)] == list(change), action


def test_an_edit_that_changes_nothing_leaves_no_trace(world, make_org):
    for row, edit, change, action, _base in _edits(world, make_org):
        edit({"version": row.version, **change})
        version, events = row.version, _details(action, row.id)
        edit({"version": version, **change})
        assert row.version == version and _details(action, row.id) == events, action


def test_the_search_index_is_asked_only_when_given_and_something_changed(world):
    asset, seen = make_asset(world.project), []
    finish_update(asset, [], "asset.updated", seen.append, {})
    assert seen == [] and _details("asset.updated", asset.id) == []
    finish_update(asset, ["derived_deadlines"], "asset.updated", None, {})
    finish_update(asset, ["title"], "asset.updated", seen.append, {})
    assert seen == [asset]
    assert [d["fields"] for d in _details("asset.updated", asset.id)] == [
        ["derived_deadlines"],
        ["title"],
    ]
