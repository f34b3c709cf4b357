"""Accepting a disclosure: the lawyer sets the asset's regulatory status and owners (pre-filled
from the inventors, a foreign co-inventor flagged), the gate fails on an undetermined status,
and the invention's description stays with the disclosure (admins may not read it)."""

import datetime as dt

import pytest

from tests.support import PLANNED, csrf_token, fresh, make_disclosure
from tracker.cases import search
from tracker.cases.assets.models import IpAsset
from tracker.cases.disclosures import inventors
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.ndas.models import Nda
from tracker.db import db

#: a word only the disclosure's description holds
SECRET_WORD = "Zirconiumquench"
DESCRIPTION = f"A {SECRET_WORD} step that halves the losses at 800 V."


@pytest.fixture
def filed(world):
    return make_disclosure(world.project, world.users["company"], description=DESCRIPTION)


def decide(api_as, world, filed, **asset):
    body = {"decision": "accept", "note": "File in KR first."}
    if asset:
        body["asset"] = {"kind": "patent", "sensitivity": "confidential", **asset}
    r = api_as(world.users["lawyer"]).post(f"/api/v1/disclosures/{filed.id}/decision", json=body)
    assert r.status_code == 200, r.get_json()
    return fresh(IpAsset, r.get_json()["asset_id"])


def test_an_old_body_leaves_the_status_unknown_and_the_foreign_share_unassigned(
    world, api_as, filed
):
    asset = decide(api_as, world, filed)
    assert (asset.nct_status, asset.strategic_item) == ("unknown", "unknown")
    # Kim (KR, 60 %) counts for the company; Weber (DE, 40 %, employer not on the project) is
    # left for the lawyer instead of quietly going to the company
    assert [(o.organization_id, float(o.share_pct)) for o in asset.owners] == [
        (world.company.id, 60.0)
    ]
    assert asset.title == filed.title and asset.description is None
    assert asset.disclosure_id == filed.id


def test_the_lawyer_sets_title_status_and_owners(world, api_as, filed):
    owners = [
        {"organization_id": world.company.id, "share_pct": "60"},
        {"organization_id": world.partner.id, "share_pct": "40"},
    ]
    asset = decide(
        api_as,
        world,
        filed,
        title="GaN converter (KR filing)",
        description="Our own summary for the file.",
        nct_status="not_nct",
        strategic_item="no",
        owners=owners,
    )
    assert asset.title == "GaN converter (KR filing)"
    assert asset.description == "Our own summary for the file."
    assert (asset.nct_status, asset.strategic_item) == ("not_nct", "no")
    assert sorted((o.organization_id, float(o.share_pct)) for o in asset.owners) == sorted(
        [(world.company.id, 60.0), (world.partner.id, 40.0)]
    )


def test_bad_owners_are_422_and_nothing_is_decided(world, api_as, filed):
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/disclosures/{filed.id}/decision",
        json={
            "decision": "accept",
            "asset": {
                "kind": "patent",
                "sensitivity": "confidential",
                "nct_status": "not_nct",
                "strategic_item": "no",
                "owners": [{"organization_id": world.company.id, "share_pct": "160"}],
            },
        },
    )
    assert r.status_code == 422
    assert "asset.owners" in str(r.get_json()["errors"])
    assert fresh(Disclosure, filed.id).status == "submitted"


def test_a_foreign_inventor_employed_by_a_partner_proposes_the_partner(world, filed):
    filed.inventors[1].employer = f"  {world.partner.name.upper()} "
    db.session.flush()
    proposal = inventors.ownership_proposal(filed)
    assert sorted((o["organization_id"], float(o["share_pct"])) for o in proposal["owners"]) == [
        tuple(x) for x in sorted([(world.company.id, 60.0), (world.partner.id, 40.0)])
    ]
    assert [(f["name"], f["nationality"], f["organization_id"]) for f in proposal["flagged"]] == [
        ("Jonas Weber", "DE", world.partner.id)
    ]


