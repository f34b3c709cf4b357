"""The project's docket-import page: upload, the check's table, confirm; every role; the
CSRF token checked although the form is parsed in memory; bad input as an error page."""

from __future__ import annotations

import base64
import io
import re

import pytest

from tests.cases.filings.test_filing_import import FAMILY, state
from tests.support import OUTSIDERS, ROLES, csrf_token
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings.models import Filing
from tracker.db import db

CONTENT_RE = re.compile(r'name="content" value="([^"]+)"')


def page(project):
    return f"/projects/{project.id}/filings/import"


def upload(client, project, data, token=None):
    token = token if token is not None else csrf_token(client, page(project))
    return client.post(
        page(project),
        data={"csrf_token": token, "file": (io.BytesIO(data), "docket.csv")},
        content_type="multipart/form-data",
    )


def test_check_then_confirm_imports_the_docket(world, browser_as):
    lawyer = browser_as(world.users["lawyer"])
    listed = lawyer.get(f"/projects/{world.project.id}/assets").get_data(as_text=True)
    assert page(world.project) in listed  # the asset list links the page
    assert lawyer.get(page(world.project)).status_code == 200
    before = state()
    checked = upload(lawyer, world.project, FAMILY.encode())
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    assert "5 rows, 5 filings of 2 IP assets" in html
    assert state() == before  # the check stores nothing
    content = CONTENT_RE.search(html).group(1)
    assert base64.b64decode(content) == FAMILY.encode()
    done = lawyer.post(
        page(world.project),
        data={"csrf_token": csrf_token(lawyer, page(world.project)), "confirm": "1",
              "content": content},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/projects/{world.project.id}/assets")
    assert db.session.query(Filing).count() == before[1] + 5
    assert db.session.query(IpAsset).count() == before[0] + 2


def test_the_problems_table_names_rows_and_columns_in_korean(world, browser_as):
    lawyer = browser_as(world.users["lawyer"])
    lawyer.post("/language/ko", data={"csrf_token": csrf_token(lawyer, "/account")})
    before = state()
    bad = FAMILY + "Converter cell,patent,XX,first,,,2024-13-01,,,,,\n"
    r = upload(lawyer, world.project, bad.encode())
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "아무것도 가져오지 않았습니다" in html and "출원일" in html and "<td>7</td>" in html
    assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_lawyers_in_scope_see_and_use_the_page(world, browser_as, role):
    client = browser_as(world.users[role])
    want = 200 if role == "lawyer" else 403
    assert client.get(page(world.project)).status_code == want
    before = state()
    token = csrf_token(client, "/account")
    assert upload(client, world.project, FAMILY.encode(), token).status_code == want
    assert state()[:2] == before[:2]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404(world, browser_as, role):
    client = browser_as(world.outsiders[role])
    assert client.get(page(world.project)).status_code == 404
    assert (
        upload(client, world.project, FAMILY.encode(), csrf_token(client, "/account")).status_code
        == 404
    )


def test_without_the_csrf_token_or_with_a_forged_content_nothing_is_stored(world, browser_as):
    lawyer = browser_as(world.users["lawyer"])
    before = state()
    assert upload(lawyer, world.project, FAMILY.encode(), token="forged").status_code == 400
    r = lawyer.post(
        page(world.project),
        data={"csrf_token": csrf_token(lawyer, page(world.project)), "confirm": "1",
              "content": "not base64 %%%"},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 400
    r = lawyer.post(page(world.project), data={"csrf_token": "x"})  # not multipart
    assert r.status_code == 400
    no_file = lawyer.post(
        page(world.project),
        data={"csrf_token": csrf_token(lawyer, page(world.project))},
        content_type="multipart/form-data",
    )
    assert no_file.status_code == 422
    assert state() == before
