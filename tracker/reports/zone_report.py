"""The zone risk-status report (PDF), built from plain data.

The caller gathers the data (the integration step reads it from the database in the policy's
scope); this module only lays it out, so it can be tested without a database:

    {
      "zones": ["서울 보안구역"],                    # names of the zone(s) covered
      "generated_at": datetime, "generated_by": "이름 (operator)",
      "heat_map": {"cells": [[n] * 5] * 5, "unreviewed": n},   # rows likelihood 1–5
      "projects": [{"code", "title", "company", "level" (or None: no current review),
                    "valid_until" (date or None),
                    "ndas": [{"partner", "covered": bool, "expires_on" (date or None)}]}],
      "requests": [{"id", "project", "partner", "status": "pending_review" | "blocked",
                    "submitted_at", "failing": [readable text of each failing check]}],
    }
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale, gettext

from tracker.cases import labels
from tracker.reports.pdf import Document, format_time, level_style


def _nda_text(ndas: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """Coverage per partner (one line each) and the nearest expiry of a covering NDA."""
    if not ndas:
        return gettext("No partners"), "–"
    lines = []
    expiries: list[dt.date] = []
    for nda in ndas:
        if nda.get("covered"):
            expires = nda.get("expires_on")
            if expires:
                expiries.append(expires)
            lines.append(
                gettext(
                    "%(partner)s: covered until %(date)s",
                    partner=nda["partner"],
                    date=format_time(expires),
                )
            )
        else:
            lines.append(gettext("%(partner)s: not covered", partner=nda["partner"]))
    return "\n".join(lines), format_time(min(expiries)) if expiries else "–"


def _project_rows(projects: Sequence[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for p in projects:
        coverage, nearest = _nda_text(p.get("ndas") or [])
        rows.append(
            [
                str(p["code"]),
                str(p["title"]),
                str(p.get("company") or "–"),
                labels.label(p["level"]) if p.get("level") else gettext("No current review"),
                format_time(p.get("valid_until")),
                coverage,
                nearest,
            ]
        )
    return rows


def _request_rows(requests: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            str(r.get("project") or "–"),
            str(r.get("partner") or "–"),
            format_time(r.get("submitted_at")),
            "\n".join(f"• {text}" for text in r.get("failing") or []) or gettext("All checks pass"),
        ]
        for r in requests
    ]


def render_zone_report(data: dict[str, Any], locale: str) -> bytes:
    """The zone report as PDF bytes, every label in `locale` ("ko" or "en")."""
    with force_locale(locale):
        zones = ", ".join(data["zones"])
        doc = Document(
            title=gettext("Zone risk-status report"),
            subtitle=zones,
            generated_at=data["generated_at"],
            generated_by=data["generated_by"],
            locale=locale,
        )
        heat = data["heat_map"]
        doc.heading(gettext("Risk heat map"))
        doc.paragraph(
            gettext(
                "Each project with a current risk review is counted once, in the cell of "
                "its likelihood and impact."
            ),
            muted=True,
        )
        doc.heat_map(heat["cells"], int(heat["unreviewed"]))

        projects = data["projects"]
        doc.heading(gettext("Projects (%(n)s)", n=len(projects)))
        if projects:
            levels = [p.get("level") for p in projects]
            doc.table(
                [
                    gettext("Code"),
                    gettext("Title"),
                    gettext("Company"),
                    gettext("Risk level"),
                    gettext("Review valid until"),
                    gettext("NDA coverage per partner"),
                    gettext("Nearest NDA expiry"),
                ],
                _project_rows(projects),
                widths=(26, 33, 22, 15, 18, 34, 18),
                styles=lambda r, c, _t: level_style(levels[r]) if c == 3 and levels[r] else None,
            )
        else:
            doc.paragraph(gettext("The zone has no projects."), muted=True)

        requests = data.get("requests") or []
        header = [
            gettext("Project"),
            gettext("Partner"),
            gettext("Submitted"),
            gettext("Failing checks"),
        ]
        widths = (28, 30, 22, 60)
        for status, title in (
            ("pending_review", gettext("Transfer requests waiting for a decision")),
            ("blocked", gettext("Blocked transfer requests")),
        ):
            chosen = [r for r in requests if r["status"] == status]
            doc.heading(f"{title} ({len(chosen)})")
            if chosen:
                doc.table(header, _request_rows(chosen), widths=widths)
            else:
                doc.paragraph(gettext("None."), muted=True)
        return doc.output()
