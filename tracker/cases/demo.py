"""Demo case files: one realistic project per zone, with IP assets and an active NDA each.

Called by `flask --app tracker demo` after the zones, organisations and demo sign-ins exist
(tracker/demo.py); goes through the same service functions as the pages and the API, so the
records are validated, indexed for search and audited like any other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker import clock
from tracker.auth.models import Organization, User, Zone
from tracker.cases.assets import service as assets
from tracker.cases.demo_filings import add_demo_family
from tracker.cases.ndas import service as ndas
from tracker.cases.projects import service
from tracker.cases.projects.models import Project
from tracker.db import db

#: one project per zone; organisations are looked up by the names tracker/demo.py gives them.
#: An asset's `partner_share` makes the partner a joint owner; `covered: False` leaves it out
#: of the NDA; dates are relative to today, so the NDAs and licences stay current.
PROJECTS: list[dict[str, Any]] = [
    {
        "zone": "JN-DC",
        "code": "JN-DC-2026-01",
        "title": "양방향 DC 전력변환 모듈 공동개발 (Bidirectional DC power conversion modules)",
        "company": "한빛디씨파워 (Hanbit DC Power)",
        "partner": "Fraunhofer ISIT",
        "security_level": "security",
        "budget_krw": 400_000_000,
        "governing_law": "Korean law (Seoul Central District Court)",
        "nda_days": 60,
        "purpose": "Joint design and testing of SiC-based bidirectional DC-DC converters",
        "assets": [
            {
                "title": "양방향 DC-DC 컨버터 소프트 스위칭 제어 방법",
                "kind": "patent",
                "sensitivity": "confidential",
                "jurisdictions": ["KR", "DE", "EP"],
                "partner_share": 30,
                "application_no": "10-2026-0041234",
                "priority_days": 340,
                "nct_status": "nct_funded",
                "nct_ref": "MOTIE-NCT-2026-0112",
                "deadline": ("pct", 200),
            },
            {
                "title": "SiC 전력모듈 열해석 시뮬레이션 소프트웨어",
                "kind": "software",
                "sensitivity": "trade_secret",
                "jurisdictions": ["KR"],
                "strategic_item": "yes",
                "export_licence_ref": "KOSTI-EL-2026-0457",
                "export_licence_days": 300,
                "originality_cert_no": "KIPO-OC-2026-10021",
                "confidentiality_marked": True,
            },
            {
                "title": "고전압 절연 설계 노하우",
                "kind": "know_how",
                "sensitivity": "trade_secret",
                "jurisdictions": [],
                "confidentiality_marked": True,
                "covered": False,
                "nct_status": "pending",
                "nct_filed_days": 40,
            },
        ],
    },
    {
        "zone": "CB-BIO",
        "code": "CB-BIO-2026-03",
        "title": "관절염 연골재생 세포치료제 공동연구 (Arthritis cell therapy)",
        "company": "셀바이오텍 (CellBiotech)",
        "partner": "Tokyo Medical University Hospital",
        "security_level": "sensitive",
        "budget_krw": 420_000_000,
        "governing_law": "Korean law",
        "purpose": "Preclinical study of an allogeneic chondrocyte therapy for osteoarthritis",
        "assets": [
            {
                "title": "동종 연골세포 대량 배양 프로토콜",
                "kind": "trade_secret",
                "sensitivity": "trade_secret",
                "jurisdictions": [],
                "nct_status": "nct_funded",
                "nct_ref": "MOHW-NCT-2026-0031",
                "originality_cert_no": "KIPO-OC-2026-20877",
                "confidentiality_marked": True,
            },
            {
                "title": "연골재생 세포치료제 조성물 및 제조방법",
                "kind": "patent",
                "sensitivity": "confidential",
                "jurisdictions": ["KR", "JP", "WO"],
                "partner_share": 20,
                "application_no": "10-2026-0077810",
                "priority_days": 360,
                "strategic_item": "yes",
                "export_licence_ref": "KOSTI-EL-2026-0611",
                "export_licence_days": 240,
                "deadline": ("national_phase", 420),
            },
        ],
    },
    {
        "zone": "GW-AIH",
        "code": "GW-AIH-2026-02",
        "title": "AI 기반 어지럼증 진단 소프트웨어 (AI dizziness diagnosis software)",
        "company": "뉴로사이트 (NeuroSight)",
        "partner": "Johns Hopkins University Hospital",
        "security_level": "general",
        "budget_krw": 390_000_000,
        "governing_law": "Laws of the State of Maryland",
        "purpose": "Validation of a nystagmus video classifier on de-identified patient data",
        "assets": [
            {
                "title": "안진 영상 분석 딥러닝 알고리즘",
                "kind": "software",
                "sensitivity": "trade_secret",
                "jurisdictions": ["KR", "US"],
                "nct_status": "nct_funded",
                "nct_ref": "MSIT-NCT-2026-0208",
                "strategic_item": "yes",
                "export_licence_ref": "KOSTI-EL-2026-0733",
                "export_licence_days": 25,
                "originality_cert_no": "KIPO-OC-2026-31560",
            },
            {
                "title": "비식별 전정기능 검사 데이터셋",
                "kind": "data",
                "sensitivity": "confidential",
                "jurisdictions": [],
                "confidentiality_marked": True,
            },
            {
                "title": "NeuroSight VNG 상표",
                "kind": "trademark",
                "sensitivity": "public",
                "jurisdictions": ["KR", "US"],
                "application_no": "40-2026-0012001",
                "priority_days": 130,
                "deadline": ("other", 90),
                "covered": False,
            },
        ],
    },
    {
        "zone": "BS-MOB",
        "code": "BS-MOB-2026-04",
        "title": "자율운항선박 충돌회피 의사결정 지원 시스템 (Autonomous-ship decision support)",
        "company": "오션내비 (OceanNavi)",
        "partner": "University of Strathclyde",
        "security_level": "security",
        "budget_krw": 410_000_000,
        "governing_law": "Laws of England and Wales",
        "purpose": "Joint development and sea trials of a COLREG-compliant collision-avoidance aid",
        "assets": [
            {
                "title": "COLREG 기반 충돌회피 경로 계획 알고리즘",
                "kind": "software",
                "sensitivity": "trade_secret",
                "jurisdictions": ["KR", "GB"],
                "partner_share": 40,
                "strategic_item": "yes",
                "export_licence_ref": "KOSTI-EL-2026-0902",
                "export_licence_days": 330,
            },
            {
                "title": "선박 상황인식 센서융합 장치",
                "kind": "patent",
                "sensitivity": "confidential",
                "jurisdictions": ["KR", "GB", "EP"],
                "application_no": "10-2026-0093377",
                "nct_status": "nct_funded",
                "nct_ref": "MOF-NCT-2026-0044",
                "deadline": ("other", -4),
            },
        ],
    },
]


def _one(model: type[Any], *where: Any) -> Any:
    return db.session.execute(sa.select(model).where(*where)).scalar_one()


#: spec keys that are no asset fields: days relative to today, NDA coverage, joint ownership
DEMO_ONLY = frozenset(
    {
        "partner_share",
        "deadline",
        "export_licence_days",
        "covered",
        "priority_days",
        "nct_filed_days",
    }
)


def _asset_values(spec: dict[str, Any], company: Organization, partner: Organization) -> dict:
    today = clock.today()
    values = {k: v for k, v in spec.items() if k not in DEMO_ONLY}
    share = spec.get("partner_share")
    values["owners"] = (
        [
            {"organization_id": company.id, "share_pct": 100 - share},
            {"organization_id": partner.id, "share_pct": share},
        ]
        if share
        else [{"organization_id": company.id, "share_pct": 100}]
    )
    if spec.get("application_no"):
        values["filed_on"] = today - dt.timedelta(days=120)
    if "priority_days" in spec:  # the docketing rules derive the priority and PCT deadlines
        values["priority_on"] = today - dt.timedelta(days=spec["priority_days"])
    if "nct_filed_days" in spec:  # the ministry's 45-day review clock runs
        values["nct_filed_on"] = today - dt.timedelta(days=spec["nct_filed_days"])
    if "export_licence_days" in spec:
        values["export_licence_until"] = today + dt.timedelta(days=spec["export_licence_days"])
    values["deadlines"] = []
    if "deadline" in spec:
        kind, days = spec["deadline"]
        values["deadlines"] = [
            {"kind": kind, "due_on": today + dt.timedelta(days=days), "note": None}
        ]
    return values


def load_demo_projects() -> list[Project]:
    """Create the four demo projects (once); returns those created (none when present)."""
    if db.session.execute(sa.select(Project.id).where(Project.code == PROJECTS[0]["code"])).first():
        return []
    admin = _one(User, User.email == "admin@tracker.example")
    lawyer = _one(User, User.email == "lawyer@tracker.example")
    start = clock.today() - dt.timedelta(days=200)
    created = []
    for spec in PROJECTS:
        company = _one(Organization, Organization.name == spec["company"])
        partner = _one(Organization, Organization.name == spec["partner"])
        project = service.create_project(
            admin,
            {
                "code": spec["code"],
                "title": spec["title"],
                "zone_id": _one(Zone, Zone.code == spec["zone"]).id,
                "company_id": company.id,
                "partner_ids": [partner.id],
                "lawyer_ids": [lawyer.id],
                "start_date": start,
                "end_date": start + dt.timedelta(days=730),
                "budget_krw": spec["budget_krw"],
                "security_level": spec["security_level"],
            },
        )
        records = [
            assets.create_asset(project, _asset_values(a, company, partner)) for a in spec["assets"]
        ]
        if spec is PROJECTS[0]:
            add_demo_family(project)
        covered = [
            r.id for r, a in zip(records, spec["assets"], strict=True) if a.get("covered", True)
        ]
        ndas.create_nda(
            lawyer,
            project,
            {
                "partner_id": partner.id,
                "signed_on": start - dt.timedelta(days=10),
                "effective_on": start,
                "expires_on": (
                    clock.today() + dt.timedelta(days=spec["nda_days"])
                    if "nda_days" in spec
                    else start + dt.timedelta(days=3 * 365)
                ),
                "governing_law": spec["governing_law"],
                "purpose": spec["purpose"],
                "asset_ids": covered,
                "return_or_destroy": True,
                "audit_rights": True,
                "status": "active",
            },
        )
        created.append(project)
    return created
