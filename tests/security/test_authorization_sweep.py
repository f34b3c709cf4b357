"""Authorization sweep: every rule of `app.url_map` x method x role (admin, lawyer, company,
operator, auditor, anonymous) x object in / out of the user's scope, against ONE expectation
table written from the permission matrix (DESIGN section 3, `tracker.policy.RULES`).

Adding a route? Add one row to `EXPECTED` below: `"endpoint": {"METHOD": rule, ...}` where
`rule` is
  - an action of `tracker.policy.RULES` (the roles it lists may; the others get 403; an object
    outside the user's scope answers 404 first), or
  - a tuple of actions (any one of them suffices), or
  - PUBLIC (no sign-in needed), SIGNED_IN (any signed-in user; lists filter in SQL), OWNER
    (a record of the world's company user alone, such as a notification: others 404),
    OWN_LAWYER (a record of the in-scope lawyer's own, such as a passkey: 404 to the others) or
    AFTER_PASSWORD (the second factor: without a pending sign-in, everyone goes to /login).
Path arguments are filled from `tests.support.ROUTE_ARGS` (add one when a route takes a new
kind of id); the object is out of scope for an outsider whenever the path names a record of
a project.
Endpoints that end the caller's session (sign-out, token revocation) are also listed in
`ENDS_SESSION`. A route missing from the table, or a table row naming no route, fails the test.

Every refused write (401/403/404, or the sign-in redirect) must leave the database unchanged:
all tables are dumped before and after and compared (the refusal's own audit event aside).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.support import TEST_PASSWORD, ApiClient, csrf_token, route_path, sign_in
from tracker.auth import service as auth_service
from tracker.db import db
from tracker.policy import RULES

PUBLIC = "public"
SIGNED_IN = "signed-in"
AFTER_PASSWORD = "after-password"  # the second step of signing in: back to /login without a first
AUDIT_READERS = ("audit.view", "audit.view_own")
SECRET_URL = "secret-url"  # public, but only with a live secret in the path: 404 for a made-up one
ZONE_REPORT = "zone-report"  # report.zone_pdf; an operator of another zone does not learn of it
OWNER = "owner"  # the company user's own notification: everyone else gets 404
OWN_LAWYER = "own-lawyer"  # a record of the in-scope lawyer's own (a passkey): 404 to the others

# fmt: off
#: endpoint -> method -> who may (see the module docstring)
EXPECTED: dict[str, dict[str, Any]] = {
    # public and account pages
    "static":                          {"GET": PUBLIC},
    "attachments.static":              {"GET": SIGNED_IN},
    "main.index":                      {"GET": SIGNED_IN},
    # a quick "new" action of the start page: 400 without one; the target's own rule decides
    "dashboard.quick_new":             {"GET": SIGNED_IN},
    "main.set_language":               {"POST": PUBLIC},
    "auth.login":                      {"GET": PUBLIC, "POST": PUBLIC},
    "auth.login_totp":                 {"GET": AFTER_PASSWORD, "POST": AFTER_PASSWORD},
    "auth.logout":                     {"POST": SIGNED_IN},
    "auth.account":                    {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "auth.sign_out_everywhere":        {"POST": SIGNED_IN},
    "auth.invitation":                 {"GET": SECRET_URL, "POST": SECRET_URL},
    # the second factor: enrolment, recovery codes, passkeys
    "mfa.enrol":                       {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "mfa.recovery_codes":              {"POST": SIGNED_IN},
    "mfa.passkey_options":             {"POST": SIGNED_IN},
    "mfa.passkey_register":            {"POST": SIGNED_IN},
    "mfa.passkey_remove":              {"POST": OWN_LAWYER},
    "mfa.login_passkey_options":       {"POST": AFTER_PASSWORD},
    "mfa.login_passkey":               {"POST": AFTER_PASSWORD},
    # administration
    "admin.organizations":             {"GET": "accounts.view", "POST": "accounts.manage"},
    "admin.organization_edit":         {"GET": "accounts.manage", "POST": "accounts.manage"},
    "admin.users":                     {"GET": "accounts.view", "POST": "accounts.manage"},
    "admin.user_edit":                 {"GET": "accounts.manage", "POST": "accounts.manage"},
    "admin.user_invitation":           {"POST": "accounts.manage"},
    "admin.zones":                     {"GET": "accounts.view", "POST": "accounts.manage"},
    "audit.audit_list":                {"GET": AUDIT_READERS},
    # projects
    "projects.project_list":           {"GET": SIGNED_IN},
    "search.search_page":              {"GET": SIGNED_IN},
    "projects.project_new":            {"GET": "project.create", "POST": "project.create"},
    "projects.project_detail":         {"GET": "project.view"},
    "projects.project_activity":       {"GET": AUDIT_READERS},
    "projects.project_edit":           {"GET": "project.edit", "POST": "project.edit"},
    # IP assets
    "assets.asset_list":               {"GET": "asset.view"},
    "assets.asset_new":                {"GET": "asset.edit", "POST": "asset.edit"},
    "assets.asset_detail":             {"GET": "asset.view"},
    "assets.asset_edit":               {"GET": "asset.edit", "POST": "asset.edit"},
    "filings.filing_new":              {"GET": "filing.edit", "POST": "filing.edit"},
    "filings.filing_edit":             {"GET": "filing.edit", "POST": "filing.edit"},
    "filings.event_new":               {"GET": "filing.edit", "POST": "filing.edit"},
    "filings.deadline_done":           {"POST": "filing.edit"},
    "filing_import.import_page":       {"GET": "filing.edit"},
    "filing_import.import_check":      {"POST": "filing.edit"},
    # disclosures
    "disclosures.disclosure_list":     {"GET": "disclosure.read"},
    "disclosures.disclosure_new":      {"GET": "disclosure.file", "POST": "disclosure.file"},
    "disclosures.disclosure_detail":   {"GET": "disclosure.read"},
    "disclosures.disclosure_edit":     {"GET": "disclosure.file", "POST": "disclosure.file"},
    "disclosures.disclosure_decide":   {"POST": "disclosure.decide"},
    # NDAs
    "ndas.nda_list":                   {"GET": "nda.view"},
    "ndas.nda_new":                    {"GET": "nda.draft", "POST": "nda.draft"},
    "ndas.nda_detail":                 {"GET": "nda.view"},
    # the NDA of `records` is active: only lawyers edit it (company staff edit drafts)
    "ndas.nda_edit":                   {"GET": "nda.edit", "POST": "nda.edit"},
    # risk reviews
    "reviews.review_list":             {"GET": "review.view_result"},
    "reviews.review_new":              {"GET": "review.write", "POST": "review.write"},
    "reviews.review_detail":           {"GET": "review.view_result"},
    "reviews.review_decide":           {"POST": "review.decide"},
    "reviews.review_edit":             {"GET": "review.write", "POST": "review.write"},
    "reviews.review_delete":           {"POST": "review.write"},
    # advisory sessions
    "sessions.session_list":           {"GET": "session.view_advice"},
    "sessions.session_new":            {"GET": "session.write", "POST": "session.write"},
    "sessions.session_detail":         {"GET": "session.view_advice"},
    "sessions.session_edit":           {"GET": "session.write", "POST": "session.write"},
    "sessions.follow_up_done":         {"POST": "session.write"},
    # attachments
    "attachments.project_attachments": {"GET": "project.view"},
    "attachments.upload":              {"POST": "attachment.upload"},
    "attachments.download":            {"GET": "attachment.download"},
    # data-sharing requests
    "transfers.transfer_list":         {"GET": "transfer.view"},
    "transfers.ledger":                {"GET": "transfer.view"},
    "transfers.zone_overview":         {"GET": "transfer.decide"},  # the operator's desk
    "transfers.zone_recheck":          {"POST": "transfer.decide"},
    # deadlines, calendar, dashboards, documents (issues 9 and 10)
    "main.api_reference":              {"GET": SIGNED_IN},
    "deadlines.deadline_list":         {"GET": SIGNED_IN},
    "deadlines.calendar_issue":        {"POST": SIGNED_IN},
    "deadlines.calendar_revoke":       {"POST": SIGNED_IN},
    "deadlines.calendar_feed":         {"GET": SECRET_URL},
    "assets.derived_done":             {"POST": "asset.edit"},
    "audit.history":                   {"GET": AUDIT_READERS},
    "api_deadlines.list_deadlines":    {"GET": SIGNED_IN},
    "api_deadlines.issue_calendar":    {"POST": SIGNED_IN},
    "api_deadlines.revoke_calendar":   {"DELETE": SIGNED_IN},
    "api_dashboard.dashboard":         {"GET": SIGNED_IN},
    # notifications (issue 19): each user's own
    "dashboard.read_notification":     {"POST": OWNER},
    "dashboard.read_all_notifications": {"POST": SIGNED_IN},
    "api_notifications.list_notifications": {"GET": SIGNED_IN},
    "api_notifications.read_notification": {"POST": OWNER},
    "api_notifications.read_all_notifications": {"POST": SIGNED_IN},
    "api_reports.zone_report":         {"GET": ZONE_REPORT},
    "api_reports.evidence_pack":       {"GET": "asset.evidence_pack"},
    "transfers.project_transfers":     {"GET": "transfer.view", "POST": "transfer.request"},
    "transfers.transfer_detail":       {"GET": "transfer.view"},
    "transfers.decide":                {"POST": "transfer.decide"},
    "transfers.recheck":               {"POST": "transfer.request"},
    # --- API ---
    "api-docs.openapi_json":           {"GET": PUBLIC},
    "api_health.health":               {"GET": PUBLIC},
    "api_auth.issue_token":            {"POST": PUBLIC},
    "api_auth.revoke_token":           {"DELETE": SIGNED_IN},
    "api_auth.me":                     {"GET": SIGNED_IN},
    "api_auth.patch_me":               {"PATCH": SIGNED_IN},  # one's own time zone, language
    # the account API is the admin's (auditors read accounts on the admin pages)
    "api_accounts.list_users":         {"GET": "accounts.manage"},
    "api_accounts.create_user":        {"POST": "accounts.manage"},
    "api_accounts.get_user":           {"GET": "accounts.manage"},
    "api_accounts.update_user":        {"PATCH": "accounts.manage"},
    "api_accounts.invite_user":        {"POST": "accounts.manage"},
    "api_accounts.list_organizations": {"GET": SIGNED_IN},  # GET for all signed in
    "api_accounts.create_organization": {"POST": "accounts.manage"},
    "api_accounts.get_organization":   {"GET": SIGNED_IN},  # as the list
    "api_accounts.update_organization": {"PATCH": "accounts.manage"},
    "api_accounts.list_zones":         {"GET": SIGNED_IN},
    "api_accounts.create_zone":        {"POST": "accounts.manage"},
    "api_audit.list_audit_events":     {"GET": AUDIT_READERS},
    "api_projects.list_projects":      {"GET": SIGNED_IN},
    "api_search.search_records":       {"GET": SIGNED_IN},
    "api_projects.create_project":     {"POST": "project.create"},
    "api_projects.get_project":        {"GET": "project.view"},
    "api_projects.update_project":     {"PATCH": "project.edit"},
    "api_assets.list_assets":          {"GET": "asset.view"},
    "api_assets.create_asset":         {"POST": "asset.edit"},
    "api_assets.get_asset":            {"GET": "asset.view"},
    "api_assets.update_asset":         {"PATCH": "asset.edit"},
    "api_assets.list_portfolio_assets": {"GET": "asset.view"},
    "api_reviews.list_portfolio_reviews": {"GET": "review.view_result"},
    "portfolio.asset_portfolio":       {"GET": "asset.view"},
    "portfolio.review_portfolio":      {"GET": "review.view_result"},
    "api_filings.list_filings":        {"GET": "filing.view"},
    "api_filings.create_filing":       {"POST": "filing.edit"},
    "api_filings.get_filing":          {"GET": "filing.view"},
    "api_filings.update_filing":       {"PATCH": "filing.edit"},
    "api_filings.delete_filing":       {"DELETE": "filing.edit"},
    "api_filings.list_events":         {"GET": "filing.view"},
    "api_filings.create_event":        {"POST": "filing.edit"},
    "api_filing_import.import_docket": {"POST": "filing.edit"},
    "api_disclosures.list_disclosures": {"GET": "disclosure.read"},
    "api_disclosures.file_disclosure": {"POST": "disclosure.file"},
    "api_disclosures.get_disclosure":  {"GET": "disclosure.read"},
    "api_disclosures.resubmit_disclosure": {"PATCH": "disclosure.file"},
    "api_disclosures.decide_disclosure": {"POST": "disclosure.decide"},
    "api_ndas.list_all_ndas":          {"GET": SIGNED_IN},
    "api_ndas.list_ndas":              {"GET": "nda.view"},
    "api_ndas.create_nda":             {"POST": "nda.draft"},
    "api_ndas.get_nda":                {"GET": "nda.view"},
    "api_ndas.update_nda":             {"PATCH": "nda.draft"},
    "api_reviews.risk_factors":        {"GET": SIGNED_IN},
    "api_reviews.list_reviews":        {"GET": "review.view_result"},
    "api_reviews.submit_review":       {"POST": "review.write"},
    "api_reviews.get_review":          {"GET": "review.view_result"},
    "api_reviews.decide_review":       {"POST": "review.decide"},
    "api_reviews.update_draft":        {"PATCH": "review.write"},
    "api_reviews.delete_draft":        {"DELETE": "review.write"},
    "api_sessions.list_sessions":      {"GET": "session.view_advice"},
    "api_sessions.record_session":     {"POST": "session.write"},
    "api_sessions.get_session":        {"GET": "session.view_advice"},
    "api_sessions.update_session":     {"PATCH": "session.write"},
    "api_sessions.set_follow_up_done": {"PATCH": "session.write"},
    "api_attachments.list_attachments": {"GET": "project.view"},
    "api_attachments.upload_attachment": {"POST": "attachment.upload"},
    "api_attachments.get_attachment":  {"GET": "project.view"},
    "api_attachments.get_attachment_content": {"GET": "attachment.download"},
    "api_transfers.list_transfers":    {"GET": "transfer.view"},
    "api_transfers.transfer_ledger":   {"GET": "transfer.view"},
    "api_transfers.list_project_transfers": {"GET": "transfer.view"},
    "api_transfers.file_transfer":     {"POST": "transfer.request"},
    "api_transfers.get_transfer":      {"GET": "transfer.view"},
    "api_transfers.decide_transfer":   {"POST": "transfer.decide"},
    "api_transfers.recheck_transfer":  {"POST": "transfer.request"},
}
# fmt: on

#: endpoints after which the caller's session or token no longer works
ENDS_SESSION = {"auth.logout", "auth.sign_out_everywhere", "api_auth.revoke_token"}

#: endpoints that take multipart/form-data
MULTIPART = {
    "attachments.upload",
    "api_attachments.upload_attachment",
    "filing_import.import_check",
    "api_filing_import.import_docket",
}

#: what a refused request may change: its own audit event, the session's last-seen time
VOLATILE = {"audit_head": None, "user_sessions": {"last_seen_at"}}

PRINCIPALS = [(role, "in") for role in ("admin", "lawyer", "company", "operator", "auditor")]
PRINCIPALS += [(role, "out") for role in ("lawyer", "company", "operator")]
PRINCIPALS += [("anonymous", "-")]


def _roles(rule: Any) -> frozenset[str] | None:
    """The roles a rule allows (None: public)."""
    if rule in (PUBLIC, AFTER_PASSWORD, SECRET_URL):
        return None
    if rule == OWN_LAWYER:
        return frozenset({"lawyer"})
    if rule == ZONE_REPORT:
        return RULES["report.zone_pdf"]
    if rule in (SIGNED_IN, OWNER):
        return frozenset({"admin", "lawyer", "company", "operator", "auditor"})
    actions = (rule,) if isinstance(rule, str) else rule
    return frozenset().union(*(RULES[a] for a in actions))


def expected(rule: Any, role: str, scoped: bool, scope: str) -> str:
    """`ok` (the request passes authorization), `login`, `404` or `403`."""
    if rule == AFTER_PASSWORD:
        return "login"
    if rule == SECRET_URL:
        return "404"
    roles = _roles(rule)
    if roles is None:
        return "ok"
    if role == "anonymous":
        return "login"
    if rule == OWNER:
        return "ok" if (role, scope) == ("company", "in") else "404"
    if rule == OWN_LAWYER:
        return "ok" if (role, scope) == ("lawyer", "in") else "404"
    if rule == ZONE_REPORT:  # scoped by zone: only an operator has one
        out_of_zone = role == "operator" and scope == "out"
        return "404" if out_of_zone else ("ok" if role in roles else "403")
    if scoped and scope == "out":
        return "404"
    return "ok" if role in roles else "403"


def outcome(response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return f"5xx:{status}"
    if status == 401 or (
        status == 302 and response.headers.get("Location", "").startswith("/login")
    ):
        return "login"
    if status in (403, 404):
        return str(status)
    return "ok"


def _dump(connection: sa.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the refusal's own audit event and volatile columns aside)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in db.metadata.sorted_tables:
        volatile = VOLATILE.get(table.name, set())
        if volatile is None:
            continue
        cols = [c for c in table.columns if c.name not in volatile]
        stmt = sa.select(*cols)
        if table.name == "audit_events":
            stmt = stmt.where(table.c.action != "access.denied")
        rows = connection.execute(stmt).all()  # sorted here: PostgreSQL cannot order json
        out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def _cases(app: Flask) -> list[tuple[str, str, Any]]:
    seen, cases = set(), []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            seen.add((rule.endpoint, method))
            cases.append((rule, method, EXPECTED.get(rule.endpoint, {}).get(method)))
    missing = sorted(f"{e} {m}" for r, m, x in cases if x is None for e in [r.endpoint])
    assert not missing, f"routes missing from EXPECTED: {missing}"
    stale = sorted(
        f"{e} {m}" for e, methods in EXPECTED.items() for m in methods if (e, m) not in seen
    )
    assert not stale, f"EXPECTED rows naming no route: {stale}"
    # the session-ending endpoints go last, each with a fresh sign-in
    return sorted(cases, key=lambda c: (c[0].endpoint in ENDS_SESSION, c[0].rule, c[1]))


class Principal:
    """One role, signed in both ways: a browser session for pages, a bearer token for the API."""

    def __init__(self, app: Flask, user: Any) -> None:
        self.app, self.user = app, user
        self.browser = app.test_client()
        self.api: Any = self.browser
        self.csrf = csrf_token(self.browser)
        if user is not None:
            self.renew()

    def renew(self) -> None:
        self.browser = self.app.test_client()
        assert sign_in(self.browser, self.user.email, TEST_PASSWORD).status_code == 302
        self.csrf = csrf_token(self.browser, "/account")  # pages post with the session's token
        token, _row = auth_service.issue_token(self.user)
        db.session.commit()
        self.api = ApiClient(self.app.test_client(), token)

    def request(self, path: str, method: str, multipart: bool) -> Any:
        client = self.api if path.startswith("/api/") else self.browser
        kwargs: dict[str, Any] = {}
        if multipart:
            kwargs = {
                "data": {"csrf_token": self.csrf, "x": (io.BytesIO(b""), "")},
                "content_type": "multipart/form-data",
            }
        elif method != "GET" and path.startswith("/api/"):
            kwargs = {"json": {"unknown-field": True}}
        elif method != "GET":
            kwargs = {"data": {"csrf_token": self.csrf}}
        if isinstance(client, ApiClient):
            return getattr(client, method.lower())(path, **kwargs)
        return client.open(path, method=method, **kwargs)


def test_expected_table_names_real_actions() -> None:
    for methods in EXPECTED.values():
        for rule in methods.values():
            _roles(rule)  # an unknown action raises KeyError


def test_authorization_sweep(app: Flask, records: Any, record_property: Any) -> None:
    w = records
    principals = {}
    for role, scope in PRINCIPALS:
        user = None
        if role != "anonymous":
            user = w.outsiders[role] if scope == "out" else w.users[role]
        principals[(role, scope)] = Principal(app, user)

    checked, mismatches, unchanged_checked = 0, [], 0
    connection = db.session.connection()
    for rule, method, expectation in _cases(app):
        path, scoped = route_path(rule, w)
        for (role, scope), principal in principals.items():
            if rule.endpoint in ENDS_SESSION and principal.user is not None:
                principal.renew()
            want = expected(expectation, role, scoped, scope)
            # every write is undone afterwards, so one case cannot change the next one's world
            db.session.commit()  # no savepoint of the test's own session straddles this one
            savepoint = connection.begin_nested() if method != "GET" else None
            before = _dump(connection) if savepoint is not None else None
            response = principal.request(path, method, rule.endpoint in MULTIPART)
            got = outcome(response)
            response.close()  # a streamed answer (a static file) holds its file open
            if got == "login" and rule.endpoint in ENDS_SESSION and principal.user is not None:
                got = "ok"  # signing out lands on the sign-in page
            checked += 1
            if got != want:
                mismatches.append((rule.endpoint, method, role, scope, want, got))
            if savepoint is not None:
                if got in ("login", "403", "404"):
                    unchanged_checked += 1
                    after = _dump(connection)
                    if after != before:
                        changed = [t for t in after if after[t] != before.get(t)]
                        mismatches.append((rule.endpoint, method, role, scope, "same db", changed))
                savepoint.rollback()
                db.session.expire_all()
    # printed at the end of the run (tests/conftest.py), also under pytest-xdist
    record_property(
        "tally:authorization sweep",
        {
            "cases checked": checked,
            "endpoints": len(EXPECTED),
            "principals": len(principals),
            "refused writes compared": unchanged_checked,
            "mismatches": len(mismatches),
        },
    )
    assert not mismatches, "\n".join(map(str, mismatches))


def test_a_route_missing_from_the_table_fails_the_sweep() -> None:
    other = Flask("other")
    other.add_url_rule("/not-in-the-table", "reports.not_in_the_table", lambda: "")
    with pytest.raises(AssertionError, match="reports.not_in_the_table GET"):
        _cases(other)
