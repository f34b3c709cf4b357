"""The asset and NDA lists run a fixed number of statements per page, however many rows."""

import datetime as dt

from tests.support import statements
from tracker.cases.assets.models import AssetDeadline, AssetOwner, IpAsset
from tracker.cases.ndas.models import Nda
from tracker.db import db


def _add_rows(world, make_org, n):
    for i in range(n):
        asset = IpAsset(
            project=world.project,
            title=f"Asset {i}",
            kind="data",
            sensitivity="public",
            jurisdictions=["KR"],
        )
        asset.owners = [
            AssetOwner(organization_id=world.company.id, share_pct=50),
            AssetOwner(organization_id=make_org("partner").id, share_pct=50),
        ]
        asset.deadlines = [AssetDeadline(kind="other", due_on=dt.date(2027, 1, i + 1))]
        nda = Nda(
            project=world.project,
            partner=world.partner,
            status="active",
            signed_on=dt.date(2026, 1, 1),
            effective_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2028, 1, i + 1),
        )
        nda.assets = [asset]
        db.session.add_all([asset, nda])
    db.session.flush()


def _count(api, path):
    with statements() as seen:
        r = api.get(path)
        assert r.status_code == 200
    return len(seen), r.get_json()["total"]


def test_asset_and_nda_lists_constant(world, api_as, make_org):
    pid = world.project.id
    paths = [f"/api/v1/projects/{pid}/assets", f"/api/v1/projects/{pid}/ndas", "/api/v1/ndas"]
    for role in ("lawyer", "operator"):
        api = api_as(world.users[role])
        _add_rows(world, make_org, 1)
        before = {p: _count(api, p) for p in paths}
        _add_rows(world, make_org, 5)
        for p in paths:
            statements_after, total_after = _count(api, p)
            assert statements_after == before[p][0], p
            assert total_after == before[p][1] + 5, p
