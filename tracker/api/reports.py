"""Documents out: the zone's risk-status report (PDF) and an asset's evidence pack (ZIP)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response
from flask_babel import force_locale, get_locale
from flask_smorest import Blueprint

from tracker import clock, policy
from tracker.api.audit import AuditEventSchema
from tracker.api.common import user
from tracker.audit.models import AuditEvent
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases.assets.models import IpAsset
from tracker.db import db, utcnow
from tracker.oversight import actions, labels
from tracker.reports import evidence_data
from tracker.reports.evidence import evidence_zip, render_evidence_pdf
from tracker.reports.zone_report import render_zone_report
from tracker.transfers.zone_data import zone_report_data
from tracker.web.downloads import content_disposition

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1", description="Reports")

PDF = "application/pdf"
ZIP = "application/zip"


def _binary(content_type: str, description: str) -> dict[str, Any]:
    """An OpenAPI 200 answer whose body is a file of `content_type`."""
    return {
        "200": {
            "description": description,
            "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


def _file(body: Any, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type, status=200)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/zones/<int:zone_id>/report.pdf", methods=["GET"])
@blp.doc(responses=_binary(PDF, "The zone's risk-status report, in the reader's language."))
def zone_report(zone_id: int) -> Any:
    """The zone's risk-status report: heat map, projects with their level, review validity and
    NDA coverage per partner, undecided requests with their failing checks. Operators of the
    zone, admins and auditors (another zone's operator: 404). Audited, without its content."""
    me = user()
    zone = policy.zone_or_404(me, zone_id, "report.zone_pdf")
    locale = str(get_locale())
    now = clock.now()
    with force_locale(locale):
        data = zone_report_data(me, zone, clock.today(), locale, now)
    pdf = render_zone_report(data, locale)
    record(
        "report.zone_pdf",
        zone,
        detail={"zone_id": zone.id, "projects": len(data["projects"]), "locale": locale},
    )
    # named with the day it was made on in Korea (at 08:00 KST the UTC date is yesterday's)
    day = clock.local_date(now).isoformat()
    return _file(pdf, PDF, f"zone-report-{zone.code}-{day}.pdf")


def _dump_events(events: list[AuditEvent]) -> list[dict[str, Any]]:
    """Audit events as the audit API shows them, each with its actor's name and role (one
    statement for the actors)."""
    items: list[dict[str, Any]] = AuditEventSchema(many=True).dump(events)
    ids = {e.actor_id for e in events if e.actor_id is not None}
    actors = (
        {
            u.id: {"id": u.id, "name": u.name, "role": u.role}
            for u in db.session.execute(sa.select(User).where(User.id.in_(ids))).scalars()
        }
        if ids
        else {}
    )
    for item in items:
        actor_id = item.get("actor_id")
        item.setdefault("actor", actors.get(actor_id) if actor_id is not None else None)
        # the words a person reads in the PDF (the codes stay beside them for machines)
        item["action_label"] = actions.action_label(item["action"])
        item["type_label"] = labels.type_name(item.get("object_type") or "")
    return items


@blp.route("/assets/<int:asset_id>/evidence", methods=["GET"])
@blp.doc(
    responses=_binary(
        ZIP,
        "manifest.json, evidence.pdf and (for those who may download them) the files, "
        "decrypted and streamed.",
    )
)
def evidence_pack(asset_id: int) -> Any:
    """The asset's trade-secret evidence pack: a ZIP with `manifest.json` (file hashes and
    times, originality certificate number, covering NDAs, access events), the same as a PDF,
    and the files themselves for users who may download them. Lawyers in scope and the owning
    company. Audited as `asset.evidence_pack`, each file as a download."""
    me = user()
    asset = policy.record_or_404(me, IpAsset, asset_id)
    policy.require(me, "asset.evidence_pack", asset)
    locale = str(get_locale())
    now = utcnow()
    manifest, versions = evidence_data.evidence(me, asset, now, clock.today(), _dump_events)
    pdf = render_evidence_pdf(manifest, locale)
    record(
        "asset.evidence_pack",
        asset,
        detail={"files": len(manifest["files"]), "with_content": len(versions)},
    )
    files = evidence_data.file_streams(versions)  # audits each download
    body = evidence_zip(manifest, pdf, files)
    return _file(body, ZIP, f"evidence-{asset.project.code}-asset-{asset.id}.zip")
