"""The lean NDA list (tracker/cases/ndas/listing.py): the items the schema would write, each
role's scope (the other project's NDAs never listed), the filters and totals, on both lists."""

from __future__ import annotations

import pytest

from tests.support import OUTSIDERS, ROLES, day
from tracker.api.ndas import NdaSchema
from tracker.cases.assets.models import IpAsset
from tracker.cases.ndas.models import Nda
from tracker.db import db


def _nda(project, partner, expires_on, status="active", assets=()):
    nda = Nda(
        project=project,
        partner=partner,
        status=status,
        signed_on=day(-400),
        effective_on=day(-400),
        expires_on=expires_on,
        purpose="Joint work",
        governing_law="Korean law",
        return_or_destroy=True,
    )
    nda.assets = list(assets)
    db.session.add(nda)
    return nda


@pytest.fixture
def register(world, make_project, make_org):
    """NDAs of the world's project (active soon and later, expired, draft, with assets) and
    one of a project nobody in the world's scope sees except admin and auditor."""
    assets = [
        IpAsset(project=world.project, title=f"A{i}", kind="data", sensitivity="public")
        for i in range(3)
    ]
    db.session.add_all(assets)
    db.session.flush()
    other_partner = make_org("partner", name="Aardvark GmbH")
    world.project.partners.append(other_partner)
    ours = [
        _nda(world.project, world.partner, day(10), assets=[assets[2], assets[0]]),
        _nda(world.project, other_partner, day(10), assets=[assets[1]]),
        _nda(world.project, world.partner, day(200)),
        _nda(world.project, world.partner, day(-3)),  # reads as expired
        _nda(world.project, world.partner, day(5), status="draft"),
    ]
    elsewhere = make_project(partners=[make_org("partner")])
    theirs = _nda(elsewhere, elsewhere.partners[0], day(12))
    db.session.flush()
    return ours, theirs


def _page(api, path="/api/v1/ndas", **query):
    r = api.get(path, query_string={"per_page": 200, **query})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_items_are_what_the_schema_writes(world, register, api_as):
    ours, theirs = register
    page = _page(api_as(world.users["admin"]))
    assert page["total"] == len(ours) + 1
    by_id = {item["id"]: item for item in page["items"]}
    for nda in [*ours, theirs]:
        db.session.expire(nda)
        assert by_id[nda.id] == NdaSchema().dump(db.session.get(Nda, nda.id))
    assert by_id[ours[0].id]["asset_ids"] == sorted(a.id for a in ours[0].assets)
    assert by_id[ours[3].id]["status"] == "expired"
    assert by_id[ours[3].id]["recorded_status"] == "active"
    assert by_id[ours[1].id]["partner_name"] == "Aardvark GmbH"
    # soonest expiry first, then by id
    expected = sorted([*ours, theirs], key=lambda n: (n.expires_on, n.id))
    assert [item["id"] for item in page["items"]] == [n.id for n in expected]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_its_scope(world, register, api_as, role):
    ours, theirs = register
    everyone = role in ("admin", "auditor")
    page = _page(api_as(world.users[role]))
    expected = {n.id for n in ours} | ({theirs.id} if everyone else set())
    assert {item["id"] for item in page["items"]} == expected
    assert page["total"] == len(expected)
    soon = _page(api_as(world.users[role]), expiring_within_days=30)
    expected_soon = {ours[0].id, ours[1].id} | ({theirs.id} if everyone else set())
    assert {item["id"] for item in soon["items"]} == expected_soon
    assert soon["total"] == len(expected_soon)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_list_nothing_of_the_project(world, register, api_as, role):
    api = api_as(world.outsiders[role])
    page = _page(api)
    assert page["items"] == [] and page["total"] == 0
    r = api.get(f"/api/v1/projects/{world.project.id}/ndas")
    assert r.status_code == 404


def test_filters_totals_and_paging(world, register, api_as):
    ours, _theirs = register
    api = api_as(world.users["lawyer"])
    path = f"/api/v1/projects/{world.project.id}/ndas"
    assert {i["id"] for i in _page(api, path)["items"]} == {n.id for n in ours}
    assert [i["id"] for i in _page(api, path, status="expired")["items"]] == [ours[3].id]
    assert [i["id"] for i in _page(api, path, status="draft")["items"]] == [ours[4].id]
    by_partner = _page(api, path, partner_id=ours[1].partner_id)
    assert [i["id"] for i in by_partner["items"]] == [ours[1].id]
    assert _page(api, path, partner_id=2**80)["total"] == 0  # no row can have that id
    second = _page(api, path, per_page=2, page=2)
    assert second["total"] == len(ours) and second["page"] == 2 and len(second["items"]) == 2
    past = _page(api, path, page=50)
    assert past["items"] == [] and past["total"] == len(ours)
