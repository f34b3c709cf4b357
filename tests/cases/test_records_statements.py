"""Lists of disclosures, sessions and reviews run a fixed number of statements per page
(no N+1), over the API and as pages."""

import pytest

from tests.support import make_disclosure, make_review, make_session, statements

LISTS = [
    ("lawyer", "/api/v1/projects/{p}/disclosures?per_page=200"),
    ("lawyer", "/projects/{p}/disclosures"),
    ("company", "/api/v1/projects/{p}/sessions?per_page=200"),
    ("company", "/projects/{p}/sessions"),
    ("operator", "/api/v1/projects/{p}/risk-reviews?per_page=200"),
    ("company", "/api/v1/projects/{p}/risk-reviews?per_page=200"),
    ("company", "/projects/{p}/reviews"),
]


def _add(world):
    make_disclosure(world.project, world.users["company"])
    make_session(world.project, world.users["lawyer"])
    make_review(world.project, world.users["lawyer"])


@pytest.mark.parametrize(("role", "path"), LISTS)
def test_fixed_statements_per_page(world, api_as, browser_as, role, path):
    user = world.users[role]
    client = browser_as(user) if not path.startswith("/api/") else api_as(user)
    url = path.format(p=world.project.id)
    _add(world)

    def run():
        with statements() as seen:
            response = client.get(url)
            assert response.status_code == 200
        return len(seen)

    one = run()
    for _ in range(5):
        _add(world)
    assert run() == one
