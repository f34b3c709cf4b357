"""Disclosure pages: every role in and out of scope, filing, deciding and resubmitting by form."""

import pytest

from tests.support import DISCLOSURE_READERS, OUTSIDERS, ROLES, csrf_token, fresh
from tracker.cases.assets.models import IpAsset
from tracker.cases.disclosures.models import Disclosure


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(world, browser_as, filed, role):
    c = browser_as(world.users[role])
    pages = [
        f"/projects/{world.project.id}/disclosures",
        f"/disclosures/{filed.id}",
    ]
    for path in pages:
        r = c.get(path)
        assert r.status_code == (200 if role in DISCLOSURE_READERS else 403), path
        html = r.get_data(as_text=True)
        assert (filed.title in html) == (role in DISCLOSURE_READERS)
    assert c.get(f"/projects/{world.project.id}/disclosures/new").status_code == (
        200 if role == "company" else 403
    )
    detail = c.get(f"/disclosures/{filed.id}").get_data(as_text=True)
    if role in DISCLOSURE_READERS:
        assert "Foreign co-inventor" in detail
        assert ("disclosure_decide" not in detail) and (
            (f"/disclosures/{filed.id}/decision" in detail) == (role == "lawyer")
        )


@pytest.mark.parametrize("role", OUTSIDERS)
def test_pages_out_of_scope(world, browser_as, filed, role):
    c = browser_as(world.outsiders[role])
    for path in (
        f"/projects/{world.project.id}/disclosures",
        f"/projects/{world.project.id}/disclosures/new",
        f"/disclosures/{filed.id}",
        f"/disclosures/{filed.id}/edit",
    ):
        assert c.get(path).status_code == 404, path


def _form(token, **over):
    data = {
        "csrf_token": token,
        "title": "Marine route optimiser",
        "description": "Collision-avoidance scoring for autonomous ships.",
        "conceived_on": "2026-02-01",
        "inventors-0-name": "Lee Jiho",
        "inventors-0-share_pct": "50",
        "inventors-0-nationality": "KR",
        "inventors-1-name": "Fiona Grant",
        "inventors-1-share_pct": "50",
        "inventors-1-nationality": "gb",
        "inventors-1-employer": "University of Strathclyde",
    }
    data.update(over)
    return data


def test_company_files_by_form(world, browser_as):
    c = browser_as(world.users["company"])
    path = f"/projects/{world.project.id}/disclosures/new"
    r = c.post(path, data=_form(csrf_token(c, path)))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    disclosure = fresh(Disclosure, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert [i.nationality for i in disclosure.inventors] == ["KR", "GB"]
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Foreign co-inventor" in page and "University of Strathclyde" in page


def test_bad_shares_by_form_are_422_and_keep_input(world, browser_as):
    c = browser_as(world.users["company"])
    path = f"/projects/{world.project.id}/disclosures/new"
    r = c.post(path, data=_form(csrf_token(c, path), **{"inventors-1-share_pct": "49.99"}))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "exactly 100" in html and "Marine route optimiser" in html
    r = c.post(path, data=_form(csrf_token(c, path), **{"inventors-1-nationality": "ZZ"}))
    assert r.status_code == 422 and "Not a country" in r.get_data(as_text=True)
    assert fresh(Disclosure, 1) is None or fresh(Disclosure, 1).project_id != world.project.id


def test_form_without_csrf_is_refused(world, browser_as):
    c = browser_as(world.users["company"])
    r = c.post(f"/projects/{world.project.id}/disclosures/new", data=_form(""))
    assert r.status_code in (400, 422)


def test_lawyer_accepts_by_form(world, browser_as, filed):
    c = browser_as(world.users["lawyer"])
    token = csrf_token(c, f"/disclosures/{filed.id}")
    r = c.post(
        f"/disclosures/{filed.id}/decision",
        data={
            "csrf_token": token,
            "version": str(filed.version),
            "decision": "accept",
            "note": "File in KR first.",
            "asset_kind": "patent",
            "asset_sensitivity": "trade_secret",
            "asset_nct_status": "not_nct",
            "asset_strategic_item": "no",
        },
    )
    assert r.status_code == 302
    d = fresh(Disclosure, filed.id)
    assert d.status == "accepted" and fresh(IpAsset, d.asset_id).sensitivity == "trade_secret"
    # the form is gone, the page links to the new asset, and deciding again is a conflict
    page = c.get(f"/disclosures/{filed.id}").get_data(as_text=True)
    assert f"/disclosures/{filed.id}/decision" not in page
    assert f'href="/assets/{d.asset_id}"' in page
    assert c.get(f"/assets/{d.asset_id}").status_code == 200
    r = c.post(
        f"/disclosures/{filed.id}/decision",
        data={
            "csrf_token": token,
            "decision": "reject",
            "note": "x",
            "asset_kind": "patent",
            "asset_sensitivity": "public",
        },
    )
    assert r.status_code == 409


def test_needs_info_edit_and_resubmit_by_form(world, browser_as, filed):
    lawyer, company = browser_as(world.users["lawyer"]), browser_as(world.users["company"])
    assert company.get(f"/disclosures/{filed.id}/edit").status_code == 200  # form shows
    r = lawyer.post(
        f"/disclosures/{filed.id}/decision",
        data={
            "csrf_token": csrf_token(lawyer, f"/disclosures/{filed.id}"),
            "version": str(filed.version),
            "decision": "needs_info",
            "note": "Who is Weber?",
            "asset_kind": "patent",
            "asset_sensitivity": "confidential",
        },
    )
    assert r.status_code == 302
    edit = f"/disclosures/{filed.id}/edit"
    page = company.get(edit).get_data(as_text=True)
    assert "Who is Weber?" in page and "Jonas Weber" in page
    version = fresh(Disclosure, filed.id).version
    token = csrf_token(company, edit)
    r = company.post(edit, data=_form(token, version=str(version), title="Revised title"))
    assert r.status_code == 302
    assert fresh(Disclosure, filed.id).status == "submitted"
    # the same (now stale) form again: 409
    r = company.post(edit, data=_form(token, version=str(version), title="Stale"))
    assert r.status_code == 409
    assert fresh(Disclosure, filed.id).title == "Revised title"
    assert lawyer.get(edit).status_code == 403


def test_korean_pages(world, browser_as, filed, make_user):
    korean = make_user("company", organization=world.company, locale="ko")
    html = browser_as(korean).get(f"/disclosures/{filed.id}").get_data(as_text=True)
    assert "발명자" in html and "해외 공동발명자" in html


def test_korean_error_messages(world, browser_as, make_user):
    korean = browser_as(make_user("company", organization=world.company, locale="ko"))
    path = f"/projects/{world.project.id}/disclosures/new"
    r = korean.post(path, data=_form(csrf_token(korean, path), **{"inventors-1-share_pct": "49"}))
    assert r.status_code == 422
    assert "지분의 합은 정확히 100이어야 합니다." in r.get_data(as_text=True)
