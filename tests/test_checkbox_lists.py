"""Every multiple choice of the HTML forms is a list of checkboxes (no Ctrl-click) inside a
fieldset with a legend: projects (partners, lawyers), NDAs (covered assets), data-sharing
requests (assets, files). Several ticks are all saved; a refused form keeps them ticked; an
error is tied to the fieldset."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from wtforms import SelectMultipleField

from tests.support import PLANNED, TODAY, csrf_token, make_asset, make_nda
from tracker import clock
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.transfers.models import TransferRequest
from tracker.web.forms import CheckboxListField

ROOT = Path(__file__).resolve().parents[1] / "tracker"
SELECT_MULTIPLE = re.compile(r"<select[^>]*\bmultiple\b", re.I)


def checkboxes(html: str, name: str) -> dict[str, bool]:
    """value -> ticked, of the checkboxes named `name`."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="checkbox"' in tag and f'name="{name}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            assert value, tag
            found[value.group(1)] = " checked" in tag
    return found


def fieldset_of(html: str, name: str) -> str:
    """The fieldset holding the checkboxes named `name`."""
    for block in re.findall(r"<fieldset[^>]*>.*?</fieldset>", html, re.S):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no fieldset holds {name}")


def assert_checkbox_list(html: str, name: str, legend: str) -> None:
    block = fieldset_of(html, name)
    assert f"<legend>{legend}</legend>" in block
    assert checkboxes(block, name), f"{name}: no checkbox"
    assert not SELECT_MULTIPLE.search(html)


@pytest.fixture
def partners(world, make_org):
    second = make_org("partner", country="DE")
    world.project.partners.append(second)
    db.session.flush()
    return [world.partner, second]


@pytest.fixture
def lawyers(world, make_user):
    return [world.users["lawyer"], make_user("lawyer")]


def _project_data(world: Any, token: str, **over: Any) -> dict[str, Any]:
    data = {
        "csrf_token": token,
        "code": "BOX-1",
        "title": "Checkbox project",
        "zone_id": world.zone.id,
        "company_id": world.company.id,
        "security_level": "general",
        "status": "active",
    }
    data.update(over)
    return data


