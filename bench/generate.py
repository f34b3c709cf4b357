"""Fill a fresh database with a realistic load: ``python -m bench.generate --database URL
--projects 10000 [--seed N] [--instance DIR]``.

Per 10,000 projects: 100,000 IP assets with deadlines, 20,000 NDAs, 30,000 advisory sessions,
15,000 risk reviews, 10,000 transfer requests, 1,000,000 audit events (all scale linearly with
``--projects``); fixed: 4 zones, 300 companies, 120 partners in 16 countries, one law firm.
Korean and English text. Deterministic for a seed and a ``--today``.

Rows go in by bulk inserts (SQLAlchemy Core on ``db.metadata.tables[...]``, executemany in
batches; the audit trail by COPY on PostgreSQL) with explicit ids, keeping the invariants the
services keep: every searchable text has its ``search_entries`` row (the full-text index follows
by the migration's triggers on SQLite and the generated column on PostgreSQL), the audit chain
is MAC-linked with the app's audit key and ends at the ``audit_head`` row, and the policy links
(project lawyers, partners, company and zone of each project, the users' organisations and
zones) are consistent. The database must be empty: the migrations are run first.

The instance directory (default ``bench/.data/<database name>``) receives the key file the
audit MACs are made with; the web benchmark starts the app with the same one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

BATCH = 5000
PASSWORD = "bench-password-2026!"  # noqa: S105 - a benchmark database only
GENESIS_MAC = "0" * 64

ZONES = [
    ("JN-DC", "Jeonnam DC industry", "전남 DC산업 글로벌혁신특구", "DC power"),
    ("CB-BIO", "Chungbuk regenerative bio", "충북 첨단재생바이오 글로벌혁신특구", "Bio"),
    ("GW-AIH", "Gangwon AI healthcare", "강원 AI헬스케어 글로벌혁신특구", "AI healthcare"),
    ("BS-MOB", "Busan marine mobility", "부산 차세대 해양모빌리티 글로벌혁신특구", "Mobility"),
]
COUNTRIES = [
    "DE",
    "JP",
    "US",
    "GB",
    "EE",
    "FR",
    "NL",
    "FI",
    "SE",
    "CH",
    "SG",
    "CA",
    "AU",
    "IT",
    "ES",
    "IL",
]
KO_PREFIX = [
    "한빛",
    "셀",
    "뉴로",
    "오션",
    "대한",
    "미래",
    "한결",
    "청해",
    "동해",
    "서진",
    "태양",
    "은하",
    "새봄",
    "푸른",
    "하늘",
]
KO_SUFFIX = [
    "파워",
    "바이오텍",
    "사이트",
    "내비",
    "테크",
    "모빌리티",
    "메디컬",
    "에너지",
    "소재",
    "로보틱스",
]
EN_ORG = [
    "Institute of Technology",
    "University",
    "Research Centre",
    "GmbH",
    "Labs",
    "Hospital",
    "Pharma",
    "Systems",
]
EN_PLACE = [
    "Berlin",
    "Osaka",
    "Boston",
    "Glasgow",
    "Tartu",
    "Lyon",
    "Delft",
    "Espoo",
    "Lund",
    "Zurich",
    "Singapore",
    "Toronto",
    "Sydney",
    "Milan",
    "Madrid",
    "Haifa",
    "Kyoto",
    "Munich",
    "Austin",
    "Leeds",
]
# (Korean, English) technology words; "모듈"/"module" is the common word
TECH = [
    ("전력변환", "power conversion"),
    ("배터리", "battery"),
    ("줄기세포", "stem cell"),
    ("세포치료제", "cell therapy"),
    ("영상진단", "imaging diagnosis"),
    ("자율운항", "autonomous"),
    ("수소연료전지", "hydrogen fuel cell"),
    ("김치냉장고", "kimchi refrigerator"),
    ("반도체", "semiconductor"),
    ("인공지능", "artificial intelligence"),
    ("센서", "sensor"),
    ("초음파", "ultrasound"),
    ("선박", "vessel"),
    ("인버터", "inverter"),
    ("항체", "antibody"),
    ("원격진료", "telemedicine"),
    ("충전기", "charger"),
    ("드론", "drone"),
]
THING = [
    ("모듈", "module"),
    ("플랫폼", "platform"),
    ("시스템", "system"),
    ("알고리즘", "algorithm"),
    ("제어기", "controller"),
    ("공정", "process"),
    ("소프트웨어", "software"),
]
WORK = [
    ("공동개발", "joint development"),
    ("실증", "demonstration"),
    ("공동연구", "joint research"),
    ("상용화", "commercialisation"),
]
RARE = ["zephyrine", "quillwort", "obsidianite", "marigraph", "tesseral"]
NCT = ["not_nct", "not_nct", "not_nct", "pending", "nct_funded", "nct_private"]
DEADLINE_KINDS = ["priority", "pct", "national_phase", "annuity", "other"]
CHANNELS = ["secure_platform", "encrypted_email", "email", "physical_media", "on_site", "oral"]
CHECK_CODES = [
    "nda_active",
    "nda_covers_assets",
    "risk_review_current",
    "export_licence",
    "nct_approval",
    "channel_allowed",
]
AUDIT_ACTIONS = [
    ("project.viewed", "projects"),
    ("asset.updated", "ip_assets"),
    ("nda.created", "ndas"),
    ("session.created", "advisory_sessions"),
    ("review.approved", "risk_reviews"),
    ("transfer.requested", "transfer_requests"),
    ("auth.login", "users"),
    ("attachment.downloaded", "attachment_versions"),
    ("export.csv", "projects"),
]


class Gen:
    def __init__(
        self,
        conn: sa.Connection,
        tables: dict[str, sa.Table],
        n: int,
        seed: int,
        today: dt.date,
        audit_key: bytes,
    ) -> None:
        self.conn, self.t, self.n, self.today = conn, tables, n, today
        self.rng = random.Random(seed)
        self.audit_key = audit_key
        self.scale = n / 10_000
        self.now = dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC)
        self.timings: list[tuple[str, int, float]] = []
        self.search: list[dict[str, Any]] = []
        self.deks: dict[int, bytes] = {}

    # --- helpers --------------------------------------------------------------------------

    def count(self, per_10k: int) -> int:
        return max(1, round(per_10k * self.scale))

    def project_key(self, project_id: int) -> bytes:
        """The project's sealed-text data key, its wrapped row written on first use."""
        from tracker import keys
        from tracker.sealing import wrap_key

        if project_id not in self.deks:
            dek = self.rng.randbytes(32)
            kek_id, wrapped = wrap_key(keys.current(), project_id, dek)
            self.conn.execute(
                self.t["project_keys"].insert(),
                {
                    "project_id": project_id,
                    "kek_id": kek_id,
                    "wrapped_key": wrapped,
                    "created_at": self.now,
                },
            )
            self.deks[project_id] = dek
        return self.deks[project_id]

    def seal(self, name: str, row: dict[str, Any]) -> dict[str, Any]:
        """The row with its sealed columns sealed, as the application stores them."""
        from tracker.sealing import seal_value

        for column in self.t[name].columns:
            if column.info.get("sealed") and row.get(column.name) is not None:
                dek = self.project_key(row["project_id"])
                row[column.name] = seal_value(dek, name, column.name, row["id"], row[column.name])
        return row

    def insert(self, name: str, rows: Iterable[dict[str, Any]]) -> int:
        start = time.perf_counter()
        table = self.t[name]
        total = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(self.seal(name, row))
            if len(batch) >= BATCH:
                self.conn.execute(table.insert(), batch)
                total += len(batch)
                batch = []
        if batch:
            self.conn.execute(table.insert(), batch)
            total += len(batch)
        self.timings.append((name, total, time.perf_counter() - start))
        return total

    def index(
        self,
        record_type: str,
        record_id: int,
        project_id: int,
        action: str,
        text: str,
        title: str = "",
        kind: str | None = None,
        heading: str | None = None,
    ) -> None:
        self.search.append(
            {
                "id": len(self.search) + 1,
                "record_type": record_type,
                "record_id": record_id,
                "project_id": project_id,
                "action": action,
                "text": text,
                "kind": kind or record_type,
                "title": title,
                # the words that name the record (a hit there ranks first): the title unless
                # said otherwise, as `tracker.cases.search.index` keeps it
                "heading": title if heading is None else heading,
                "parent_id": None,
            }
        )

    def ts(self, days_back: int = 720) -> dt.datetime:
        return self.now - dt.timedelta(seconds=self.rng.randrange(days_back * 86400))

    def day(self, lo: int, hi: int) -> dt.date:
        return self.today + dt.timedelta(days=self.rng.randint(lo, hi))

    def tech(self) -> tuple[str, str]:
        (ko, en), (ko2, en2) = self.rng.choice(TECH), self.rng.choice(THING)
        return f"{ko} {ko2}", f"{en} {en2}"

    # --- the data -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        rng = self.rng
        created = self.now - dt.timedelta(days=800)
        self.insert(
            "zones",
            (
                {
                    "id": i + 1,
                    "code": c,
                    "name_en": en,
                    "name_ko": ko,
                    "industry": ind,
                    "created_at": created,
                }
                for i, (c, en, ko, ind) in enumerate(ZONES)
            ),
        )
        orgs: list[dict[str, Any]] = []
        for i in range(300):
            ko = f"{KO_PREFIX[i % 15]}{KO_SUFFIX[(i // 15) % 10]}"
            orgs.append(
                {
                    "id": i + 1,
                    "name": f"{ko} {i + 1:03d} (Company {i + 1:03d})",
                    "kind": "company",
                    "country": "KR",
                    "created_at": created,
                }
            )
        for i in range(120):
            country = COUNTRIES[i % len(COUNTRIES)]
            name = f"{EN_PLACE[i % 20]} {EN_ORG[(i // 20) % 8]} {i + 1:03d}"
            orgs.append(
                {
                    "id": 301 + i,
                    "name": name,
                    "kind": "partner",
                    "country": country,
                    "created_at": created,
                }
            )
        orgs.append(
            {
                "id": 421,
                "name": "법무법인 한결 (Hangyeol law group)",
                "kind": "law_firm",
                "country": "KR",
                "created_at": created,
            }
        )
        self.insert("organizations", orgs)
        company_ids = list(range(1, 301))
        partner_ids = list(range(301, 421))

        users, logins = self._users(created)
        lawyer_ids = [u["id"] for u in users if u["role"] == "lawyer"]
        admin_id = users[0]["id"]

        # projects and their links
        projects = []
        p_lawyers, p_partners, partners_of = [], [], {}
        lawyers_per_project = 2
        for pid in range(1, self.n + 1):
            zone_id = (pid - 1) % 4 + 1
            company_id = company_ids[(pid * 7) % 300]
            ko, en = self.tech()
            work_ko, work_en = rng.choice(WORK)
            title = f"{ko} {work_ko} ({en} {work_en})"
            if pid % 997 == 0:
                title += f" {rng.choice(RARE)}"
            start = self.day(-900, -30)
            projects.append(
                {
                    "id": pid,
                    "code": f"{ZONES[zone_id - 1][0]}-{start.year}-{pid:05d}",
                    "title": title,
                    "zone_id": zone_id,
                    "company_id": company_id,
                    "start_date": start,
                    "end_date": start + dt.timedelta(days=rng.choice((365, 730, 1095))),
                    "budget_krw": rng.randrange(50, 2000) * 1_000_000,
                    "security_level": rng.choice(("general", "general", "security", "sensitive")),
                    "security_level_set_by_id": admin_id,
                    "security_level_set_at": created,
                    "status": "active" if rng.random() < 0.85 else "closed",
                    "version": 1,
                    "created_at": self.ts(),
                    "updated_at": self.now,
                }
            )
            # each lawyer sees about 100 projects (the first lawyer is the demo login)
            first = (pid - 1) % len(lawyer_ids)
            chosen = {
                lawyer_ids[first],
                lawyer_ids[(first + 1 + pid // len(lawyer_ids)) % len(lawyer_ids)],
            }
            chosen = set(list(chosen)[:lawyers_per_project])
            p_lawyers += [{"project_id": pid, "user_id": u} for u in sorted(chosen)]
            parts = rng.sample(partner_ids, rng.randint(1, 3))
            partners_of[pid] = parts
            p_partners += [{"project_id": pid, "organization_id": o} for o in parts]
        self.insert("projects", projects)
        self.insert("project_lawyers", p_lawyers)
        self.insert("project_partners", p_partners)
        org_name = {o["id"]: o["name"] for o in orgs}
        for p in projects:
            names = [org_name[p["company_id"]], *(org_name[o] for o in partners_of[p["id"]])]
            self.index(
                "project",
                p["id"],
                p["id"],
                "project.view",
                " ".join([p["code"], p["title"], *names]),
                p["title"],
                heading=f"{p['code']} {p['title']}",
            )

        assets_of = self._assets(projects, partners_of)
        self._ndas(projects, partners_of, assets_of, lawyer_ids, org_name)
        self._sessions(projects, lawyer_ids)
        self._reviews(projects, lawyer_ids)
        self._transfers(projects, partners_of, assets_of, users, org_name)
        self.insert("search_entries", self.search)
        self._audit(users)
        return {"logins": logins}

    def _users(self, created: dt.datetime) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
        from tracker.auth.passwords import hash_password

        pw = hash_password(PASSWORD)  # one hash for all: argon2 per user would take minutes
        n_lawyers = max(2, round(self.n * 2 / 100))  # ~100 projects each (two per project)
        users: list[dict[str, Any]] = []

        def add(
            email: str, name: str, role: str, org: int | None = None, zone: int | None = None
        ) -> None:
            users.append(
                {
                    "id": len(users) + 1,
                    "email": email,
                    "name": name,
                    "role": role,
                    "organization_id": org,
                    "zone_id": zone,
                    "locale": "ko" if len(users) % 3 else "en",
                    "password_hash": pw,
                    "active": True,
                    "failed_logins": 0,
                    "created_at": created,
                    "password_changed_at": created,
                }
            )

        add("admin@bench.example", "관리자 Admin", "admin")
        add("auditor@bench.example", "최감사 Auditor", "auditor")
        for i in range(n_lawyers):
            add(f"lawyer{i + 1}@bench.example", f"변호사 Lawyer {i + 1}", "lawyer", org=421)
        for i in range(300):
            add(f"company{i + 1}@bench.example", f"연구원 Staff {i + 1}", "company", org=i + 1)
        for z in range(4):
            add(
                f"operator{z + 1}@bench.example", f"운영자 Operator {z + 1}", "operator", zone=z + 1
            )
        self.insert("users", users)
        logins = [
            ("admin", "admin@bench.example"),
            ("auditor", "auditor@bench.example"),
            ("lawyer", "lawyer1@bench.example"),
            ("company", "company8@bench.example"),
            ("operator", "operator1@bench.example"),
        ]
        return users, logins

    def _assets(
        self, projects: list[dict[str, Any]], partners_of: dict[int, list[int]]
    ) -> dict[int, list[int]]:
        from tracker.cases.assets.models import ASSET_KINDS, SENSITIVITIES

        rng = self.rng
        total = self.count(100_000)
        rows, owners, deadlines = [], [], []
        assets_of: dict[int, list[int]] = {}
        for aid in range(1, total + 1):
            p = projects[(aid - 1) % len(projects)]
            assets_of.setdefault(p["id"], []).append(aid)
            ko, en = self.tech()
            kind = rng.choice(ASSET_KINDS)
            nct = rng.choice(NCT)
            app_no = (
                f"10-{rng.randint(2019, 2026)}-{rng.randrange(10**7):07d}"
                if kind in ("patent", "utility_model", "design")
                else None
            )
            filed = self.day(-1200, -10) if app_no else None
            title = f"{ko} ({en})" if aid % 2 else f"{en} ({ko})"
            strategic = rng.choice(("no", "no", "no", "yes", "unknown"))
            rows.append(
                {
                    "id": aid,
                    "project_id": p["id"],
                    "zone_id": p["zone_id"],
                    "title": title,
                    "kind": kind,
                    "sensitivity": rng.choice(SENSITIVITIES),
                    "description": f"{ko} 관련 기술 자료. Technical notes on the {en}.",
                    "jurisdictions": rng.sample(
                        ["KR", "US", "EP", "JP", "CN", "DE"], rng.randint(1, 3)
                    ),
                    "application_no": app_no,
                    "filed_on": filed,
                    "registration_no": None,
                    "registered_on": None,
                    "nct_status": nct,
                    "nct_ref": f"MOTIE-NCT-{rng.randrange(10**4):04d}"
                    if nct != "not_nct"
                    else None,
                    "strategic_item": strategic,
                    "export_licence_ref": f"EL-{aid:06d}" if strategic == "yes" else None,
                    "export_licence_until": self.day(-30, 400) if strategic == "yes" else None,
                    "originality_cert_no": f"OC-{aid:07d}" if rng.random() < 0.2 else None,
                    "confidentiality_marked": rng.random() < 0.6,
                    "version": 1,
                    "created_at": self.ts(),
                    "updated_at": self.now,
                }
            )
            owners.append(
                {
                    "asset_id": aid,
                    "organization_id": p["company_id"],
                    "share_pct": 100 if rng.random() < 0.7 else 70,
                }
            )
            if owners[-1]["share_pct"] == 70:
                owners.append(
                    {"asset_id": aid, "organization_id": partners_of[p["id"]][0], "share_pct": 30}
                )
            first_deadline = len(deadlines)
            for _ in range(rng.randint(1, 2)):
                deadlines.append(
                    {
                        "id": len(deadlines) + 1,
                        "asset_id": aid,
                        "kind": rng.choice(DEADLINE_KINDS),
                        "due_on": self.day(-60, 700),
                        "note": "기한 확인 (check the deadline)" if rng.random() < 0.3 else None,
                        "done": rng.random() < 0.2,
                    }
                )
            mine = deadlines[first_deadline:]
            rows[-1]["next_due_on"] = min(
                (d["due_on"] for d in mine if not d["done"]), default=None
            )
            # as the asset kind declares it: the title; numbers only (the description is sealed)
            numbers = (app_no, rows[-1]["originality_cert_no"])
            self.index("asset", aid, p["id"], "asset.view", title, title)
            self.index(
                "asset_detail",
                aid,
                p["id"],
                "asset.view_full",
                " ".join(x for x in numbers if x),
                title,
                kind="asset",
                heading=" ".join(x for x in numbers if x),
            )
        self.insert("ip_assets", rows)
        self.insert("asset_owners", owners)
        self.insert("asset_deadlines", deadlines)
        return assets_of

    def _ndas(
        self,
        projects: list[dict[str, Any]],
        partners_of: dict[int, list[int]],
        assets_of: dict[int, list[int]],
        lawyer_ids: list[int],
        org_name: dict[int, str],
    ) -> None:
        rng = self.rng
        rows, links = [], []
        for nid in range(1, self.count(20_000) + 1):
            p = projects[(nid - 1) % len(projects)]
            partner = rng.choice(partners_of[p["id"]])
            effective = self.day(-700, -1)
            # a share expire within 30 days, so the "expiring" list is not empty
            expires = self.day(0, 30) if nid % 10 == 0 else self.day(-200, 900)
            status = "active" if expires >= self.today else "expired"
            law = rng.choice(("Korean law", "대한민국 법", "German law", "Japanese law"))
            purpose = f"공동연구 정보 교환 (exchange of information for {self.tech()[1]})"
            rows.append(
                {
                    "id": nid,
                    "project_id": p["id"],
                    "zone_id": p["zone_id"],
                    "partner_id": partner,
                    "signed_on": effective,
                    "effective_on": effective,
                    "expires_on": expires,
                    "governing_law": law,
                    "purpose": purpose,
                    "return_or_destroy": True,
                    "audit_rights": rng.random() < 0.5,
                    "status": status,
                    "created_by_id": rng.choice(lawyer_ids),
                    "version": 1,
                    "created_at": self.ts(),
                    "updated_at": self.now,
                }
            )
            for aid in assets_of.get(p["id"], [])[:2]:
                links.append({"nda_id": nid, "asset_id": aid})
            text = f"NDA {org_name[partner]} {law}"
            self.index("nda", nid, p["id"], "nda.view", text, org_name[partner])
        self.insert("ndas", rows)
        self.insert("nda_assets", links)

    def _sessions(self, projects: list[dict[str, Any]], lawyer_ids: list[int]) -> None:
        rng = self.rng
        rows, follow = [], []
        for sid in range(1, self.count(30_000) + 1):
            p = projects[(sid - 1) % len(projects)]
            topics = [f"{self.tech()[0]} 보호 전략", f"{self.tech()[1]} licensing"]
            advice = f"공개 전 특허 출원을 권고함. File before disclosure ({self.tech()[1]})."
            rows.append(
                {
                    "id": sid,
                    "project_id": p["id"],
                    "held_on": self.day(-500, 0),
                    "duration_minutes": rng.choice((30, 60, 90)),
                    "attendees": ["김연구", "J. Smith"],
                    "topics": topics,
                    "advice": advice,
                    "privileged_notes": "privileged: bench",
                    "lawyer_id": rng.choice(lawyer_ids),
                    "version": 1,
                    "created_at": self.ts(),
                }
            )
            if sid % 3 == 0:
                follow.append(
                    {
                        "id": len(follow) + 1,
                        "session_id": sid,
                        "title": "후속 조치 follow-up",
                        "owner": "김연구",
                        "due_on": self.day(-30, 90),
                        "done": False,
                        "done_at": None,
                    }
                )
            text = "\n".join([*topics, advice])
            self.index("session", sid, p["id"], "session.view_advice", text, ", ".join(topics))
        self.insert("advisory_sessions", rows)
        self.insert("follow_ups", follow)

    def _reviews(self, projects: list[dict[str, Any]], lawyer_ids: list[int]) -> None:
        from tracker.cases.reviews import scoring as risk
        from tracker.cases.reviews.kind import search_text as review_text

        cat = risk.catalogue()
        rng = self.rng
        rows = []
        for rid in range(1, self.count(15_000) + 1):
            p = projects[(rid - 1) % len(projects)]
            answers = {f["code"]: rng.choice(f["choices"])["code"] for f in cat["factors"]}
            result = risk.score_answers(answers, has_nct=rng.random() < 0.1, cat=cat)
            status = rng.choice(
                ("approved", "approved", "approved", "submitted", "rejected", "draft")
            )
            decided = self.ts(300) if status in ("approved", "rejected") else None
            author = rng.choice(lawyer_ids)
            reviewer = next(x for x in (rng.choice(lawyer_ids), *lawyer_ids) if x != author)
            rows.append(
                {
                    "id": rid,
                    "project_id": p["id"],
                    "catalogue_version": cat["version"],
                    "answers": answers,
                    "likelihood": result.likelihood,
                    "impact": result.impact,
                    "score": result.score,
                    "level": result.level,
                    "summary": f"위험 검토 요약 (risk summary) {rid}",
                    "status": status,
                    "author_id": author,
                    "reviewer_id": reviewer if decided else None,
                    "decided_at": decided,
                    "conditions": None,
                    "valid_until": self.day(-60, 365) if status == "approved" else None,
                    "version": 1,
                    "created_at": self.ts(),
                }
            )
        self.insert("risk_reviews", rows)
        # the stored current level (as `reviews.level.store_current_level` keeps it): each
        # project's latest approved review, with the project's zone and the review's scores
        zone_of = {p["id"]: p["zone_id"] for p in projects}
        latest: dict[int, dict[str, Any]] = {}
        for r in rows:
            if r["status"] != "draft":
                self.index(
                    "risk_review",
                    r["id"],
                    r["project_id"],
                    "review.view_result",
                    review_text(r["level"], None),
                )
            if r["status"] == "approved":
                known = latest.get(r["project_id"])
                if known is None or (r["decided_at"], r["id"]) > (known["decided_at"], known["id"]):
                    latest[r["project_id"]] = r
        self.insert(
            "project_risk_levels",
            (
                {
                    "project_id": pid,
                    "review_id": r["id"],
                    "level": r["level"],
                    "valid_until": r["valid_until"],
                    "zone_id": zone_of[pid],
                    "likelihood": r["likelihood"],
                    "impact": r["impact"],
                }
                for pid, r in latest.items()
            ),
        )

    def _transfers(
        self,
        projects: list[dict[str, Any]],
        partners_of: dict[int, list[int]],
        assets_of: dict[int, list[int]],
        users: list[dict[str, Any]],
        org_names: dict[int, str],
    ) -> None:
        rng = self.rng
        company_user = {u["organization_id"]: u["id"] for u in users if u["role"] == "company"}
        # decisions are the zone operator's (transfer.decide)
        operator = {u["zone_id"]: u["id"] for u in users if u["role"] == "operator"}
        rows, links = [], []
        for tid in range(1, self.count(10_000) + 1):
            p = projects[(tid - 1) % len(projects)]
            status = rng.choice(("blocked", "pending_review", "approved", "approved", "denied"))
            checks = [
                {"code": c, "ok": status != "blocked" or i != 0, "params": {}}
                for i, c in enumerate(CHECK_CODES)
            ]
            decided = status in ("approved", "denied")
            rows.append(
                {
                    "id": tid,
                    "project_id": p["id"],
                    "partner_id": partners_of[p["id"]][0],
                    "purpose": f"시제품 시험 자료 공유 (test data for the {self.tech()[1]})",
                    "channel": rng.choice(CHANNELS),
                    "planned_on": self.day(-100, 120),
                    "status": status,
                    "checks": checks,
                    "checked_at": self.ts(200),
                    "requested_by_id": company_user[p["company_id"]],
                    "decided_by_id": operator[p["zone_id"]] if decided else None,
                    "decided_at": self.ts(100) if decided else None,
                    "decision_note": "검토 완료 (reviewed)" if decided else None,
                    "decision_checks": checks if decided else None,
                    "version": 1,
                    "created_at": self.ts(200),
                }
            )
            for aid in assets_of.get(p["id"], [])[:1]:
                links.append({"transfer_id": tid, "asset_id": aid})
            partner = org_names[rows[-1]["partner_id"]]
            self.index("transfer", tid, p["id"], "transfer.view", partner, partner)
        self.insert("transfer_requests", rows)
        self.insert("transfer_assets", links)

    # --- the audit trail ------------------------------------------------------------------

    def _audit_rows(self, total: int, users: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        from tracker.audit import sealing
        from tracker.audit.models import FORM_FIELDS

        rng = self.rng
        key = self.audit_key
        mac = GENESIS_MAC
        start = self.now - dt.timedelta(days=720)
        step = dt.timedelta(days=720) / total
        actor_ids = [u["id"] for u in users[:200]]
        for seq in range(1, total + 1):
            action, object_type = rng.choice(AUDIT_ACTIONS)
            at = start + step * seq
            at = at.replace(microsecond=at.microsecond)  # exact microseconds
            actor = rng.choice(actor_ids)
            ip = f"10.0.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            object_id = rng.randrange(1, self.n + 1)
            detail = {"n": seq % 97} if seq % 5 else {"fields": ["title", "status"]}
            # form 2, as the sealer writes it: length-prefixed fields, the detail's stored text
            fields = SimpleNamespace(
                at=at,
                actor_id=actor,
                action=action,
                object_type=object_type,
                object_id=object_id,
                ip=ip,
                detail_text=sealing.detail_text(detail),
            )
            mac = sealing.chain_mac(key, mac, seq, fields)
            yield {
                "id": seq,
                "seq": seq,
                "at": at,
                "actor_id": actor,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "ip": ip,
                "detail": detail,
                "mac": mac,
                "form": FORM_FIELDS,
            }

    def _audit(self, users: list[dict[str, Any]]) -> None:
        total = self.count(1_000_000)
        last: dict[str, Any] = {}

        def tracking(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for row in rows:
                last.update(row)
                yield row

        rows = tracking(self._audit_rows(total, users))
        if self.conn.dialect.name == "postgresql":
            self._copy_audit(rows)
        else:
            self.insert("audit_events", rows)
        head = self.t["audit_head"]
        self.conn.execute(head.delete())
        self.conn.execute(head.insert(), [{"id": 1, "seq": last["seq"], "mac": last["mac"]}])

    def _copy_audit(self, rows: Iterator[dict[str, Any]]) -> None:
        start = time.perf_counter()
        raw = self.conn.connection.driver_connection
        from tracker.audit.service import EVENT_COLUMNS

        columns = list(EVENT_COLUMNS)
        total = 0
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY audit_events ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                row = dict(row, detail=json.dumps(row["detail"]))
                copy.write_row([row[c] for c in columns])
                total += 1
        self.timings.append(("audit_events (COPY)", total, time.perf_counter() - start))


def _fix_sequences(conn: sa.Connection, tables: dict[str, sa.Table]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for name, table in tables.items():
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"
            )


def default_instance(url: str) -> Path:
    name = sa.engine.make_url(url).database or "db"
    return Path(__file__).parent / ".data" / Path(name).stem


def app_for(url: str, instance: Path, **extra: Any) -> Any:
    from tracker import create_app

    instance.mkdir(parents=True, exist_ok=True)
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "TRACKER_ENV": "development",
        "SECRET_KEY": "bench-only-secret-key",
        "TRACKER_KEY_FILE": str(instance / "keys.json"),
        "TRACKER_BLOB_DIR": str(instance / "blobs"),
        "TRACKER_AUDIT_CHECKPOINT_FILE": str(instance / "audit-checkpoint.json"),
        # a measuring rig: its users sign in with a password alone (no second factor)
        "TRACKER_MFA_ROLES": "",
        **extra,
    }
    return create_app(config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--instance", type=Path, help="where the key file goes")
    parser.add_argument("--no-verify", action="store_true")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from tracker import keys
    from tracker.db import db, normalise_database_url

    url = normalise_database_url(args.database)
    instance = args.instance or default_instance(url)
    app = app_for(url, instance)
    began = time.perf_counter()
    with app.app_context():
        t0 = time.perf_counter()
        upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
        print(f"migrations: {time.perf_counter() - t0:.1f} s")
        key = keys.require(app).audit_key
        tables = dict(db.metadata.tables)
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.connection.driver_connection.execute("PRAGMA synchronous=OFF")
            with conn.begin():
                if conn.execute(
                    sa.select(sa.func.count()).select_from(tables["projects"])
                ).scalar():
                    print("the database is not empty", file=sys.stderr)
                    return 2
                gen = Gen(conn, tables, args.projects, args.seed, args.today, key)
                result = gen.run()
                _fix_sequences(conn, tables)
            if conn.dialect.name == "sqlite":
                conn.connection.driver_connection.execute("PRAGMA synchronous=FULL")
            t0 = time.perf_counter()
            if conn.dialect.name == "postgresql":
                # VACUUM as well: a served database is vacuumed by autovacuum, which sets the
                # visibility map that index-only scans (the lists' counts) rely on; a freshly
                # generated one has none, and the server may run without autovacuum
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM (ANALYZE)"
                )
            else:
                with conn.begin():
                    conn.exec_driver_sql("ANALYZE")
            gen.timings.append(("ANALYZE", 0, time.perf_counter() - t0))
    print(f"{'table':<24}{'rows':>10}{'seconds':>10}{'rows/s':>12}")
    for name, rows, secs in gen.timings:
        rate = f"{rows / secs:,.0f}" if rows and secs else ""
        print(f"{name:<24}{rows:>10,}{secs:>10.2f}{rate:>12}")
    print(f"total: {time.perf_counter() - began:.1f} s")
    print(f"instance (key file): {instance}")
    print(f"sign-ins (password {PASSWORD!r}):")
    for role, email in result["logins"]:
        print(f"  {role:<9}{email}")
    try:
        if not args.no_verify:
            t0 = time.perf_counter()
            outcome = _verify(app)
            print(f"audit verify: {outcome} in {time.perf_counter() - t0:.1f} s")
            if not outcome.startswith("intact"):
                return 1
        return 0
    finally:
        with app.app_context():
            db.engine.dispose()


def _verify(app: Any) -> str:
    """What `flask audit verify` checks: the whole chain, the head row (no checkpoint yet)."""
    from tracker import keys
    from tracker.audit.verify import verify_chain

    with app.app_context():
        result = verify_chain(keys.require(app).audit_key, None)
        if result.intact:
            return f"intact ({result.events:,} events)"
        return f"BROKEN: {result.problem}"


if __name__ == "__main__":
    raise SystemExit(main())
