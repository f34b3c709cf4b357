"""Ids beyond the database's INTEGER: invalid in a body (422), matching nothing in a filter;
never a 500."""

from __future__ import annotations

import pytest

from tests.support import transfer_body

TOO_BIG = 2**31


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"partner_id": TOO_BIG}, "partner_id"),
        ({"asset_ids": [TOO_BIG]}, "asset_ids"),
        ({"attachment_ids": [2**70]}, "attachment_ids"),
    ],
)
def test_filing_with_an_id_out_of_range(gate_world, api_as, over, field):
    w = gate_world
    r = api_as(w.users["company"]).post(
        f"/api/v1/projects/{w.project.id}/transfers", json=transfer_body(w, **over)
    )
    assert r.status_code == 422, r.get_data(as_text=True)
    assert any(key.split(".")[0] == field for key in r.get_json()["errors"])


@pytest.mark.parametrize("big", [TOO_BIG, 2**63, 10**19])
@pytest.mark.parametrize("name", ["zone_id", "project_id", "partner_id"])
@pytest.mark.parametrize("path", ["/api/v1/transfers", "/api/v1/transfers/ledger"])
def test_list_filter_out_of_range_matches_nothing(gate_world, api_as, path, name, big):
    """As in the case files' filters: an id no row can have matches nothing."""
    r = api_as(gate_world.users["operator"]).get(f"{path}?{name}={big}")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["total"] == 0


def test_html_list_filter_out_of_range_matches_nothing(gate_world, browser_as):
    r = browser_as(gate_world.users["operator"]).get(f"/transfers?project_id={2**63}")
    assert r.status_code == 200
