"""Helpers shared by the tests of disclosures, advisory sessions and risk reviews."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tracker.cases.assets.models import IpAsset
from tracker.cases.disclosures import service as disclosures
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.projects.models import Project
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions import service as advice
from tracker.cases.sessions.models import AdvisorySession
from tracker.db import db

ROLES = ("admin", "lawyer", "company", "operator", "auditor")
OUTSIDERS = ("lawyer", "company", "operator")
CANARY = "CANARY-priv-7f3a9c1e"


def disclosure_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Gallium-nitride DC converter topology",
        "description": "A soft-switching bridge that halves the losses at 800 V.",
        "inventors": [
            {"name": "Kim Minji", "share_pct": 60, "nationality": "KR", "employer": "Acme"},
            {"name": "Jonas Weber", "share_pct": 40, "nationality": "DE", "employer": "ISIT"},
        ],
        "conceived_on": "2026-03-02",
        "disclosed_externally": False,
    }
    body.update(over)
    return body


def session_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "held_on": "2026-10-01",
        "duration_minutes": 90,
        "attendees": ["Kim Minji", "Lawyer Park"],
        "topics": ["NDA scope", "Joint ownership"],
        "advice": "Sign the NDA before sending the converter drawings.",
        "privileged_notes": f"Partner may be in breach already. {CANARY}",
        "follow_ups": [{"title": "Send NDA draft", "owner": "Lawyer Park", "due_on": "2026-10-15"}],
    }
    body.update(over)
    return body


def answers(index: int = 0, **over: str) -> dict[str, str]:
    """Every factor answered with its `index`-th choice (0 lowest, -1 highest)."""
    chosen = {f["code"]: f["choices"][index]["code"] for f in risk.catalogue()["factors"]}
    chosen.update(over)
    return chosen


def make_disclosure(project: Project, filer: Any, **over: Any) -> Disclosure:
    body = disclosure_body(**over)
    body["conceived_on"] = dt.date.fromisoformat(body["conceived_on"])
    return disclosures.file_disclosure(project, filer, body)


def make_session(project: Project, lawyer: Any, **over: Any) -> AdvisorySession:
    body = session_body(**over)
    body["held_on"] = dt.date.fromisoformat(body["held_on"])
    body["follow_ups"] = [
        {**f, "due_on": dt.date.fromisoformat(f["due_on"])} for f in body["follow_ups"]
    ]
    return advice.record_session(project, lawyer, body)


def make_review(project: Project, author: Any, index: int = 0) -> RiskReview:
    return risk.submit_review(project, author, answers(index), "Looked at the partner setup.")


def make_asset(project: Project, **over: Any) -> IpAsset:
    asset = IpAsset(
        project=project,
        title=over.pop("title", "Converter layout"),
        kind=over.pop("kind", "patent"),
        sensitivity=over.pop("sensitivity", "confidential"),
        jurisdictions=[],
        **over,
    )
    db.session.add(asset)
    db.session.flush()
    return asset


def fresh(model: type, ident: int) -> Any:
    """The row as the database has it now (requests ran in their own sessions)."""
    db.session.expire_all()
    return db.session.get(model, ident)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def page_csrf(client: Any, path: str) -> str:
    """The CSRF token of the form on `path`."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def assign_second_lawyer(project: Project, make_user: Any) -> Any:
    """Another lawyer on the project: reviews need a second lawyer to decide them."""
    lawyer = make_user("lawyer")
    project.lawyers.append(lawyer)
    db.session.flush()
    return lawyer
