"""One place for each text limit: the model column (or the owning service's constant) declares it,
every form and API schema reads it, and the API refuses one character more (422) but takes exactly
the limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow
import pytest
import wtforms
from flask import Flask
from marshmallow import fields as mfields
from marshmallow import validate
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from tracker import clock
from tracker.audit.models import AuditEvent
from tracker.auth.models import Organization, User, Zone
from tracker.auth.passwords import MAX_INPUT_LENGTH
from tracker.auth.totp import MAX_OTP_LENGTH
from tracker.cases.assets.models import AssetDeadline, DerivedDeadline, IpAsset
from tracker.cases.assets.service import JURISDICTIONS_TEXT_MAX
from tracker.cases.disclosures.models import Disclosure, Inventor
from tracker.cases.filings.models import Filing, FilingDeadlineRow, FilingEvent
from tracker.cases.models import SearchEntry
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.forms import review_form
from tracker.cases.reviews.models import RiskReview
from tracker.cases.search import MAX_QUERY_LENGTH
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.cases.sessions.service import LIST_ITEM_MAX, LIST_TEXT_MAX
from tracker.db import db, text_limit
from tracker.extensions import rest_api
from tracker.transfers.models import TransferRequest

# ---------------------------------------------------------------------------------------------
# text_limit itself


def test_text_limit_reads_varchar_length_and_text_info():
    assert text_limit(Project.title) == 300
    assert text_limit(Disclosure.description) == 20_000
    assert Disclosure.__table__.c.description.info["max_length"] == 20_000


@pytest.mark.parametrize("attr", [SearchEntry.text, AdvisorySession.attendees, Project.id])
def test_text_limit_refuses_a_column_without_a_limit(attr):
    with pytest.raises(LookupError):
        text_limit(attr)


#: today's values, written out: the behaviour must not change with the refactor
REPRESENTATIVE = [
    (Project.code, 32),
    (Project.title, 300),
    (IpAsset.title, 300),
    (IpAsset.description, 20_000),
    (Disclosure.title, 300),
    (Disclosure.description, 20_000),
    (Disclosure.reviewer_note, 5000),
    (Nda.purpose, 10_000),
    (AdvisorySession.advice, 20_000),
    (AdvisorySession.privileged_notes, 20_000),
    (RiskReview.summary, 20_000),
    (RiskReview.conditions, 5000),
    (TransferRequest.purpose, 5000),
    (TransferRequest.decision_note, 5000),
    (User.email, 320),
    (User.name, 200),
    (Zone.code, 32),
]


@pytest.mark.parametrize(("attr", "value"), REPRESENTATIVE, ids=lambda x: str(x))
def test_representative_limits_keep_their_values(attr, value):
    assert text_limit(attr) == value


def test_constants_keep_their_values():
    assert (MAX_INPUT_LENGTH, MAX_OTP_LENGTH, MAX_QUERY_LENGTH) == (1024, 16, 200)
    assert (LIST_TEXT_MAX, LIST_ITEM_MAX, JURISDICTIONS_TEXT_MAX) == (5000, 300, 400)


# ---------------------------------------------------------------------------------------------
# every form and every schema reads its limit from the one place

#: the model each form or schema writes; a field named like a column takes that column's limit
MODEL_OF: dict[str, Any] = {
    "LoginForm": User,
    "UserForm": User,
    "UserSchema": User,
    "UserPatchSchema": User,
    "MePatchSchema": User,
    "TokenRequestSchema": User,
    "ZoneForm": Zone,
    "ZoneSchema": Zone,
    "OrganizationForm": Organization,
    "OrganizationEditForm": Organization,
    "OrganizationSchema": Organization,
    "OrganizationPatchSchema": Organization,
    "OrganizationFilterArgs": Organization,
    "ProjectForm": Project,
    "ProjectSchema": Project,
    "ProjectPatchSchema": Project,
    "DeadlineForm": AssetDeadline,
    "AssetDeadlineSchema": AssetDeadline,
    "AssetForm": IpAsset,
    "AssetLimitedSchema": IpAsset,
    "AssetSchema": IpAsset,
    "AssetPatchSchema": IpAsset,
    "DisclosureAssetSchema": IpAsset,
    "InventorRow": Inventor,
    "InventorSchema": Inventor,
    "DisclosureForm": Disclosure,
    "DisclosureSchema": Disclosure,
    "DisclosureOutSchema": Disclosure,
    "DisclosurePatchSchema": Disclosure,
    "NdaForm": Nda,
    "NdaSchema": Nda,
    "NdaPatchSchema": Nda,
    "FollowUpRow": FollowUp,
    "FollowUpSchema": FollowUp,
    "SessionForm": AdvisorySession,
    "AdvisorySessionSummarySchema": AdvisorySession,
    "AdvisorySessionSchema": AdvisorySession,
    "AdvisorySessionPatchSchema": AdvisorySession,
    "ReviewForm": RiskReview,
    "ReviewDecisionForm": RiskReview,
    "RiskReviewSchema": RiskReview,
    "RiskReviewInSchema": RiskReview,
    "RiskReviewDecisionSchema": RiskReview,
    "RiskReviewDraftSchema": RiskReview,
    "TransferForm": TransferRequest,
    "TransferSchema": TransferRequest,
    "AuditFilterForm": AuditEvent,
    "AuditFilterArgs": AuditEvent,
    "PortfolioAssetSchema": IpAsset,
    "PortfolioAssetLimitedSchema": IpAsset,
    "PortfolioReviewSchema": RiskReview,
    "FilingForm": Filing,
    "FilingSchema": Filing,
    "FilingPatchSchema": Filing,
    "DoneMarkSchema": FilingDeadlineRow,
    "EventForm": FilingEvent,
    "FilingEventSchema": FilingEvent,
    "FilingEventCreatedSchema": FilingEvent,
}

#: limits of fields with no column of their own name ("field[]" is an entry of a list)
OTHER: dict[tuple[str, str], int] = {
    ("LoginForm", "password"): MAX_INPUT_LENGTH,
    ("UserForm", "password"): MAX_INPUT_LENGTH,
    ("UserSchema", "password"): MAX_INPUT_LENGTH,
    ("UserPatchSchema", "password"): MAX_INPUT_LENGTH,
    ("TokenRequestSchema", "password"): MAX_INPUT_LENGTH,
    ("ChangePasswordForm", "current"): MAX_INPUT_LENGTH,
    ("ChangePasswordForm", "new"): MAX_INPUT_LENGTH,
    ("SetPasswordForm", "new"): MAX_INPUT_LENGTH,
    ("ConfirmPasswordForm", "password"): MAX_INPUT_LENGTH,
    ("TotpForm", "otp"): MAX_OTP_LENGTH,
    ("LoginForm", "otp"): MAX_OTP_LENGTH,
    ("TokenRequestSchema", "otp"): MAX_OTP_LENGTH,
    ("ProjectFilterForm", "q"): MAX_QUERY_LENGTH,
    ("ProjectFilterArgs", "q"): MAX_QUERY_LENGTH,
    ("AssetFilterForm", "q"): MAX_QUERY_LENGTH,
    ("AssetPortfolioArgs", "q"): MAX_QUERY_LENGTH,
    ("SearchArgs", "q"): MAX_QUERY_LENGTH,
    ("AssetForm", "jurisdictions"): JURISDICTIONS_TEXT_MAX,
    ("SessionForm", "attendees"): LIST_TEXT_MAX,
    ("SessionForm", "topics"): LIST_TEXT_MAX,
    ("DisclosureDecisionForm", "note"): text_limit(Disclosure.reviewer_note),
    ("DisclosureDecisionSchema", "note"): text_limit(Disclosure.reviewer_note),
    ("DisclosureDecisionForm", "asset_title"): text_limit(IpAsset.title),
    ("DisclosureDecisionForm", "asset_description"): text_limit(IpAsset.description),
    ("DisclosureDecisionForm", "asset_nct_ref"): text_limit(IpAsset.nct_ref),
    ("DecisionForm", "note"): text_limit(TransferRequest.decision_note),
    ("TransferDecisionSchema", "note"): text_limit(TransferRequest.decision_note),
    ("AssetDeadlineSchema", "key"): text_limit(DerivedDeadline.key),
    ("AssetDeadlineSchema", "rule"): text_limit(DerivedDeadline.rule),
    ("AuditFilterForm", "actor"): text_limit(User.name),
}
for _schema in (
    "AdvisorySessionSummarySchema",
    "AdvisorySessionSchema",
    "AdvisorySessionPatchSchema",
):
    OTHER[(_schema, "attendees[]")] = OTHER[(_schema, "topics[]")] = LIST_ITEM_MAX
for _schema in ("AssetSchema", "AssetPatchSchema", "PortfolioAssetSchema"):
    OTHER[(_schema, "jurisdictions[]")] = 2  # an ISO 3166 code, EP or WO: exactly two letters


def _expected(owner: str, field: str) -> int:
    if (owner, field) in OTHER:
        return OTHER[(owner, field)]
    model = MODEL_OF.get(owner)
    assert model is not None and hasattr(model, field), f"{owner}.{field}: no limit source"
    return text_limit(getattr(model, field))


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _all_subclasses(sub)
    return found


def _form_limits(form_cls: type) -> dict[str, int]:
    limits = {}
    for klass in form_cls.__mro__:
        for name, value in vars(klass).items():
            if not isinstance(value, UnboundField) or name in limits:
                continue
            validators = value.kwargs.get("validators") or (
                value.args[1] if len(value.args) > 1 else []
            )
            for v in validators:
                if isinstance(v, Length):
                    assert v.min in (-1, v.max) or v.min <= 1, (form_cls, name)
                    limits[name] = v.max
    return limits


def _schema_limits(schema_cls: type[marshmallow.Schema]) -> dict[str, int]:
    limits = {}
    for name, field in schema_cls._declared_fields.items():
        for key, f in ((name, field), (f"{name}[]", getattr(field, "inner", None))):
            if not isinstance(f, mfields.String):
                continue
            for v in f.validators:
                if isinstance(v, validate.Length):
                    limits[key] = v.equal if v.equal is not None else v.max
    return limits


def test_every_form_length_reads_the_one_place(app: Flask):
    with app.test_request_context():
        forms = {
            c for c in _all_subclasses(wtforms.Form) if c.__module__.startswith("tracker.")
        } | {type(review_form("en"))}
    checked = 0
    for form_cls in forms:
        for name, limit in _form_limits(form_cls).items():
            assert limit == _expected(form_cls.__name__, name), f"{form_cls.__name__}.{name}"
            checked += 1
    assert checked >= 45


def test_every_schema_length_reads_the_one_place(app: Flask):
    converter = rest_api.ma_plugin.converter
    registered = {key[0] for key in converter.refs}
    defined = {
        c for c in _all_subclasses(marshmallow.Schema) if c.__module__.startswith("tracker.")
    }
    assert registered
    assert {"ProjectSchema", "AssetSchema", "UserSchema"} <= {c.__name__ for c in registered}
    checked = 0
    for schema_cls in registered | defined:
        for name, limit in _schema_limits(schema_cls).items():
            assert limit == _expected(schema_cls.__name__, name), f"{schema_cls.__name__}.{name}"
            checked += 1
    assert checked >= 50


# ---------------------------------------------------------------------------------------------
# the API: one character over the limit is 422, exactly at the limit is accepted

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _over_and_at(post: Any, body: dict[str, Any], field: str, limit: int) -> Any:
    over = post({**body, field: "가" * (limit + 1)})
    assert over.status_code == 422, over.get_json()
    assert field in over.get_json()["errors"]
    at = post({**body, field: "가" * limit})
    assert at.status_code in (200, 201), at.get_json()
    return at.get_json()


def _asset(world: Any) -> IpAsset:
    asset = IpAsset(
        project=world.project, title="Membrane", kind="know_how", sensitivity="confidential"
    )
    db.session.add(asset)
    db.session.flush()
    return asset


def test_projects(world, api_as):
    api = api_as(world.users["admin"])
    body = {"zone_id": world.zone.id, "company_id": world.company.id, "code": "LIM-1"}
    limit = text_limit(Project.title)
    made = _over_and_at(lambda b: api.post("/api/v1/projects", json=b), body, "title", limit)
    assert len(made["title"]) == limit
    _over_and_at(
        lambda b: api.post("/api/v1/projects", json=b),
        {**body, "title": "T"},
        "code",
        text_limit(Project.code),
    )
    assert api.get(f"/api/v1/projects?q={'q' * (MAX_QUERY_LENGTH + 1)}").status_code == 422
    assert api.get(f"/api/v1/projects?q={'q' * MAX_QUERY_LENGTH}").status_code == 200


def test_assets(world, api_as):
    api = api_as(world.users["lawyer"])
    url = f"/api/v1/projects/{world.project.id}/assets"
    body = {"title": "A", "kind": "patent", "sensitivity": "confidential"}
    _over_and_at(
        lambda b: api.post(url, json=b), body, "description", text_limit(IpAsset.description)
    )
    _over_and_at(lambda b: api.post(url, json=b), body, "title", text_limit(IpAsset.title))


def test_disclosures(world, api_as):
    api = api_as(world.users["company"])
    url = f"/api/v1/projects/{world.project.id}/disclosures"
    body = {
        "title": "GaN topology",
        "inventors": [{"name": "Kim Minji", "share_pct": 100, "nationality": "KR"}],
        "conceived_on": "2026-03-02",
        "disclosed_externally": False,
    }
    made = _over_and_at(
        lambda b: api.post(url, json=b), body, "description", text_limit(Disclosure.description)
    )
    _over_and_at(
        lambda b: api.post(url, json=b),
        {**body, "description": "d"},
        "title",
        text_limit(Disclosure.title),
    )
    lawyer = api_as(world.users["lawyer"])
    decide = f"/api/v1/disclosures/{made['id']}/decision"
    _over_and_at(
        lambda b: lawyer.post(decide, json=b),
        {"decision": "reject"},
        "note",
        text_limit(Disclosure.reviewer_note),
    )


def test_ndas(world, api_as):
    api = api_as(world.users["lawyer"])
    asset = _asset(world)
    body = {
        "partner_id": world.partner.id,
        "signed_on": "2026-01-10",
        "effective_on": "2026-01-15",
        "expires_on": "2028-01-14",
        "asset_ids": [asset.id],
        "status": "active",
    }
    url = f"/api/v1/projects/{world.project.id}/ndas"
    _over_and_at(lambda b: api.post(url, json=b), body, "purpose", text_limit(Nda.purpose))


def test_sessions(world, api_as):
    api = api_as(world.users["lawyer"])
    url = f"/api/v1/projects/{world.project.id}/sessions"
    body = {"held_on": "2026-10-01", "duration_minutes": 60}
    _over_and_at(
        lambda b: api.post(url, json=b), body, "advice", text_limit(AdvisorySession.advice)
    )
    _over_and_at(
        lambda b: api.post(url, json=b),
        body,
        "privileged_notes",
        text_limit(AdvisorySession.privileged_notes),
    )
    over = api.post(url, json={**body, "attendees": ["a" * (LIST_ITEM_MAX + 1)]})
    assert over.status_code == 422
    assert api.post(url, json={**body, "attendees": ["a" * LIST_ITEM_MAX]}).status_code == 201


def test_reviews(world, api_as, make_user):
    api = api_as(world.users["lawyer"])
    answers = {f["code"]: f["choices"][0]["code"] for f in risk.catalogue()["factors"]}
    url = f"/api/v1/projects/{world.project.id}/risk-reviews"
    made = _over_and_at(
        lambda b: api.post(url, json=b),
        {"answers": answers},
        "summary",
        text_limit(RiskReview.summary),
    )
    draft = api.post(url, json={"answers": {}, "status": "draft"}).get_json()
    _over_and_at(
        lambda b: api.patch(f"/api/v1/risk-reviews/{draft['id']}", json=b),
        {},
        "summary",
        text_limit(RiskReview.summary),
    )
    second = make_user("lawyer")
    world.project.lawyers.append(second)
    db.session.flush()
    decide = f"/api/v1/risk-reviews/{made['id']}/decision"
    _over_and_at(
        lambda b: api_as(second).post(decide, json=b),
        {"decision": "reject"},
        "conditions",
        text_limit(RiskReview.conditions),
    )


def test_transfers(world, api_as):
    asset = _asset(world)
    api = api_as(world.users["company"])
    body = {
        "partner_id": world.partner.id,
        "asset_ids": [asset.id],
        "attachment_ids": [],
        "channel": "secure_platform",
        "planned_on": "2026-12-01",
    }
    url = f"/api/v1/projects/{world.project.id}/transfers"
    _over_and_at(
        lambda b: api.post(url, json=b), body, "purpose", text_limit(TransferRequest.purpose)
    )


def test_accounts_and_token(world, api_as, client):
    api = api_as(world.users["admin"])
    zone = {"code": "Z-LIM", "name_ko": "시험"}
    _over_and_at(
        lambda b: api.post("/api/v1/zones", json=b), zone, "name_en", text_limit(Zone.name_en)
    )
    org = {"kind": "partner", "country": "DE"}
    _over_and_at(
        lambda b: api.post("/api/v1/organizations", json=b),
        org,
        "name",
        text_limit(Organization.name),
    )
    user = {"email": "lim@example.test", "role": "auditor", "password": "correct horse battery 9"}
    _over_and_at(lambda b: api.post("/api/v1/users", json=b), user, "name", text_limit(User.name))
    token = {"email": world.users["admin"].email}
    over = client.post(
        "/api/v1/auth/token", json={**token, "password": "p" * (MAX_INPUT_LENGTH + 1)}
    )
    assert over.status_code == 422 and "password" in over.get_json()["errors"]
    at = client.post("/api/v1/auth/token", json={**token, "password": "p" * MAX_INPUT_LENGTH})
    assert at.status_code == 401  # accepted by the schema, refused as a wrong password


def test_audit_filter(world, api_as):
    api = api_as(world.users["auditor"])
    limit = text_limit(AuditEvent.action)
    assert api.get(f"/api/v1/audit?action={'a' * (limit + 1)}").status_code == 422
    assert api.get(f"/api/v1/audit?action={'a' * limit}").status_code == 200
