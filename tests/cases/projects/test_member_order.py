"""A project's partners and lawyers come in id order everywhere they are listed: the project's
page, its API item and the project list (not in whatever order the database reads them)."""

from __future__ import annotations

from tests.support import statements
from tracker.db import db


def _project(world, make_org, make_user, make_project):
    partners = [make_org("partner", name=f"Partner {n}") for n in ("Kappa", "Alpha", "Mu")]
    lawyers = [make_user("lawyer", name=f"Lawyer {n}") for n in ("Kappa", "Alpha", "Mu")]
    # linked in another order than their ids', the lawyer of the world among them
    project = make_project(
        zone=world.zone,
        partners=[partners[2], partners[0], partners[1]],
        lawyers=[lawyers[1], world.users["lawyer"], lawyers[2], lawyers[0]],
    )
    db.session.commit()
    return project, partners, [world.users["lawyer"], *lawyers]


def test_api_item_and_list_in_id_order(world, api_as, make_org, make_user, make_project):
    project, partners, lawyers = _project(world, make_org, make_user, make_project)
    partner_ids = sorted(p.id for p in partners)
    lawyer_ids = sorted(u.id for u in lawyers)
    api = api_as(world.users["admin"])
    with statements() as seen:
        item = api.get(f"/api/v1/projects/{project.id}").get_json()
        listed = api.get(f"/api/v1/projects?per_page=100&q={project.code}").get_json()["items"]
    # every statement that reads them orders them (the tables' keys often give id order
    # anyway, which is no promise)
    reading = [s for s in seen if "project_partners" in s or "project_lawyers" in s]
    assert reading
    assert all("ORDER BY" in s for s in reading)
    assert item["partner_ids"] == partner_ids
    assert item["lawyer_ids"] == lawyer_ids
    row = next(p for p in listed if p["id"] == project.id)
    assert row["partner_ids"] == partner_ids
    assert row["lawyer_ids"] == lawyer_ids


def test_page_names_them_in_id_order(world, browser_as, make_org, make_user, make_project):
    project, partners, lawyers = _project(world, make_org, make_user, make_project)
    html = browser_as(world.users["lawyer"]).get(f"/projects/{project.id}").get_data(as_text=True)
    for members in (partners, lawyers[1:]):
        found = [html.index(m.name) for m in sorted(members, key=lambda m: m.id)]
        assert found == sorted(found)
