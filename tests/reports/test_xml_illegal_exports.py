"""Issue 21, finding 4: one stored U+FFFE or U+FFFF (a title, a partner's name) made every XLSX
export holding it answer 500, for every reader. Each list now downloads, without the
character."""

from __future__ import annotations

import pytest

from tests.support import day, make_asset, make_disclosure, make_nda, xlsx_rows
from tracker.audit.service import record
from tracker.cases.assets.models import AssetDeadline
from tracker.db import db

ODD = "Odd\ufffe title\uffff"


@pytest.fixture
def odd(world):
    world.project.title = ODD
    world.partner.name = "Partner\uffff"
    asset = make_asset(world.project, title=ODD)
    asset.deadlines = [AssetDeadline(kind="other", due_on=day(5), note="note")]
    make_disclosure(world.project, world.users["company"], title=ODD)
    make_nda(world.project, world.partner)
    record("project.updated", world.project, detail={"code": ODD})
    db.session.flush()
    return world


def _lists(w):
    p = w.project.id
    return [
        "/api/v1/projects",
        f"/api/v1/projects/{p}/assets",
        f"/api/v1/projects/{p}/disclosures",
        "/api/v1/ndas",
        "/api/v1/deadlines",
        "/api/v1/audit",
    ]


@pytest.mark.parametrize("index", range(6))
def test_every_xlsx_list_downloads_without_the_characters(odd, api_as, index):
    path = _lists(odd)[index]
    reader = odd.users["lawyer" if "disclosures" in path else "admin"]
    r = api_as(reader).get(f"{path}?format=xlsx")
    assert r.status_code == 200, path
    cells = str(xlsx_rows(r.get_data()))
    assert "\ufffe" not in cells and "\uffff" not in cells
    assert "Odd title" in cells or "Partner" in cells


@pytest.mark.parametrize("path", ["/audit", "/audit/project/{id}"])
def test_the_audit_pages_download_too(odd, browser_as, path):
    page = path.format(id=odd.project.id)
    r = browser_as(odd.users["admin"]).get(f"{page}?format=xlsx")
    assert r.status_code == 200
    assert "\ufffe" not in str(xlsx_rows(r.get_data()))
