"""Plain sample data for the report renderers (what the integration step gathers from the DB)."""

from __future__ import annotations

import datetime as dt
from typing import Any

GENERATED_AT = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)


def zone_data(projects: int = 4) -> dict[str, Any]:
    base = [
        {
            "code": "KR-2026-001",
            "title": "차세대 이차전지 양극재 공정 공동개발",
            "company": "한빛소재 주식회사",
            "level": "high",
            "valid_until": dt.date(2027, 3, 31),
            "ndas": [
                {"partner": "Fraunhofer IKTS", "covered": True, "expires_on": dt.date(2027, 1, 15)},
                {"partner": "도쿄 머티리얼즈", "covered": False, "expires_on": None},
            ],
        },
        {
            "code": "KR-2026-002",
            "title": "Solid-state electrolyte pilot line with a very long English title that "
            "has to wrap over several lines in its table cell",
            "company": "Hanbit Materials",
            "level": "critical",
            "valid_until": dt.date(2026, 12, 20),
            "ndas": [
                {"partner": "MIT Lincoln Lab", "covered": True, "expires_on": dt.date(2028, 6, 1)}
            ],
        },
        {
            "code": "KR-2026-003",
            "title": "반도체 패키징 열관리 소재",
            "company": "새별전자",
            "level": None,
            "valid_until": None,
            "ndas": [],
        },
        {
            "code": "KR-2026-004",
            "title": "수소 연료전지 촉매 내구성 평가",
            "company": "한빛소재 주식회사",
            "level": "low",
            "valid_until": dt.date(2027, 8, 1),
            "ndas": [
                {"partner": "CNRS", "covered": True, "expires_on": dt.date(2027, 5, 2)},
                {"partner": "ETH Zürich", "covered": True, "expires_on": dt.date(2026, 12, 31)},
            ],
        },
    ]
    rows = [dict(base[i % len(base)], code=f"KR-2026-{i + 1:03d}") for i in range(projects)]
    cells = [[0] * 5 for _ in range(5)]
    cells[3][3] = 1  # likelihood 4 × impact 4: high
    cells[4][4] = 1  # critical
    cells[0][1] = 1  # low
    return {
        "zones": ["서울 보안구역 A"],
        "generated_at": GENERATED_AT,
        "generated_by": "김운영 (구역 운영자)",
        "heat_map": {"cells": cells, "unreviewed": 1},
        "projects": rows,
        "requests": [
            {
                "id": 41,
                "project": "KR-2026-001",
                "partner": "Fraunhofer IKTS",
                "status": "pending_review",
                "submitted_at": dt.datetime(2026, 11, 28, 14, 5, tzinfo=dt.UTC),
                "failing": [],
            },
            {
                "id": 42,
                "project": "KR-2026-001",
                "partner": "도쿄 머티리얼즈",
                "status": "blocked",
                "submitted_at": dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC),
                "failing": [
                    "도쿄 머티리얼즈와 유효한 NDA가 없습니다.",
                    "No NDA covers the assets: 양극재 소성 조건",
                ],
            },
        ],
    }


def manifest() -> dict[str, Any]:
    return {
        "asset": {
            "id": 7,
            "title": "양극재 소성 조건 (영업비밀)",
            "kind": "trade_secret",
            "project": "KR-2026-001 차세대 이차전지 양극재 공정 공동개발",
            "company": "한빛소재 주식회사",
        },
        "generated_at": GENERATED_AT,
        "generated_by": "박변호 (lawyer)",
        "files": [
            {
                "attachment_id": 12,
                "version": 2,
                "filename": "소성조건_실험노트.pdf",
                "size": 1_234_567,
                "sha256": "ab" * 32,
                "uploaded_at": dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC),
                "uploaded_by": "이연구",
            }
        ],
        "originality_cert_no": "OC-2026-000123",
        "covering_ndas": [
            {
                "id": 3,
                "partner": "Fraunhofer IKTS",
                "effective_on": dt.date(2026, 1, 15),
                "expires_on": dt.date(2027, 1, 15),
                "status": "active",
            }
        ],
        "access_events": [
            {
                "at": dt.datetime(2026, 10, 2, 9, 15, tzinfo=dt.UTC),
                "action": "attachment.download",
                "actor": {"id": 5, "name": "이연구", "role": "company"},
                "object": {"type": "attachment", "id": 12, "label": "소성조건_실험노트.pdf"},
            }
        ],
    }
