"""Downloads are filed against the attachment: `?object_type=attachment&object_id=N` finds every
download of attachment N, those written before (against the version row) and after the change,
and the chain still verifies."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from tests.support import audit_actions, make_asset, pdf, upload
from tracker.attachments.models import AttachmentVersion
from tracker.audit.models import AuditEvent
from tracker.audit.service import events_about, record
from tracker.audit.verify import verify_chain
from tracker.db import db


def _old_style_download(version: AttachmentVersion, actor_id: int) -> AuditEvent:
    """An event as the trail wrote it before issue 10: the table name and the version's id."""
    return record(
        "attachment.downloaded",
        object_type="attachment_versions",
        object_id=version.id,
        actor_id=actor_id,
        detail={"attachment_id": version.attachment_id, "version": version.number},
    )


def _downloads(api: Any, attachment_id: int, object_type: str = "attachment") -> list[dict]:
    r = api.get(
        f"/api/v1/audit?object_type={object_type}&object_id={attachment_id}"
        "&action=attachment.downloaded&per_page=200"
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_downloads_of_an_attachment_old_and_new(world: Any, api_as: Any) -> None:
    lawyer = world.users["lawyer"]
    api = api_as(lawyer)
    first = upload(api, world.project.id, pdf(), name="a.pdf").get_json()
    other = upload(api, world.project.id, pdf(), name="b.pdf").get_json()
    upload(api, world.project.id, pdf(2000), name="a.pdf", attachment_id=first["id"])
    versions = (
        db.session.execute(
            sa.select(AttachmentVersion)
            .where(AttachmentVersion.attachment_id == first["id"])
            .order_by(AttachmentVersion.number)
        )
        .scalars()
        .all()
    )
    assert len(versions) == 2
    old = _old_style_download(versions[0], lawyer.id)
    # the other attachment's version id may equal attachment N's id: it must not match
    other_version = db.session.execute(
        sa.select(AttachmentVersion).where(AttachmentVersion.attachment_id == other["id"])
    ).scalar_one()
    _old_style_download(other_version, lawyer.id)
    assert api.get(f"/api/v1/attachments/{first['id']}/content").status_code == 200
    assert api.get(f"/api/v1/attachments/{first['id']}/content?version=1").status_code == 200
    new = max(audit_actions("attachment.downloaded"), key=lambda e: e.seq)
    assert (new.object_type, new.object_id) == ("attachment", first["id"])
    assert new.detail["version"] == 1 and new.detail["version_id"] == versions[0].id

    auditor = api_as(world.users["auditor"])
    found = _downloads(auditor, first["id"])
    assert len(found) == 3
    assert old.seq in {e["seq"] for e in found}
    # old rows read as the new type and the attachment's id, the version in the detail
    assert {(e["object_type"], e["object_id"]) for e in found} == {("attachment", first["id"])}
    assert {e["object"]["type"] for e in found} == {"attachment"}
    assert sorted(e["detail"]["version"] for e in found) == [1, 1, 2]
    assert len(_downloads(auditor, other["id"])) == 1

    db.session.flush()
    db.session.expire_all()
    assert verify_chain(current_app.extensions["tracker_keys"].audit_key).intact


def test_events_about_an_asset_and_its_files(world: Any, api_as: Any) -> None:
    """What the evidence pack's access events read: the asset's events and its files' (old
    version-row downloads too), nothing else."""
    lawyer = world.users["lawyer"]
    asset = make_asset(world.project)
    db.session.commit()
    api = api_as(lawyer)
    mine = upload(api, world.project.id, pdf(), record_type="asset", record_id=asset.id)
    other = upload(api, world.project.id, pdf(), name="other.pdf")
    mine, other = mine.get_json(), other.get_json()
    record("asset.updated", asset, actor_id=lawyer.id)
    version = db.session.execute(
        sa.select(AttachmentVersion).where(AttachmentVersion.attachment_id == mine["id"])
    ).scalar_one()
    _old_style_download(version, lawyer.id)
    db.session.commit()
    assert api.get(f"/api/v1/attachments/{other['id']}/content").status_code == 200
    stmt = events_about([("asset", asset.id), ("attachment", mine["id"])])
    found = db.session.execute(stmt).scalars().all()
    assert [e.action for e in found] == [
        "attachment.uploaded",
        "asset.updated",
        "attachment.downloaded",
    ]
    assert [e.seq for e in found] == sorted(e.seq for e in found)
    assert db.session.execute(events_about([])).scalars().all() == []
