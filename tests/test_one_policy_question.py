"""`allowed_on` hands the record it loaded and checked to the endpoint: a write through the API
loads its record once and asks the policy once (docs/architecture.md, "One path through a
request")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support import make_asset, make_nda
from tracker import policy
from tracker.db import db
from tracker.transfers.models import TransferRequest


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of the policy's loads (`project_or_404`, `record_or_404`) and `require` calls."""
    calls = {"load": 0, "require": 0}
    load, require = policy.get_or_none, policy.require

    def counted_load(*args: Any) -> Any:
        calls["load"] += 1
        return load(*args)

    def counted_require(*args: Any) -> None:
        calls["require"] += 1
        require(*args)

    monkeypatch.setattr(policy, "get_or_none", counted_load)
    monkeypatch.setattr(policy, "require", counted_require)
    return calls


def _pending_transfer(world: Any) -> TransferRequest:
    transfer = TransferRequest(
        project=world.project,
        partner=world.partner,
        purpose="Joint test",
        channel="secure_platform",
        planned_on=dt.date.today() + dt.timedelta(days=30),
        status="pending_review",
        checks=[],
        requested_by_id=world.users["company"].id,
    )
    db.session.add(transfer)
    db.session.commit()
    return transfer


def _requests(world: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(role, method, path, body) of writes through `allowed_on`, each answering < 400."""
    asset = make_asset(world.project)
    nda = make_nda(world.project, world.partner, signed_on=dt.date(2026, 1, 1))
    db.session.commit()
    transfer = _pending_transfer(world)
    project = world.project
    return [
        ("lawyer", "patch", f"/api/v1/projects/{project.id}", {"version": project.version}),
        ("lawyer", "patch", f"/api/v1/assets/{asset.id}", {"version": asset.version}),
        ("lawyer", "patch", f"/api/v1/ndas/{nda.id}", {"version": nda.version}),
        (
            "operator",
            "post",
            f"/api/v1/transfers/{transfer.id}/decision",
            {"decision": "deny", "note": "No."},
        ),
    ]


def test_a_write_loads_its_record_once_and_asks_the_policy_once(world, api_as, spied):
    for role, method, path, body in _requests(world):
        api = api_as(world.users[role])
        spied.update(load=0, require=0)
        response = getattr(api, method)(path, json=body)
        assert response.status_code < 400, (path, response.get_json())
        assert spied == {"load": 1, "require": 1}, path