def test_the_gate_fails_on_an_undetermined_status(world, api_as, filed):
    asset = decide(api_as, world, filed)
    nda = Nda(
        project=world.project,
        partner=world.partner,
        effective_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2027, 6, 30),
        status="active",
        assets=[asset],
    )
    db.session.add(nda)
    db.session.flush()
    r = api_as(world.users["company"]).post(
        f"/api/v1/projects/{world.project.id}/transfers",
        json={
            "partner_id": world.partner.id,
            "asset_ids": [asset.id],
            "attachment_ids": [],
            "purpose": "Joint test",
            "channel": "secure_platform",
            "planned_on": PLANNED.isoformat(),
        },
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 201, r.get_json()
    checks = {c["code"]: c for c in r.get_json()["checks"]}
    assert not checks["core_tech_approval"]["ok"]
    assert "has not been determined" in checks["core_tech_approval"]["detail"]
    assert asset.title in checks["core_tech_approval"]["detail"]
    assert not checks["export_licence"]["ok"]
    assert "not yet classified" in checks["export_licence"]["detail"]


def test_admins_never_get_the_disclosure_description(world, api_as, filed):
    """Issue 11 finding 3: admins may read assets, not disclosures."""
    asset = decide(api_as, world, filed)
    admin = api_as(world.users["admin"])
    assert admin.get(f"/api/v1/disclosures/{filed.id}").status_code == 403
    one = admin.get(f"/api/v1/assets/{asset.id}")
    assert one.status_code == 200 and one.get_json()["disclosure_id"] == filed.id
    listing = admin.get(f"/api/v1/projects/{world.project.id}/assets")
    export = admin.get(f"/api/v1/projects/{world.project.id}/assets?format=csv")
    assert listing.status_code == 200 and export.status_code == 200
    for response in (one, listing, export):
        assert SECRET_WORD not in response.get_data(as_text=True)
    assert not list(db.session.execute(search.search_entries(world.users["admin"], SECRET_WORD)))
    # the description is sealed at rest: nobody finds it, not even the lawyer (the
    # invention is found by its title, through the disclosure)
    assert not list(db.session.execute(search.search_entries(world.users["lawyer"], SECRET_WORD)))
    found = db.session.execute(search.search_entries(world.users["lawyer"], filed.title))
    assert "disclosure" in [e.record_type for e in found.scalars()]


def test_the_decision_form_prefills_owners_and_flags_the_foreign_inventor(world, browser_as, filed):
    c = browser_as(world.users["lawyer"])
    page = c.get(f"/disclosures/{filed.id}").get_data(as_text=True)
    assert "Jonas Weber" in page and 'class="flag' in page
    token = csrf_token(c, f"/disclosures/{filed.id}")
    base = {
        "csrf_token": token,
        "version": str(filed.version),
        "decision": "accept",
        "note": "ok",
        "asset_title": filed.title,
        "asset_kind": "patent",
        "asset_sensitivity": "confidential",
        "owners-0-organization_id": str(world.company.id),
        "owners-0-share_pct": "60",
        "owners-1-organization_id": str(world.partner.id),
        "owners-1-share_pct": "40",
    }
    # without the regulatory status the form is refused, nothing is decided
    r = c.post(f"/disclosures/{filed.id}/decision", data=base)
    assert r.status_code == 422
    assert fresh(Disclosure, filed.id).status == "submitted"
    r = c.post(
        f"/disclosures/{filed.id}/decision",
        data={**base, "asset_nct_status": "pending", "asset_strategic_item": "yes"},
    )
    assert r.status_code == 302
    asset = fresh(IpAsset, fresh(Disclosure, filed.id).asset_id)
    assert (asset.nct_status, asset.strategic_item) == ("pending", "yes")
    assert len(asset.owners) == 2 and asset.description is None
    page = c.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert f'href="/disclosures/{filed.id}"' in page


def test_the_asset_and_its_disclosure_link_each_other_by_name_not_id(
    world, api_as, browser_as, filed
):
    asset = decide(api_as, world, filed)
    lawyer = browser_as(world.users["lawyer"])
    on_asset = lawyer.get(f"/assets/{asset.id}").get_data(as_text=True)
    link = f'<a href="/disclosures/{filed.id}">Open the disclosure</a>'
    assert link in on_asset and f">#{filed.id}<" not in on_asset
    on_disclosure = lawyer.get(f"/disclosures/{filed.id}").get_data(as_text=True)
    assert f'<a href="/assets/{asset.id}">Open the IP asset</a>' in on_disclosure
    # the admin may see the asset but not the disclosure: told so, without its id
    admin = browser_as(world.users["admin"]).get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "a record not shown to you" in admin and f"#{filed.id}" not in admin
