"""The lean portfolio lists (tracker/cases/portfolio/listing.py): every item is what the
schema writes of the record (sealed text opened, owners, deadlines entered and derived, the
review's derived fields, answers only where the role may read them), in each role's scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask_login import login_user

from tests.support import ROLES, approved_review, day, make_asset, make_review, moment
from tracker.api.assets import PortfolioAssetLimitedSchema, PortfolioAssetSchema
from tracker.api.reviews import PortfolioReviewSchema
from tracker.cases.assets.models import AssetDeadline, AssetOwner, DerivedDeadline, IpAsset
from tracker.cases.reviews.models import RiskReview
from tracker.db import db


@pytest.fixture
def records(world: Any, make_project: Any, make_zone: Any, make_user: Any) -> Any:
    w = world
    full = make_asset(
        w.project,
        title="Antenna array",
        description="A sealed description",
        application_no="10-2031-0000001",
        filed_on=day(-300),
        nct_status="pending",
        confidentiality_marked=True,
    )
    full.jurisdictions = ["KR", "US"]
    full.owners = [
        AssetOwner(organization_id=w.partner.id, share_pct=Decimal("40.50")),
        AssetOwner(organization_id=w.company.id, share_pct=Decimal("59.50")),
    ]
    full.deadlines = [
        AssetDeadline(kind="annuity", due_on=day(90), note="second", done=False),
        AssetDeadline(kind="priority", due_on=day(10), done=True),
    ]
    full.derived_deadlines = [
        DerivedDeadline(key="pct", kind="ip_pct", due_on=day(500), rule="pct.kr@test", done=False),
        DerivedDeadline(
            key="priority", kind="ip_priority", due_on=day(65), rule="priority@test", done=True
        ),
    ]
    bare = make_asset(w.project, title="Battery casing", kind="design")
    elsewhere = make_asset(make_project(zone=make_zone()), title="Casing elsewhere")
    second = make_user("lawyer")
    decided = approved_review(
        w.project, w.users["lawyer"].id, reviewer_id=second.id, conditions="Only in the lab"
    )
    filed = make_review(w.project, w.users["lawyer"], index=-1)
    draft = make_review(w.project, w.users["lawyer"])
    draft.status = "draft"
    other_draft = approved_review(w.project, second.id, status="draft", decided_at=None)
    old = approved_review(elsewhere.project, second.id, created_at=moment(-400))
    db.session.add_all([decided, other_draft, old])
    db.session.commit()
    return {
        "assets": [full.id, bare.id, elsewhere.id],
        "reviews": [decided.id, filed.id, draft.id, other_draft.id, old.id],
    }


def _expected(app: Any, user: Any, schema: Any, model: Any, ids: list[int]) -> dict[int, Any]:
    """What the schema writes of each record, as `user` would be answered."""
    db.session.expire_all()
    with app.test_request_context():
        login_user(user)
        return {i: schema().dump(db.session.get(model, i)) for i in ids}


@pytest.mark.parametrize("role", ROLES)
def test_asset_items_are_what_the_schema_writes(app, world, records, api_as, role):
    user = world.users[role]
    body = api_as(user).get("/api/v1/assets?per_page=200").get_json()
    got = {item["id"]: item for item in body["items"]}
    assert body["total"] == len(got) == (3 if role in ("admin", "auditor") else 2)
    schema = PortfolioAssetLimitedSchema if role == "operator" else PortfolioAssetSchema
    expected = _expected(app, user, schema, IpAsset, list(got))
    assert got == expected
    if role != "operator":
        full = got[records["assets"][0]]
        assert full["description"] == "A sealed description"
        assert [d["derived"] for d in full["deadlines"]] == [False, False, True, True]
        assert full["next_due_on"] == day(90).isoformat()


@pytest.mark.parametrize("role", ROLES)
def test_review_items_are_what_the_schema_writes(app, world, records, api_as, role):
    user = world.users[role]
    body = api_as(user).get("/api/v1/risk-reviews?per_page=200").get_json()
    got = {item["id"]: item for item in body["items"]}
    decided, filed, draft, other_draft, old = records["reviews"]
    mine = {decided, filed} | ({draft} if role == "lawyer" else set())
    assert set(got) == mine | ({old} if role in ("admin", "auditor") else set())
    assert body["total"] == len(got)
    assert got == _expected(app, user, PortfolioReviewSchema, RiskReview, list(got))
    assert ("conditions" in got[decided]) and got[decided]["conditions"] == "Only in the lab"
    assert ("answers" in got[filed]) == (role != "operator")
    if role in ("admin", "auditor"):  # newest first: the old one last
        assert body["items"][-1]["id"] == old


def test_the_pages_show_the_lean_rows(world, records, browser_as):
    html = browser_as(world.users["lawyer"]).get("/assets?sort=-next_due_on").get_data(True)
    assert "Antenna array" in html and "Casing elsewhere" not in html
    assert world.project.code in html
    html = browser_as(world.users["admin"]).get("/risk-reviews").get_data(True)
    assert world.project.code in html


def test_an_asset_keeps_its_project_s_zone(world, make_zone, make_project, api_as):
    """The zone's portfolio reads the assets' copy of their project's zone: a new asset takes
    it, a project moved to another zone takes its assets along, an asset moved to another
    project takes that one's; the operators of each zone list exactly their projects'."""
    operator = world.users["operator"]
    api = api_as(world.users["lawyer"])
    body = {"title": "Sensor", "kind": "patent", "sensitivity": "confidential"}
    made = api.post(f"/api/v1/projects/{world.project.id}/assets", json=body).get_json()
    asset = db.session.get(IpAsset, made["id"])
    assert asset.zone_id == world.project.zone_id == operator.zone_id

    def listed() -> list[str]:
        return [i["title"] for i in api_as(operator).get("/api/v1/assets").get_json()["items"]]

    assert listed() == ["Sensor"]
    elsewhere = make_zone()
    world.project.zone = elsewhere  # through the relationship: the id is set at flush
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(IpAsset, made["id"]).zone_id == elsewhere.id
    assert listed() == []
    world.project.zone_id = operator.zone_id
    db.session.commit()
    assert listed() == ["Sensor"]
    other = make_project(zone=elsewhere)
    moved = db.session.get(IpAsset, made["id"])
    moved.project = other
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(IpAsset, made["id"]).zone_id == elsewhere.id
    assert listed() == []
    admin = api_as(world.users["admin"])
    by_zone = admin.get(f"/api/v1/assets?zone_id={elsewhere.id}").get_json()
    assert [i["title"] for i in by_zone["items"]] == ["Sensor"] and by_zone["total"] == 1


def test_a_column_that_cannot_be_empty_is_ordered_plainly():
    """`NULLS LAST` unless the caller names the column as never empty: PostgreSQL reads a
    descending order from an ascending index only as `NULLS FIRST`, and sorts every row
    otherwise; a NOT NULL column reached through an outer join may still be empty."""
    import sqlalchemy as sa

    from tracker.web import sorting

    def order(sort: str, column: Any, never_empty: set[str]) -> str:
        stmt = sorting.ordered(
            sa.select(RiskReview.id), sort, {"c": column}, RiskReview.id, never_empty
        )
        return str(stmt.compile()).split("ORDER BY")[1]

    assert "NULLS" not in order("-c", RiskReview.created_at, {"c"})
    assert "NULLS" not in order("c", RiskReview.created_at, {"c"})
    assert "NULLS LAST" in order("-c", RiskReview.created_at, set())
    assert "NULLS LAST" in order("-c", RiskReview.valid_until, set())


def test_a_stale_zone_copy_shows_no_asset_of_another_zone(world, make_zone, make_user, api_as):
    """The copy of the zone only picks the index: an asset whose copy names the operator's
    zone while its project lies elsewhere (a row written around the ORM) stays out of the
    operator's list, its count and its download."""
    import sqlalchemy as sa

    elsewhere = make_zone()
    outsider = make_user("operator", zone=elsewhere)
    asset = make_asset(world.project, title="Stray sensor")
    db.session.commit()
    db.session.execute(
        sa.update(IpAsset).where(IpAsset.id == asset.id).values(zone_id=elsewhere.id)
    )
    db.session.commit()
    api = api_as(outsider)
    listed = api.get("/api/v1/assets").get_json()
    assert listed["items"] == [] and listed["total"] == 0
    assert "Stray sensor" not in api.get("/api/v1/assets?format=csv").get_data(as_text=True)
    assert api.get(f"/api/v1/assets?zone_id={elsewhere.id}").get_json()["total"] == 0


@pytest.mark.parametrize("path", ["/api/v1/assets", "/api/v1/risk-reviews"])
def test_a_page_s_rows_are_read_by_one_statement_whatever_its_size(world, records, api_as, path):
    # the page's ids, owners and deadlines bound as one array on PostgreSQL (`among_ids`):
    # the same SQL for every page; SQLite has no arrays (an `IN` of the page's ids)
    from tests.support import statements

    api = api_as(world.users["admin"])
    seen: dict[int, list[str]] = {}
    for per_page in (1, 2):
        with statements() as run:
            body = api.get(f"{path}?per_page={per_page}").get_json()
        assert len(body["items"]) == per_page
        seen[per_page] = [sql for sql in run if "project_code" in sql or "asset_owners" in sql]
    assert seen[1] and len(seen[1]) == len(seen[2])
    if db.engine.dialect.name == "postgresql":
        assert seen[1] == seen[2]
        assert all("= ANY" in sql for sql in seen[1])
