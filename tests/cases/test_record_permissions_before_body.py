"""Record writes over the API ask the policy before validating the body (as project, asset
and NDA writes do): a role that may not write gets 403, an outsider 404, whatever it sends."""

import datetime as dt

import pytest

from tests.support import make_review, make_session
from tracker.cases.disclosures import service as disclosures

BAD = {"unknown-field": True}


def _paths(world):
    project = world.project
    lawyer = world.users["lawyer"]
    session = make_session(project, lawyer)
    review = make_review(project, lawyer)
    disclosure = disclosures.file_disclosure(
        project,
        world.users["company"],
        {
            "title": "Calibration shortcut",
            "description": "Halves the calibration time.",
            "conceived_on": dt.date(2026, 1, 5),
            "inventors": [{"name": "Kim", "share_pct": 100}],
        },
    )
    return [
        ("post", f"/api/v1/projects/{project.id}/disclosures", "company"),
        ("patch", f"/api/v1/disclosures/{disclosure.id}", "company"),
        ("post", f"/api/v1/disclosures/{disclosure.id}/decision", "lawyer"),
        ("post", f"/api/v1/projects/{project.id}/sessions", "lawyer"),
        ("patch", f"/api/v1/sessions/{session.id}", "lawyer"),
        ("patch", f"/api/v1/sessions/{session.id}/follow-ups/{session.follow_ups[0].id}", "lawyer"),
        ("post", f"/api/v1/projects/{project.id}/risk-reviews", "lawyer"),
        ("post", f"/api/v1/risk-reviews/{review.id}/decision", "lawyer"),
    ]


@pytest.mark.parametrize("role", ["admin", "lawyer", "company", "operator", "auditor"])
def test_forbidden_roles_get_403_before_the_body_is_read(world, api_as, role):
    api = api_as(world.users[role])
    for method, path, writer in _paths(world):
        status = getattr(api, method)(path, json=BAD).status_code
        assert status == (422 if role == writer else 403), (role, path, status)


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_outsiders_get_404_before_the_body_is_read(world, api_as, role):
    api = api_as(world.outsiders[role])
    for method, path, _writer in _paths(world):
        assert getattr(api, method)(path, json=BAD).status_code == 404, (role, path)
