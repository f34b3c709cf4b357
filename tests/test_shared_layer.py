"""The shared layer below the domains: paging, id guards and the layering rules themselves."""

from __future__ import annotations

import ast
import pathlib

import pytest

TRACKER = pathlib.Path(__file__).parents[1] / "tracker"
HUGE = "99999999999999999999"  # past 64 bits


@pytest.mark.parametrize(
    "query", ["page=abc", "page=0", "page=-1", "per_page=99999999", "page=²", "per_page=0"]
)
def test_html_file_list_answers_bad_paging_with_the_first_page(world, browser_as, query):
    """`/projects/<id>/files?page=abc` used to answer 500 (PageArgs().load raised)."""
    client = browser_as(world.users["lawyer"])
    response = client.get(f"/projects/{world.project.id}/files?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/projects?page=abc", "/audit?page=0", "/transfers?page=x", "/projects?per_page=10000000"],
)
def test_html_lists_never_fail_on_paging(world, browser_as, path):
    client = browser_as(world.users["admin"])
    assert client.get(path).status_code in (200, 403)


def test_user_ids_past_64_bits_are_not_found(world, api_as, browser_as):
    """`/api/v1/users/<huge>` and `/admin/users/<huge>` used to answer 500."""
    admin = world.users["admin"]
    api = api_as(admin)
    assert api.get(f"/api/v1/users/{HUGE}").status_code == 404
    assert api.patch(f"/api/v1/users/{HUGE}", json={"name": "x"}).status_code == 404
    assert browser_as(admin).get(f"/admin/users/{HUGE}").status_code == 404


@pytest.mark.parametrize("field", ["organization_id", "zone_id"])
def test_a_new_user_linked_to_an_impossible_id_is_invalid(world, api_as, field):
    """`POST /api/v1/users` with an organization_id past 64 bits used to answer 500."""
    body = {
        "email": f"new-{field}@example.test",
        "name": "New",
        "role": "company" if field == "organization_id" else "operator",
        "password": "a long enough passphrase 42",
        field: 2**70,
    }
    response = api_as(world.users["admin"]).post("/api/v1/users", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def _imports(path: pathlib.Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_only_the_api_imports_the_api():
    offenders = [
        str(p.relative_to(TRACKER))
        for p in TRACKER.rglob("*.py")
        if "api" not in p.relative_to(TRACKER).parts[:1]
        and str(p.relative_to(TRACKER)) != "__init__.py"  # create_app registers the API
        and any(m == "tracker.api" or m.startswith("tracker.api.") for m in _imports(p))
    ]
    assert offenders == []


def test_the_audit_trail_knows_no_domain():
    domains = ("tracker.cases", "tracker.transfers", "tracker.attachments", "tracker.policy")
    offenders = {
        str(p.relative_to(TRACKER)): sorted(m for m in _imports(p) if m.startswith(domains))
        for p in (TRACKER / "audit").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_shared_helper_commits_inside_requests():
    """Commits in request code go through `tracker.db.own_transaction` (each with a reason);
    the CLI and the request hook are the only other places that commit."""
    allowed = {"db.py", "web/hooks.py", "demo.py"}
    committing = {
        str(p.relative_to(TRACKER))
        for p in TRACKER.rglob("*.py")
        if "session.commit()" in p.read_text()
    }
    cli = {name for name in committing if name.endswith("cli.py") or "maintenance" in name}
    assert committing - allowed - cli == set()