def test_project_form_saves_every_ticked_partner_and_lawyer(world, browser_as, partners, lawyers):
    c = browser_as(world.users["admin"])
    html = c.get("/projects/new").get_data(as_text=True)
    assert_checkbox_list(html, "partner_ids", "Foreign partners")
    assert_checkbox_list(html, "lawyer_ids", "Assigned lawyers")
    data = _project_data(
        world,
        csrf_token(c, "/projects/new"),
        partner_ids=[p.id for p in partners],
        lawyer_ids=[u.id for u in lawyers],
    )
    r = c.post("/projects/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    project = db.session.execute(sa.select(Project).filter_by(code="BOX-1")).scalar_one()
    assert {p.id for p in project.partners} == {p.id for p in partners}
    assert {u.id for u in project.lawyers} == {u.id for u in lawyers}
    # the edit page shows them ticked
    html = c.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    ticked = checkboxes(html, "partner_ids")
    assert {v for v, on in ticked.items() if on} == {str(p.id) for p in partners}


def test_a_refused_project_form_keeps_the_ticks(world, browser_as, partners, lawyers):
    c = browser_as(world.users["admin"])
    data = _project_data(
        world,
        csrf_token(c, "/projects/new"),
        title="",  # required: refused
        partner_ids=[partners[1].id],
        lawyer_ids=[lawyers[0].id, lawyers[1].id],
    )
    r = c.post("/projects/new", data=data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert {v for v, on in checkboxes(html, "partner_ids").items() if on} == {str(partners[1].id)}
    assert {v for v, on in checkboxes(html, "lawyer_ids").items() if on} == {
        str(u.id) for u in lawyers
    }


def test_an_error_of_a_checkbox_list_is_tied_to_its_fieldset(world, browser_as):
    c = browser_as(world.users["admin"])
    # a company is no foreign partner: the service refuses it on the field
    data = _project_data(world, csrf_token(c, "/projects/new"), partner_ids=[world.company.id])
    r = c.post("/projects/new", data=data)
    assert r.status_code == 422
    block = fieldset_of(r.get_data(as_text=True), "partner_ids")
    described = re.match(r'<fieldset[^>]*aria-describedby="([^"]+)"', block)
    assert described, block[:300]
    assert f'id="{described.group(1)}"' in block
    # the error summary links to the list
    assert 'href="#partner_ids"' in r.get_data(as_text=True)
    assert 'id="partner_ids"' in block


def test_nda_form_saves_every_covered_asset(world, browser_as):
    first, second = make_asset(world.project), make_asset(world.project, title="Second")
    c = browser_as(world.users["lawyer"])
    path = f"/projects/{world.project.id}/ndas/new"
    html = c.get(path).get_data(as_text=True)
    assert_checkbox_list(html, "asset_ids", "Covered assets")
    data = {
        "csrf_token": csrf_token(c, path),
        "partner_id": world.partner.id,
        "effective_on": "2026-01-01",
        "expires_on": "2027-12-31",
        "status": "draft",
        "asset_ids": [first.id, second.id],
    }
    r = c.post(path, data={**data, "expires_on": ""})
    assert r.status_code == 422
    ticked = checkboxes(r.get_data(as_text=True), "asset_ids")
    assert ticked == {str(first.id): True, str(second.id): True}
    assert c.post(path, data=data).status_code == 302
    nda = db.session.execute(sa.select(Nda).filter_by(project_id=world.project.id)).scalar_one()
    assert {a.id for a in nda.assets} == {first.id, second.id}


def test_transfer_form_saves_every_asset_and_file(world, browser_as, api_as, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    first, second = make_asset(world.project), make_asset(world.project, title="Second")
    make_nda(world.project, world.partner, assets=[first, second])
    api = api_as(world.users["company"])
    files = []
    for name in ("a.txt", "b.txt"):
        r = api.post(
            f"/api/v1/projects/{world.project.id}/attachments",
            data={"file": (io.BytesIO(b"plain text\n"), name)},
            content_type="multipart/form-data",
        )
        assert r.status_code == 201, r.get_json()
        files.append(r.get_json()["id"])
    c = browser_as(world.users["company"])
    path = f"/projects/{world.project.id}/transfers"
    html = c.get(path).get_data(as_text=True)
    assert_checkbox_list(html, "asset_ids", "IP assets")
    assert_checkbox_list(html, "attachment_ids", "Files")
    data = {
        "csrf_token": csrf_token(c, path),
        "partner_id": world.partner.id,
        "asset_ids": [first.id, second.id],
        "attachment_ids": files,
        "purpose": "Share both",
        "channel": "secure_platform",
        "planned_on": PLANNED.isoformat(),
    }
    r = c.post(path, data={**data, "purpose": ""})
    assert r.status_code == 422
    refused = r.get_data(as_text=True)
    assert all(checkboxes(refused, "asset_ids").values())
    assert all(checkboxes(refused, "attachment_ids").values())
    assert c.post(path, data=data).status_code == 302
    transfer = db.session.execute(sa.select(TransferRequest)).scalar_one()
    assert {a.id for a in transfer.assets} == {first.id, second.id}
    assert {f.attachment_id for f in transfer.files} == set(files)


def test_no_multiple_select_is_left():
    """No template writes a multiple select, and no form declares a multiple choice other
    than the checkbox list."""
    for path in ROOT.rglob("*.html"):
        assert not SELECT_MULTIPLE.search(path.read_text(encoding="utf-8")), path
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "forms.py" or path.parent.name != "web":
            assert "SelectMultipleField" not in text, path
    assert issubclass(CheckboxListField, SelectMultipleField)
