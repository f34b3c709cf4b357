"""Demo family: one asset with the family of issue 18, filed the usual Korean way.

A Korean first filing (2024-03-31, registered 2026-05-12), the PCT application claiming its
priority (2025-03-28), and the US and EP national phases entered from the PCT application at
30 and 31 months. The dates are literal (a docket's history); the deadlines follow from each
filing's own dates through the same service as the pages and the API.
"""

from __future__ import annotations

import datetime as dt

from tracker.cases.assets import service as assets
from tracker.cases.filings import service as filings
from tracker.cases.projects.models import Project

FAMILY_TITLE = "직류 배전망용 양방향 컨버터 (Bidirectional converter for DC grids)"


def add_demo_family(project: Project) -> None:
    """The family's asset and its four filings in `project`."""
    asset = assets.create_asset(
        project,
        {
            "title": FAMILY_TITLE,
            "kind": "patent",
            "sensitivity": "confidential",
            "jurisdictions": ["KR", "WO", "US", "EP"],
            "owners": [{"organization_id": project.company_id, "share_pct": 100}],
        },
    )
    kr = filings.create_filing(
        asset,
        {
            "office": "KR",
            "route": "first",
            "application_no": "10-2024-0041234",
            "filed_on": dt.date(2024, 3, 31),
            "examination_requested_on": dt.date(2024, 3, 31),
            "allowed_on": dt.date(2026, 2, 20),
            "registered_on": dt.date(2026, 5, 12),
            "registration_no": "10-2891234",
            "status": "registered",
        },
    )
    pct = filings.create_filing(
        asset,
        {
            "office": "WO",
            "route": "pct",
            "parent_id": kr.id,
            "application_no": "PCT/KR2025/004321",
            "filed_on": dt.date(2025, 3, 28),
            "priority_on": dt.date(2024, 3, 31),
            "published_on": dt.date(2025, 10, 2),
        },
    )
    for office, number, entered in (
        ("US", "19/123,456", dt.date(2026, 9, 30)),
        ("EP", "26712345.6", dt.date(2026, 10, 30)),
    ):
        filings.create_filing(
            asset,
            {
                "office": office,
                "route": "national_phase",
                "parent_id": pct.id,
                "application_no": number,
                "filed_on": entered,
                "priority_on": dt.date(2024, 3, 31),
            },
        )
