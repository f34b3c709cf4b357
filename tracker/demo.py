"""`flask --app tracker demo`: the zones, partners and companies of docs/product.md and one
demo sign-in per role. Loads once; running it again changes nothing."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from tracker import clock, policy
from tracker.auth import accounts, organizations, totp
from tracker.auth.models import Organization, User, Zone
from tracker.cases.assets.models import IpAsset
from tracker.cases.demo import load_demo_projects
from tracker.cases.demo_records import add_demo_records, add_waiting_review
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.transfers.service import TransferDraft, file_transfer

#: printed by `make run`; the demo accounts exist only in the embedded development database
DEMO_PASSWORD = "tracker-demo-2026!"  # noqa: S105

ZONES = [
    ("JN-DC", "Jeonnam DC industry", "전남 DC산업 글로벌혁신특구", "DC power"),
    (
        "CB-BIO",
        "Chungbuk advanced regenerative bio",
        "충북 첨단재생바이오 글로벌혁신특구",
        "Regenerative medicine",
    ),
    ("GW-AIH", "Gangwon AI healthcare", "강원 AI헬스케어 글로벌혁신특구", "AI healthcare"),
    (
        "BS-MOB",
        "Busan next-generation marine mobility",
        "부산 차세대 해양모빌리티 글로벌혁신특구",
        "Marine mobility",
    ),
]

PARTNERS = [
    ("Fraunhofer ISIT", "DE"),
    ("Tokyo Medical University Hospital", "JP"),
    ("Kyushu University", "JP"),
    ("Astellas Pharma", "JP"),
    ("Johns Hopkins University Hospital", "US"),
    ("University of Strathclyde", "GB"),
    ("University of Tartu", "EE"),
]

COMPANIES = [
    ("한빛디씨파워 (Hanbit DC Power)", "KR"),
    ("셀바이오텍 (CellBiotech)", "KR"),
    ("뉴로사이트 (NeuroSight)", "KR"),
    ("오션내비 (OceanNavi)", "KR"),
]

LAW_FIRM = ("법무법인 한결 기술보호지원단 (Hangyeol tech-protection group)", "KR")


def demo_totp_seed(email: str) -> str:
    """The known TOTP seed of a demo login (base32), printed by `make run`: demo data only."""
    digest = hashlib.sha256(b"tracker demo totp " + email.encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def demo_logins() -> list[tuple[str, str]]:
    return [
        (f"{role}@tracker.example", role)
        for role in ("admin", "lawyer", "company", "operator", "auditor")
    ] + [("lawyer2@tracker.example", "lawyer")]


def load_demo() -> bool:
    """Load the demo data; False (and nothing written) when it is already there."""
    if db.session.execute(sa.select(Zone.id).where(Zone.code == "JN-DC")).first():
        return False
    zones = [accounts.create_zone(*z) for z in ZONES]
    for name, country in PARTNERS:
        organizations.create_organization(name, "partner", country)
    companies = [organizations.create_organization(n, "company", c) for n, c in COMPANIES]
    law_firm = organizations.create_organization(LAW_FIRM[0], "law_firm", LAW_FIRM[1])
    people: dict[str, tuple[str, dict[str, int]]] = {
        "admin": ("관리자 Admin", {}),
        "lawyer": ("김변호 Kim (lawyer)", {"organization_id": law_firm.id}),
        "company": ("이연구 Lee (Hanbit DC Power)", {"organization_id": companies[0].id}),
        "operator": ("박운영 Park (Jeonnam operator)", {"zone_id": zones[0].id}),
        "auditor": ("최감사 Choi (auditor)", {}),
        # a second lawyer, so risk reviews are approved by someone other than their author
        "lawyer2": ("정변호 Jung (reviewing lawyer)", {"organization_id": law_firm.id}),
    }
    for email, role in demo_logins():
        name, links = people[email.split("@")[0]]
        user = accounts.create_user(
            email,
            name,
            role,
            DEMO_PASSWORD,
            organization_id=links.get("organization_id"),
            zone_id=links.get("zone_id"),
        )
        if policy.role_needs_second_factor(role):
            totp.store_secret(user, demo_totp_seed(email))
    _load_case_files()
    return True


def _load_case_files() -> None:
    """The four demo projects of docs/product.md, each with assets, an NDA, an advisory
    session, an approved risk review and (for the demo company) a disclosure."""

    def user(email: str) -> User:
        return db.session.execute(sa.select(User).where(User.email == email)).scalar_one()

    lawyer, reviewer = user("lawyer@tracker.example"), user("lawyer2@tracker.example")
    company_user = user("company@tracker.example")
    for project in load_demo_projects():
        if reviewer not in project.lawyers:
            project.lawyers.append(reviewer)
        db.session.flush()
        add_demo_records(project, lawyer, company_user, reviewer=reviewer)
        if project.company_id == company_user.organization_id:
            _file_demo_transfers(project, company_user)
            add_waiting_review(project, lawyer)


def _file_demo_transfers(project: Project, requester: User) -> None:
    """Two data-sharing requests for the operator's queue: one that clears the gate (assets the
    NDA covers) and one that is blocked (an asset it does not cover)."""

    nda = (
        db.session.execute(sa.select(Nda).where(Nda.project_id == project.id).order_by(Nda.id))
        .scalars()
        .first()
    )
    if nda is None:
        return
    covered = [a.id for a in nda.assets]
    every = (
        db.session.execute(
            sa.select(IpAsset.id).where(IpAsset.project_id == project.id).order_by(IpAsset.id)
        )
        .scalars()
        .all()
    )
    planned = clock.today() + dt.timedelta(days=14)
    for assets, purpose in (
        (covered, "Joint test of the converter prototype: share the design review slides."),
        (every, "Share the full design package, including the unprotected control firmware."),
    ):
        file_transfer(
            requester,
            project,
            TransferDraft(
                partner_id=nda.partner_id,
                asset_ids=assets,
                attachment_ids=[],
                purpose=purpose,
                channel="secure_platform",
                planned_on=planned,
            ),
        )


def organization_named(name: str) -> Organization:
    return db.session.execute(sa.select(Organization).where(Organization.name == name)).scalar_one()


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo zones, partners, companies and one sign-in per role (once)."""
    loaded = load_demo()
    db.session.commit()
    click.echo("Demo data loaded." if loaded else "Demo data already present.")
    click.echo(f"Demo sign-ins (password {DEMO_PASSWORD}):")
    for email, role in demo_logins():
        held = policy.role_needs_second_factor(role)
        seed = f"  authenticator key {demo_totp_seed(email)}" if held else ""
        click.echo(f"  {role:9} {email:26}{seed}")
    if policy.second_factor_roles():
        click.echo(
            "Admins, lawyers and auditors sign in with a second factor: add the authenticator"
            " key beside the login to an authenticator app (or run"
            " `python -c \"import pyotp; print(pyotp.TOTP('<key>').now())\"`) and enter its"
            " six-digit code after the password."
        )
