"""CSV and XLSX downloads of the project, asset and NDA lists: the whole filtered list, the
same scope and fields as the JSON, audited."""

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from tests.support import OUTSIDERS, xlsx_rows
from tracker.audit.models import AuditEvent
from tracker.cases.assets.models import IpAsset
from tracker.cases.ndas.models import Nda
from tracker.db import db


@pytest.fixture
def filled(world):
    asset = IpAsset(
        project=world.project,
        title="=HYPERLINK(evil)",
        kind="data",
        sensitivity="confidential",
        jurisdictions=["KR"],
        description="export-description-canary",
    )
    nda = Nda(
        project=world.project,
        partner=world.partner,
        status="active",
        signed_on=dt.date(2026, 1, 1),
        effective_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2028, 1, 1),
    )
    nda.assets = [asset]
    db.session.add_all([asset, nda])
    db.session.flush()
    return world


def _rows(r):
    assert r.status_code == 200
    assert r.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))


def test_project_list_csv(filled, api_as, make_project):
    for _ in range(3):
        make_project()
    api = api_as(filled.users["admin"])
    rows = _rows(api.get("/api/v1/projects?format=csv&per_page=1"))
    assert rows[0][:3] == ["ID", "Code", "Title"]  # translated headers (English reader)
    assert len(rows) - 1 >= 4  # every row, not one page
    events = (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "export.list"))
        .scalars()
        .all()
    )
    assert events[-1].detail["list"] == "projects"


@pytest.mark.parametrize("role", ["lawyer", "company", "operator", "auditor"])
def test_asset_csv_matches_the_json_fields(filled, api_as, role):
    api = api_as(filled.users[role])
    body = api.get(f"/api/v1/projects/{filled.project.id}/assets?format=csv").get_data(as_text=True)
    assert ("export-description-canary" in body) == (role != "operator")
    header = _rows(api.get(f"/api/v1/projects/{filled.project.id}/assets?format=csv"))[0]
    assert ("Owners" in header) == (role != "operator")
    assert "'=HYPERLINK(evil)" in body  # never a formula


@pytest.mark.parametrize("role", OUTSIDERS)
def test_exports_respect_scope(filled, api_as, role):
    api = api_as(filled.outsiders[role])
    assert api.get(f"/api/v1/projects/{filled.project.id}/assets?format=csv").status_code == 404
    assert filled.project.code not in api.get("/api/v1/projects?format=csv").get_data(as_text=True)
    ndas = _rows(api.get("/api/v1/ndas?format=csv"))
    assert len(ndas) == 1  # the header only


def test_nda_xlsx(filled, api_as):
    r = api_as(filled.users["lawyer"]).get("/api/v1/ndas?format=xlsx")
    assert r.status_code == 200
    assert r.mimetype.endswith("spreadsheetml.sheet")
    assert filled.partner.name in str(xlsx_rows(r.get_data()))


def test_unknown_format(filled, api_as):
    assert api_as(filled.users["admin"]).get("/api/v1/projects?format=pdf").status_code == 422
