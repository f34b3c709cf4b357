"""The project's files page, the HTML upload (CSRF checked while streaming) and the panel."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from flask import render_template_string
from flask_login import login_user

from tests.support import blob_files, csrf_token, make_asset, pdf, upload, version_rows
from tracker.cases.ndas.models import Nda
from tracker.db import db


def _page(project_id: int) -> str:
    return f"/projects/{project_id}/files"


def _post(client: Any, project_id: int, data: bytes, token: str | None, **extra: Any) -> Any:
    form: dict[str, Any] = {}
    if token is not None:
        form["csrf_token"] = token  # first, as the browser sends the form's hidden field first
    form.update({k: str(v) for k, v in extra.items()})
    form["file"] = (io.BytesIO(data), "계약서.pdf")
    return client.post(_page(project_id), data=form, content_type="multipart/form-data")


def test_upload_list_and_download_in_the_browser(world: Any, browser_as: Any) -> None:
    client = browser_as(world.users["company"])
    page = client.get(_page(world.project.id))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and "upload.js" in html
    token = csrf_token(client, _page(world.project.id))
    r = _post(client, world.project.id, pdf(100_000), token)
    assert r.status_code == 303
    html = client.get(_page(world.project.id)).get_data(as_text=True)
    assert "계약서.pdf" in html and "/download" in html
    link = html.split('href="')[
        [i for i, p in enumerate(html.split('href="')) if "/download" in p.split('"')[0]][0]
    ].split('"')[0]
    d = client.get(link.replace("&amp;", "&"))
    assert d.status_code == 200 and d.get_data() == pdf(100_000)
    with client.get("/static/attachments/upload.js") as js:
        assert js.status_code == 200


def test_upload_with_the_csrf_header_as_the_script_sends_it(world: Any, browser_as: Any) -> None:
    client = browser_as(world.users["lawyer"])
    token = csrf_token(client, _page(world.project.id))
    r = client.post(
        _page(world.project.id),
        data={"file": (io.BytesIO(pdf()), "a.pdf")},
        content_type="multipart/form-data",
        headers={"X-CSRFToken": token, "X-Requested-With": "XMLHttpRequest"},
    )
    assert r.status_code == 204
    assert r.headers["X-Location"] == _page(world.project.id)
    assert "Uploaded a.pdf (version 1)." in client.get(_page(world.project.id)).get_data(
        as_text=True
    )


def test_upload_without_csrf_is_refused_before_storing(
    world: Any, browser_as: Any, blob_dir: Any
) -> None:
    client = browser_as(world.users["company"])
    assert _post(client, world.project.id, pdf(), None).status_code == 400
    assert _post(client, world.project.id, pdf(), "forged").status_code == 400
    assert version_rows() == 0 and blob_files(blob_dir) == []


def _existing(world: Any, api_as: Any) -> int:
    api = api_as(world.users["lawyer"])
    return int(upload(api, world.project.id, pdf(), name="existing.pdf").get_json()["id"])


@pytest.mark.parametrize("role", ["admin", "operator", "auditor"])
def test_roles_that_may_not_handle_files(
    role: str, world: Any, browser_as: Any, api_as: Any
) -> None:
    attachment_id = _existing(world, api_as)
    client = browser_as(world.users[role])
    html = client.get(_page(world.project.id)).get_data(as_text=True)
    assert "existing.pdf" in html  # metadata: everyone who sees the project
    assert 'type="file"' not in html and "/download" not in html
    token = csrf_token(client, "/")
    assert _post(client, world.project.id, pdf(), token).status_code == 403
    assert client.get(f"/files/{attachment_id}/download").status_code == 403


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_out_of_scope_pages_are_404(role: str, world: Any, browser_as: Any, api_as: Any) -> None:
    attachment_id = _existing(world, api_as)
    client = browser_as(world.outsiders[role])
    assert client.get(_page(world.project.id)).status_code == 404
    token = csrf_token(client, "/")
    assert _post(client, world.project.id, pdf(), token).status_code == 404
    assert client.get(f"/files/{attachment_id}/download").status_code == 404


def test_panel_for_a_record(app: Any, world: Any, browser_as: Any) -> None:
    nda = Nda(
        project=world.project,
        partner=world.partner,
        effective_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2027, 1, 1),
    )
    db.session.add(nda)
    db.session.flush()
    client = browser_as(world.users["lawyer"])
    token = csrf_token(client, _page(world.project.id))
    r = _post(client, world.project.id, pdf(), token, record_type="nda", record_id=nda.id)
    assert r.status_code == 303
    with app.test_request_context(f"/ndas/{nda.id}"):
        login_user(world.users["lawyer"])
        html = render_template_string(
            '{% include "attachments/panel.html" %}',
            project=world.project,
            record_type="nda",
            record_id=nda.id,
        )
    assert "계약서.pdf" in html
    assert 'name="record_type" value="nda"' in html
    assert f'name="record_id" value="{nda.id}"' in html


def test_page_in_korean(world: Any, browser_as: Any) -> None:
    user = world.users["company"]
    user.locale = "ko"
    db.session.commit()
    html = browser_as(user).get(_page(world.project.id)).get_data(as_text=True)
    assert "파일 추가" in html and "아직 파일이 없습니다." in html


def test_record_pages_show_their_files(world: Any, browser_as: Any, api_as: Any) -> None:
    """An asset's page lists the files uploaded to that asset, and only those."""
    from tracker.cases.assets.models import IpAsset

    asset = IpAsset(
        project=world.project, title="Converter design", kind="patent", sensitivity="confidential"
    )
    db.session.add(asset)
    db.session.commit()
    api = api_as(world.users["lawyer"])
    assert (
        upload(
            api, world.project.id, pdf(), "design-spec.pdf", record_type="asset", record_id=asset.id
        ).status_code
        == 201
    )
    assert upload(api, world.project.id, pdf(), "unrelated.pdf").status_code == 201
    page = browser_as(world.users["company"]).get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "design-spec.pdf" in page
    assert "unrelated.pdf" not in page


