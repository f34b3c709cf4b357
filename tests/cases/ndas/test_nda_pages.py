"""An NDA's own page: what it shows, who may open it (`nda.view`) and edit it, its files and
history, and the pages that link to it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from babel.dates import format_date

from tests.support import (
    OUTSIDERS,
    ROLES,
    TODAY,
    csrf_token,
    make_asset,
    make_nda,
    pdf,
    transfer_draft,
    upload,
)
from tracker import clock, policy
from tracker.audit.service import record
from tracker.db import db
from tracker.transfers.service import file_transfer

#: who sees the link to an NDA's history (`policy.audit_reader`)
HISTORY_READERS = {"admin", "lawyer", "auditor"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def ndas(world: Any) -> Any:
    w = world
    w.asset = make_asset(w.project, title="Cathode firing profile")
    w.nda = make_nda(
        w.project,
        w.partner,
        signed_on=dt.date(2025, 12, 20),
        effective_on=dt.date(2026, 1, 1),
        expires_on=TODAY + dt.timedelta(days=40),
        governing_law="Laws of England and Wales",
        purpose="Joint pilot line for the cathode",
        return_or_destroy=True,
        assets=[w.asset],
    )
    w.draft = make_nda(w.project, w.partner, status="draft", purpose="Draft terms")
    db.session.commit()
    return w


def _page(client: Any, nda_id: int, status: int = 200) -> str:
    r = client.get(f"/ndas/{nda_id}")
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    return r.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_in_scope_reads_the_page(ndas, browser_as, role):
    w = ndas
    assert policy.role_may(role, "nda.view")  # the matrix: everyone in scope
    html = _page(browser_as(w.users[role]), w.nda.id)
    for text in (
        w.partner.name,
        "Active",
        "Dec 20, 2025",  # dates as a person writes them, never ISO
        "Jan 1, 2026",
        format_date(TODAY + dt.timedelta(days=40), "medium", locale="en"),
        "expires in 40 days",
        "Laws of England and Wales",
        "Joint pilot line for the cathode",
    ):
        assert text in html, (role, text)
    assert f'href="/assets/{w.asset.id}">Cathode firing profile</a>' in html
    assert re.search(r"Return-or-destroy clause</th><td>yes", html)
    assert re.search(r"Audit rights</th><td>no", html)
    # only lawyers change an NDA that is no longer a draft
    assert (f'href="/ndas/{w.nda.id}/edit"' in html) == (role == "lawyer")
    assert (f'href="/audit/nda/{w.nda.id}"' in html) == (role in HISTORY_READERS)
    assert "Files" in html  # the attachments panel


@pytest.mark.parametrize("role", ROLES)
def test_company_staff_edit_drafts_only(ndas, browser_as, role):
    html = _page(browser_as(ndas.users[role]), ndas.draft.id)
    assert (f'href="/ndas/{ndas.draft.id}/edit"' in html) == (role in ("lawyer", "company"))


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_do_not_learn_it_exists(ndas, browser_as, role):
    _page(browser_as(ndas.outsiders[role]), ndas.nda.id, 404)


def test_anonymous_goes_to_sign_in_and_missing_ids_are_not_found(ndas, client, browser_as):
    r = client.get(f"/ndas/{ndas.nda.id}")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    lawyer = browser_as(ndas.users["lawyer"])
    _page(lawyer, 2**40, 404)
    assert lawyer.get("/ndas/99999999999999999999999").status_code == 404


@pytest.mark.parametrize(
    "expires, status, text",
    [
        (TODAY, "active", "expires today"),
        (TODAY + dt.timedelta(days=1), "active", "(expires in 1 day)"),
        (TODAY - dt.timedelta(days=3), "active", "expired 3 days ago"),
        (TODAY - dt.timedelta(days=1), "active", "expired 1 day ago"),
    ],
)
def test_days_to_expiry(ndas, browser_as, expires, status, text):
    ndas.nda.expires_on, ndas.nda.status = expires, status
    db.session.commit()
    html = _page(browser_as(ndas.users["operator"]), ndas.nda.id)
    assert text in html
    if expires < TODAY:
        assert "<td>Expired</td>" in html  # the effective status


def test_a_terminated_nda_counts_no_days(ndas, browser_as):
    ndas.nda.status = "terminated"
    db.session.commit()
    html = _page(browser_as(ndas.users["auditor"]), ndas.nda.id)
    assert "Terminated" in html and "days" not in html.split("Expires on", 1)[1][:200]


def test_in_korean(ndas, browser_as):
    auditor = ndas.users["auditor"]
    auditor.locale = "ko"
    db.session.commit()
    html = _page(browser_as(auditor), ndas.nda.id)
    assert f"{ndas.partner.name} 상대 NDA" in html  # no particle after a name
    assert "40일 후 만료" in html


def test_files_of_the_nda_on_its_page(ndas, browser_as, api_as, blob_dir):
    w = ndas
    r = upload(
        api_as(w.users["lawyer"]),
        w.project.id,
        pdf(),
        "signed-nda.pdf",
        record_type="nda",
        record_id=w.nda.id,
    )
    assert r.status_code == 201, r.get_json()
    attachment_id = r.get_json()["id"]
    for role in ROLES:  # every role that may view the NDA knows its files (FILE_VISIBILITY)
        html = _page(browser_as(w.users[role]), w.nda.id)
        assert "signed-nda.pdf" in html, role
        download = f'href="/files/{attachment_id}/download'
        assert (download in html) == policy.role_may(role, "attachment.download"), role
        upload_form = f'action="/projects/{w.project.id}/files?next=/ndas/{w.nda.id}"'
        assert (upload_form in html) == policy.role_may(role, "attachment.upload"), role
    # and the project's file list names the NDA it belongs to, linked to this page
    files = browser_as(w.users["company"]).get(f"/projects/{w.project.id}/files")
    # by its partner (issue 19: never "NDA #3")
    html = files.get_data(as_text=True)
    assert f'href="/ndas/{w.nda.id}">{w.nda.partner.name} · ' in html
    assert f"NDA #{w.nda.id}" not in html


def test_saving_the_form_lands_on_the_page(ndas, browser_as):
    w = ndas
    c = browser_as(w.users["company"])
    path = f"/ndas/{w.draft.id}/edit"
    r = c.post(
        path,
        data={
            "csrf_token": csrf_token(c, path),
            "version": str(w.draft.version),
            "partner_id": w.partner.id,
            "effective_on": "2026-01-01",
            "expires_on": "2027-12-31",
            "status": "draft",
            "governing_law": "Korean law",
        },
    )
    assert r.status_code == 302 and r.headers["Location"] == f"/ndas/{w.draft.id}"
    assert "Korean law" in _page(c, w.draft.id)


# --- the pages that name an NDA link to it --------------------------------------------------


def test_the_register_and_the_asset_page_link_to_it(ndas, browser_as):
    w = ndas
    c = browser_as(w.users["operator"])
    register = c.get(f"/projects/{w.project.id}/ndas").get_data(as_text=True)
    assert f'<a href="/ndas/{w.nda.id}">{w.partner.name}</a>' in register
    assert f'<a href="/ndas/{w.draft.id}">{w.partner.name}</a>' in register
    asset = c.get(f"/assets/{w.asset.id}").get_data(as_text=True)
    covering = asset.split("Covering NDAs", 1)[1].split("</tr>", 1)[0]
    assert f'href="/ndas/{w.nda.id}"' in covering
    assert f'href="/ndas/{w.draft.id}"' not in covering  # the draft covers no asset
    lonely = make_asset(w.project, title="Uncovered")
    db.session.commit()
    assert "No NDA covers this asset." in c.get(f"/assets/{lonely.id}").get_data(as_text=True)


def test_the_gate_checks_link_to_the_nda_they_rest_on(ndas, browser_as, make_user):
    w = ndas
    transfer = file_transfer(w.users["company"], w.project, transfer_draft(w))
    db.session.commit()
    html = browser_as(w.users["operator"]).get(f"/transfers/{transfer.id}").get_data(as_text=True)
    nda_row = html.split('id="check-nda_active"', 1)[1].split("</tr>", 1)[0]
    assert f'<a href="/ndas/{w.nda.id}">Open the NDA</a>' in nda_row


def test_deadlines_dashboard_and_trail_link_to_it(ndas, browser_as):
    w = ndas
    deadlines = browser_as(w.users["lawyer"]).get("/deadlines").get_data(as_text=True)
    assert f'href="/ndas/{w.nda.id}"' in deadlines  # its expiry is a deadline
    start = browser_as(w.users["operator"]).get("/").get_data(as_text=True)
    expiring = start.split('id="expiring-ndas"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="/ndas/{w.nda.id}">{w.partner.name}</a>' in expiring
    record("nda.updated", w.nda, actor_id=w.users["lawyer"].id, detail={"fields": ["purpose"]})
    db.session.commit()
    trail = browser_as(w.users["auditor"]).get("/audit?action=nda.updated").get_data(as_text=True)
    assert f'href="/ndas/{w.nda.id}"' in trail
