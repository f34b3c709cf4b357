"""Records the random clients and the steps both make: a filed disclosure, the asset an
acceptance makes, a filed transfer request; each goes to the ledger once acknowledged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.proofs.crash.harness import Harness, Project
from tests.security.proofs.crash.ledger import Expectation, same

#: the title prefix of an asset an acceptance makes (checks.py finds them by it)
ACCEPTED = "Accepted disclosure"


def day(offset: int) -> str:
    return (dt.date.today() + dt.timedelta(days=offset)).isoformat()


def file_disclosure(h: Harness, project: Project, n: int, send: Any) -> int | None:
    """A company files a disclosure; its id once acknowledged (and in the ledger)."""
    body = {
        "title": f"Disclosure {n}",
        "description": f"Invention {n}: a converter that halves the losses.",
        "inventors": [{"name": f"Inventor {n}", "share_pct": 100, "nationality": "KR"}],
        "conceived_on": day(-30),
    }
    answer = send("company", "POST", f"/api/v1/projects/{project.id}/disclosures", body)
    if answer is None or answer[0] != 201:
        return None
    ident = answer[1]["id"]
    fields = {**same(body, "title", "description"), "status": ["submitted"], "asset_id": [None]}
    path = f"/api/v1/disclosures/{ident}"
    h.ledger.acknowledge("disclosure", ident, Expectation(path, "company", fields))
    return int(ident)


def acceptance_asset(title: str) -> dict[str, Any]:
    return {
        "kind": "patent",
        "sensitivity": "confidential",
        "title": title,
        "nct_status": "not_nct",
        "strategic_item": "no",
    }


def acknowledge_accepted_asset(h: Harness, disclosure: Any, project_id: int, title: str) -> None:
    """The asset an acknowledged acceptance made must read back linked to its disclosure."""
    fields = {"disclosure_id": [disclosure["id"]], "title": [title], "project_id": [project_id]}
    path = f"/api/v1/assets/{disclosure['asset_id']}"
    h.ledger.acknowledge("asset", disclosure["asset_id"], Expectation(path, "lawyer", fields))


def file_transfer(
    h: Harness, project: Project, assets: list[int], n: int, send: Any
) -> tuple[int, str] | None:
    """A company files a transfer request; (id, status) once acknowledged (and in the
    ledger)."""
    body = {
        "partner_id": project.partner_id,
        "asset_ids": assets,
        "attachment_ids": [],
        "purpose": f"Joint test {n}",
        "channel": "secure_platform",
        "planned_on": day(14),
    }
    answer = send("company", "POST", f"/api/v1/projects/{project.id}/transfers", body)
    if answer is None or answer[0] != 201:
        return None
    got = answer[1]
    fields = {
        **same(body, "partner_id", "purpose", "asset_ids"),
        "status": [got["status"]],
        "decided_by_id": [None],
    }
    path = f"/api/v1/transfers/{got['id']}"
    h.ledger.acknowledge("transfer", got["id"], Expectation(path, "company", fields))
    return int(got["id"]), str(got["status"])