@pytest.mark.parametrize(
    "next_url",
    ["/\\evil.example/", "/\\\\evil.example", "/\t/evil.example", "https://evil.example/"],
)
def test_upload_never_redirects_off_site(world: Any, browser_as: Any, next_url: str) -> None:
    """Browsers read `/\\host` as `//host` and drop tabs: `next` must be a path of this site."""
    client = browser_as(world.users["company"])
    token = csrf_token(client, _page(world.project.id))
    r = client.post(
        _page(world.project.id),
        query_string={"next": next_url},
        data={"csrf_token": token, "file": (io.BytesIO(pdf()), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    assert r.headers["Location"] == _page(world.project.id)
    ok = client.post(
        _page(world.project.id),
        query_string={"next": f"/projects/{world.project.id}"},
        data={"csrf_token": token, "file": (io.BytesIO(pdf()), "b.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.headers["Location"] == f"/projects/{world.project.id}"


def test_the_files_tab_names_each_files_record(world: Any, browser_as: Any, api_as: Any) -> None:
    """Issue 10: the project's Files tab says which record each file belongs to."""
    asset = make_asset(world.project)
    db.session.commit()
    api = api_as(world.users["lawyer"])
    upload(api, world.project.id, pdf(2000), "plan.pdf")
    upload(api, world.project.id, pdf(3000), "plan.pdf", record_type="asset", record_id=asset.id)
    html = browser_as(world.users["lawyer"]).get(_page(world.project.id)).get_data(as_text=True)
    assert "Belongs to" in html
    # named as the audit trail names it (issue 19: its title, never "IP asset #3")
    assert f'<a href="/assets/{asset.id}">{asset.title}</a>' in html
    assert f"#{asset.id}" not in html
    assert "<td>The project</td>" in html
