"""The page of a queue item (for e-mail links)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import url_for


def queue_link(entry: Mapping[str, Any]) -> str:
    kind, ident, project_id = entry["type"], entry["id"], entry["project_id"]
    if kind == "disclosure":
        return url_for("disclosures.disclosure_detail", disclosure_id=ident)
    if kind == "risk_review":
        return url_for("reviews.review_detail", review_id=ident)
    if kind == "transfer":
        return url_for("transfers.transfer_detail", transfer_id=ident)
    return url_for("sessions.session_list", project_id=project_id)
