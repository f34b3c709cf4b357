"""The SQL statement budget: each list and detail runs a fixed, small number of statements
whatever the number of rows it shows. One table to extend: add a row for every new list or
detail, the deadlines and the dashboards: who asks, the path, the most statements
allowed. The count includes signing the request in (token and user lookups) and, in the
suite, the SAVEPOINT and RELEASE around each request (BEGIN and COMMIT in production)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support import (
    PLANNED,
    approved_review,
    day,
    make_disclosure,
    make_session,
    moment,
    statements,
)
from tracker.attachments import crypto
from tracker.attachments.models import Attachment, AttachmentVersion
from tracker.audit.service import record
from tracker.auth.models import Passkey
from tracker.auth.notifications import notify
from tracker.cases import search
from tracker.cases.assets.models import AssetDeadline, IpAsset
from tracker.cases.filings.models import Filing, FilingDeadlineRow, FilingEvent
from tracker.cases.ndas.models import Nda
from tracker.cases.portfolio import listing
from tracker.cases.reviews.models import RiskReview
from tracker.db import db
from tracker.keys import current as key_ring
from tracker.transfers.models import TransferRequest

#: (role, path, the most statements allowed); {p} the world's project, {a} an asset, {n} an
#: NDA, {t} a transfer request, {r} a risk review, {f} a filing of {a}
BUDGET: list[tuple[str, str, int]] = [
    # the project list: the page's rows in one statement, their partners and lawyers in
    # another; the total is counted only when the page does not show the end of the list
    ("admin", "/api/v1/projects?per_page=200", 5),
    ("lawyer", "/api/v1/projects?per_page=200", 5),
    ("company", "/api/v1/projects?per_page=200&risk_level=low", 5),
    ("admin", "/api/v1/projects?per_page=1", 6),
    ("company", "/api/v1/projects?per_page=1&risk_level=low", 6),
    # a text search: how common the words are, the page, then (a full page) the total
    # counted up to 1,000 hits (estimated beyond)
    ("operator", "/api/v1/projects?per_page=200&q=budgetword", 6),
    ("operator", "/api/v1/projects?per_page=1&q=budgetword", 7),
    ("lawyer", "/api/v1/projects/{p}", 9),
    # assets load their derived (docketing) deadlines too: one statement more
    ("lawyer", "/api/v1/projects/{p}/assets?per_page=200", 11),
    ("lawyer", "/api/v1/assets/{a}", 10),
    # filings load their deadlines and events alongside (one statement each)
    ("lawyer", "/api/v1/assets/{a}/filings?per_page=200", 11),
    ("company", "/api/v1/filings/{f}", 10),
    ("auditor", "/api/v1/filings/{f}/events?per_page=200", 10),
    ("admin", "/api/v1/ndas?per_page=200", 7),
    # the portfolio, lean: the page's ids, their count, the page's columns; a whole asset's
    # owners and deadlines together in one statement
    ("admin", "/api/v1/assets?per_page=200&sort=next_due_on", 6),
    ("lawyer", "/api/v1/assets?per_page=200&kind=data", 6),
    ("auditor", "/api/v1/assets?per_page=200&sort=-next_due_on", 6),
    # an operator's: the limited fields (no owners, no deadlines), from the zone's index
    ("operator", "/api/v1/assets?per_page=200", 7),
    ("operator", "/api/v1/assets?per_page=200&sort=-kind", 7),
    ("company", "/api/v1/assets?per_page=200&sensitivity=public", 6),
    # a text search: the page's ids with their total beside them (one statement: the hits
    # read once), the page's columns, then a whole asset's owners and deadlines (one); in
    # everyone's scope, first how common the words are (remembered a minute per process:
    # counted here as a first request; a common word walked: `WALKED` below)
    ("admin", "/api/v1/assets?per_page=200&q=budgetasset", 7),
    ("lawyer", "/api/v1/assets?per_page=200&q=budgetasset&sort=-next_due_on", 6),
    ("operator", "/api/v1/assets?per_page=200&q=budgetasset", 6),
    ("html:lawyer", "/assets?q=budgetasset", 8),
    ("auditor", "/api/v1/risk-reviews?per_page=200&sort=-score", 7),
    ("lawyer", "/api/v1/risk-reviews?per_page=200", 7),
    ("operator", "/api/v1/risk-reviews?per_page=200&status=approved", 7),
    ("company", "/api/v1/risk-reviews?per_page=200&level=low", 7),
    ("html:lawyer", "/risk-reviews", 9),
    ("html:lawyer", "/assets", 9),
    ("html:operator", "/assets?sort=-title", 9),
    ("html:admin", "/risk-reviews?sort=valid_until", 9),
    ("html:auditor", "/assets?sort=-next_due_on", 9),
    ("admin", "/api/v1/ndas?expiring_within_days=400&per_page=200", 7),
    ("lawyer", "/api/v1/projects/{p}/ndas?per_page=200", 9),
    ("lawyer", "/api/v1/ndas/{n}", 8),
    ("auditor", "/api/v1/transfers?per_page=200", 10),
    ("auditor", "/api/v1/transfers/{t}", 10),
    # reviews name their author and decider (other lawyers each time) from their own row
    ("lawyer", "/api/v1/projects/{p}/risk-reviews?per_page=200", 10),
    ("operator", "/api/v1/risk-reviews/{r}", 7),
    ("html:company", "/projects/{p}/reviews", 10),
    ("html:lawyer", "/reviews/{r}", 12),
    # the readable trail: actors joined and the head row's number (the total) read beside
    # the page, one statement for every label of the page
    ("auditor", "/api/v1/audit?per_page=200", 6),
    ("admin", "/api/v1/audit?per_page=200&sort=-actor", 6),
    ("html:auditor", "/audit", 7),
    # the project list: a browser session and its user in one statement; the header's counts
    # carried by the statement of the filter's zones; the page in one statement
    ("html:lawyer", "/projects", 6),
    # search across records: the page and its total (estimated beyond 1,000 hits) in one
    # statement over the newest hits
    ("lawyer", "/api/v1/search?q=budgetword&per_page=2", 5),
    ("admin", "/api/v1/search?q=budgetword", 5),
    ("html:company", "/search?q=budgetword&per_page=2", 7),
    ("html:admin", "/projects?q=budgetword", 7),
    # the project page: a browser session and its user in one statement; on PostgreSQL the
    # project's partners and lawyers are joined to it (two fewer there); the header's counts
    # carried by the project's statement
    ("html:admin", "/projects/{p}", 10),
    # a lawyer sees the follow-ups and the waiting items too
    ("html:lawyer", "/projects/{p}", 11),
    # the project's recent activity, on its own page
    ("html:lawyer", "/projects/{p}/activity", 12),
    ("html:lawyer", "/projects?sort=-status", 6),
    ("lawyer", "/api/v1/projects?per_page=200&sort=-created_at", 5),
    # a record's page lists its files: their versions are one statement more once it has
    # some (the budget's records have files since issue 19)
    ("html:lawyer", "/ndas/{n}", 11),
    # the asset's page shows its family: its filings, their deadlines, their events (3 more)
    ("html:company", "/assets/{a}", 16),
    # pages: the header's waiting and unread counts are one statement (issue 19: +1 for roles
    # without a queue); the dashboard's `unread_notifications` one more
    ("lawyer", "/api/v1/deadlines?within_days=30", 6),
    ("company", "/api/v1/deadlines", 6),
    # the API's dashboard: +1 on PostgreSQL, the committed state asked before it is computed
    # (`KeptWhileUnchanged`; SQLite asks a connection of its own, not the engine's)
    ("operator", "/api/v1/dashboard", 10),
    ("lawyer", "/api/v1/dashboard", 11),
    ("company", "/api/v1/dashboard", 9),
    ("admin", "/api/v1/dashboard", 9),
    # notifications: one page, one statement for every label of the page
    ("company", "/api/v1/notifications?per_page=200", 7),
    # the start page also lists the projects its quick actions may start in (+1)
    ("html:company", "/", 19),
    # the operator's start page: the zone's deadlines (each source read only as far as the
    # page shows), queues, heat map and expiring NDAs
    ("html:operator", "/", 14),
    ("auditor", "/api/v1/dashboard", 9),
    # the lawyer's and the admin's start pages (issue 20, `opdash`: the zone's and everyone's
    # heat map from the stored levels, the queues' counts of their own)
    ("html:lawyer", "/", 15),
    ("html:admin", "/", 15),
    # the second factor's page lists the account's passkeys
    ("html:lawyer", "/account/second-factor", 8),
    # sorted lists (issue 19): one of each; a disclosure list also records that it was read
    ("lawyer", "/api/v1/ndas?per_page=200&sort=partner", 8),
    ("html:company", "/projects/{p}/ndas?sort=-signed_on", 10),
    ("lawyer", "/api/v1/deadlines?sort=-title", 6),
    ("html:lawyer", "/deadlines?sort=project", 8),
    ("auditor", "/api/v1/transfers?per_page=200&sort=-project", 8),
    ("html:company", "/transfers?sort=-status", 11),
    ("html:operator", "/zone?sort=-planned_on", 14),
    # the sorted disclosure lists run one statement more on PostgreSQL than on SQLite
    ("company", "/api/v1/projects/{p}/disclosures?per_page=200&sort=title", 14),
    ("html:lawyer", "/projects/{p}/disclosures?sort=-conceived_on", 16),
    ("lawyer", "/api/v1/projects/{p}/sessions?per_page=200&sort=-duration_minutes", 9),
    ("html:company", "/projects/{p}/sessions?sort=held_on", 9),
    ("auditor", "/api/v1/audit?per_page=200&sort=actor", 6),
    ("html:lawyer", "/audit?sort=-action", 8),
    # the admin's lists, sorted: an account's organisation and zone joined in its one
    # statement; the accounts page also lists the organisations and zones its form offers (+2)
    ("html:admin", "/admin/users?sort=-organization", 8),
    ("html:auditor", "/admin/organizations?sort=country", 6),
    ("html:admin", "/admin/zones?sort=-industry", 6),
    # a project's files: the page, its count, the versions (with their uploaders) and one
    # statement naming every record the files belong to (issue 19)
    ("html:auditor", "/projects/{p}/files", 10),
    ("html:company", "/projects/{p}/files?sort=-filename", 10),
    # a project's assets and risk reviews, sorted (an operator by a column they see)
    ("html:lawyer", "/projects/{p}/assets?sort=-next_due_on", 12),
    ("html:operator", "/projects/{p}/assets?sort=sensitivity", 11),
    ("html:company", "/projects/{p}/reviews?sort=-level", 9),
    ("html:lawyer", "/projects/{p}/reviews?sort=valid_until", 10),
    # issue 20, the audit list at scale: the whole trail counted by the head row; a filtered
    # one (a lawyer's own events) counted up to 1,000 in one statement; labels in one UNION
    ("lawyer", "/api/v1/audit?per_page=200", 6),
    ("auditor", "/api/v1/audit?per_page=200&action=test.grow&sort=-at", 6),
    ("html:auditor", "/audit", 9),
    ("html:auditor", "/audit?action=test.grow", 8),
    # the request lists, lean: count, the page's ids, its columns, its files and assets (a
    # project's list also loads the project and its lawyers for the 404 check)
    ("auditor", "/api/v1/transfers/ledger?per_page=200", 6),
    ("company", "/api/v1/projects/{p}/transfers?per_page=200", 9),
    ("html:auditor", "/transfers/ledger", 9),
]


def _grow(world: Any, make_project: Any, make_org: Any, make_user: Any, n: int) -> None:
    """n more rows in every list the table shows."""
    lawyer = world.users["lawyer"]
    for i in range(n):
        db.session.add(
            approved_review(
                world.project,
                make_user("lawyer").id,
                reviewer_id=make_user("lawyer").id,
                valid_until=day(180 - i),
            )
        )
        project = make_project(
            zone=world.zone,
            company=world.company,
            lawyers=[lawyer],
            partners=[make_org("partner"), make_org("partner")],
            title=f"budgetword {i}",
        )
        search.index_record("project", project.id, project.id, "project.view", project.title)
        db.session.add(approved_review(project, world.users["admin"].id))
        asset = IpAsset(
            project=world.project,
            title=f"A{i}",
            kind="data",
            sensitivity="public",
            jurisdictions=["KR"],
            # the dashboards' licence expiries and NCT reviews grow too
            export_licence_until=day(40 + i),
            nct_filed_on=day(-10 - i),
        )
        asset.deadlines = [AssetDeadline(kind="other", due_on=day(30 + i))]
        nda = Nda(
            project=world.project,
            partner=world.partner,
            status="active",
            signed_on=day(-300),
            effective_on=day(-300),
            expires_on=day(20 + i),
        )
        nda.assets = [asset]
        db.session.add_all([asset, nda])
        db.session.flush()
        search.index_record(
            "asset", asset.id, world.project.id, "asset.view", f"budgetasset {i}", title=asset.title
        )
        transfer = TransferRequest(
            project=world.project,
            partner=world.partner,
            purpose="Joint test",
            channel="secure_platform",
            planned_on=PLANNED,
            status="pending_review",
            checks=[],
            requested_by_id=world.users["company"].id,
        )
        transfer.assets = [asset]
        db.session.add(transfer)
        db.session.flush()
        _grow_files(world, {"asset": asset.id, "nda": nda.id, "transfer": transfer.id, None: None})
        # notices of two record types: one statement labels them all
        notify(world.users["company"].id, "transfer_decided", transfer, world.project.id)
        notify(world.users["company"].id, "assigned_to_project", project, project.id)
        record("test.grow", project)
        db.session.flush()
        _grow_family(world)
        # the project's disclosures and advisory sessions (their sorted lists)
        make_disclosure(world.project, world.users["company"], title=f"Idea {i}")
        make_session(world.project, lawyer, duration_minutes=30 + i)
        # accounts with an organisation or a zone of their own (the admin's lists)
        make_user("company")
        make_user("operator")
        db.session.add(
            Passkey(
                user_id=lawyer.id,
                credential_id=f"k{i}-{project.id}".encode(),
                public_key=b"-",
                name=f"key {i}",
            )
        )
    db.session.flush()


def _grow_files(world: Any, owners: dict[str | None, int | None]) -> None:
    """One ready file of each record (None: of the project), as an upload leaves its row
    (the blob itself is never read: the lists only unseal the digest)."""
    for record_type, record_id in owners.items():
        dek, version_uuid = crypto.new_dek(), uuid.uuid4()
        kek_id, wrapped = crypto.wrap_dek(key_ring(), dek, version_uuid)
        attachment = Attachment(
            project_id=world.project.id,
            record_type=record_type,
            record_id=record_id,
            filename=f"{record_type or 'project'}.pdf",
            current_version=1,
        )
        attachment.versions = [
            AttachmentVersion(
                number=1,
                filename=attachment.filename,
                size=1000,
                content_type="application/pdf",
                ciphertext_sha256="0" * 64,
                uuid=str(version_uuid),
                plaintext_sha256_sealed=crypto.seal_digest(dek, version_uuid, bytes(32)),
                kek_id=kek_id,
                wrapped_dek=wrapped,
                blob_name=uuid.uuid4().hex,
                state="ready",
                uploaded_by_id=world.users["lawyer"].id,
                ready_at=moment(0),
            )
        ]
        db.session.add(attachment)


def _grow_family(world: Any) -> None:
    """One more filing (with a deadline and an event) of the asset the paths name."""
    first = db.session.query(IpAsset).filter_by(project_id=world.project.id).order_by(IpAsset.id)
    filing = Filing(asset=first.first(), office="KR", route="first", filed_on=day(-900))
    filing.deadlines = [
        FilingDeadlineRow(
            key="annuity:KR:4",
            kind="ip_annuity",
            due_on=day(30),
            grace_until=day(210),
            rule="annuity.kr@test",
            office="KR",
        )
    ]
    filing.events = [FilingEvent(kind="office_action", on=day(-300))]
    db.session.add(filing)


def _ids(world: Any) -> dict[str, int]:
    return {
        "p": world.project.id,
        "a": db.session.query(IpAsset.id).filter_by(project_id=world.project.id).first()[0],
        "f": db.session.query(Filing.id).order_by(Filing.id).first()[0],
        "n": db.session.query(Nda.id).filter_by(project_id=world.project.id).first()[0],
        "t": _first_transfer(),
        "r": db.session.query(RiskReview.id).filter_by(project_id=world.project.id).first()[0],
    }


def _first_transfer() -> int:
    return db.session.query(TransferRequest.id).order_by(TransferRequest.id).first()[0]


@pytest.mark.parametrize(("role", "path", "budget"), BUDGET)
def test_statements_stay_fixed_and_within_budget(
    world, make_project, make_org, make_user, api_as, browser_as, role, path, budget
):
    if role.startswith("html:"):
        client = browser_as(world.users[role[5:]])
    else:
        client = api_as(world.users[role])
    _grow(world, make_project, make_org, make_user, 1)
    url = path.format(**_ids(world))

    def run() -> int:
        search._walked.clear()  # a first request in its process: the most statements
        listing._estimates.clear()
        with statements() as seen:
            response = client.get(url)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return len(seen)

    few = run()
    _grow(world, make_project, make_org, make_user, 5)
    many = run()
    assert many == few, f"{url}: {few} statements with few rows, {many} with more"
    assert many <= budget, f"{url}: {many} statements, the budget is {budget}"


#: a common word in everyone's scope, each asset walked (`search.walks_assets`): how common the
#: words are (a first request in its process), the page, its total from a sample of the newest
#: hits, then, only where the sample's estimate is too small to trust, the hits listed and
#: counted (`trusted`: the sample's threshold); then the page's columns and a whole asset's
#: owners and deadlines (one statement). Who asks, the path, the threshold, the budget. A next
#: request in the same process within a minute remembers how common the words are and a trusted
#: sample's estimate (one or two statements fewer).
WALKED: list[tuple[str, str, int, int]] = [
    ("admin", "/api/v1/assets?per_page=2&q=budgetasset", 0, 8),
    ("admin", "/api/v1/assets?per_page=2&q=budgetasset", 10**9, 9),
    ("auditor", "/api/v1/assets?per_page=2&q=budgetasset&sort=-next_due_on", 0, 8),
    ("html:admin", "/assets?per_page=2&q=budgetasset", 0, 9),
]


@pytest.mark.parametrize(("role", "path", "trusted", "budget"), WALKED)
def test_a_walked_word_stays_fixed_and_within_budget(
    world, make_project, make_org, make_user, api_as, browser_as, monkeypatch,
    role, path, trusted, budget,
):  # fmt: skip
    monkeypatch.setattr(search, "WALK_HITS", 1)
    monkeypatch.setattr(search, "SAMPLE_HITS", 1)
    monkeypatch.setattr(search, "SAMPLE_TRUSTED", trusted)
    if role.startswith("html:"):
        client = browser_as(world.users[role[5:]])
    else:
        client = api_as(world.users[role])
    _grow(world, make_project, make_org, make_user, 3)

    def run(first: bool) -> int:
        if first:
            search._walked.clear()
            listing._estimates.clear()
        with statements() as seen:
            response = client.get(path)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return len(seen)

    few = run(first=True)
    _grow(world, make_project, make_org, make_user, 5)
    many = run(first=True)
    assert many == few, f"{path}: {few} statements with few rows, {many} with more"
    assert many <= budget, f"{path}: {many} statements, the budget is {budget}"
    # the next request in the process remembers how common the words are, and the sample's
    # estimate where it was trusted (`listing._estimates`): its statement is not run again
    assert run(first=False) == many - (2 if trusted == 0 else 1)
