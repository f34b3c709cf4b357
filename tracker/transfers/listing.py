"""The API's lists of data-sharing requests, lean: the columns a list shows, as plain rows, in
a fixed number of statements whatever the page size or the number of requests.

1. the filtered total (a COUNT over the requests' own indexes; the projects joined only when
   the scope, a zone or a sort by project needs them, `queries.filtered`);
2. the page's ids, walking the sort's index no further than the page;
3. the page's columns with the partner's name;
4. the page's files and asset ids (one UNION ALL).

The JSON is written from these rows (`tracker.web.lean`); `TransferOutSchema` still validates
the query and documents the response, and a test compares each item with what it writes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker import policy
from tracker.auth.models import Organization, User
from tracker.db import db
from tracker.transfers import files, queries
from tracker.transfers.gate import rendered
from tracker.transfers.models import TransferFile, TransferRequest, transfer_assets
from tracker.web.paging import count_of

#: the request's own columns an item shows (the schema's fields, less the derived ones)
COLUMNS = (
    "id",
    "project_id",
    "partner_id",
    "purpose",
    "channel",
    "planned_on",
    "status",
    "checks",
    "checked_at",
    "requested_by_id",
    "decided_by_id",
    "decided_at",
    "decision_note",
    "decision_checks",
    "version",
    "created_at",
)


def page(user: User, filters: queries.TransferFilters, page: int, per_page: int) -> dict[str, Any]:
    """One page: `{"items": rows shaped as TransferOutSchema's, "total", "page", "per_page"}`."""
    matching = queries.filtered(user, filters, sa.select(TransferRequest.id))
    total = db.session.execute(count_of(matching)).scalar_one()
    window = queries.ordered(matching, filters).limit(per_page).offset((page - 1) * per_page)
    ids = list(db.session.execute(window).scalars())
    return {"items": rows(user, ids), "total": total, "page": page, "per_page": per_page}


def rows(user: User, ids: list[int]) -> list[dict[str, Any]]:
    """The items of the requests `ids` (in the user's scope: the caller's query), in that
    order: two statements."""
    if not ids:
        return []
    found = {row.id: dict(row._mapping) for row in db.session.execute(PAGE, {"ids": ids})}
    for item in found.values():
        item["asset_ids"], item["files"] = [], []
        item["checks"] = rendered(item["checks"])
        if item["decision_checks"] is not None:
            item["decision_checks"] = rendered(item["decision_checks"])
    # every row is in the user's scope (the list's own condition), so whether the user may
    # download the files, and so see their digests, is the role's question
    digest = files.digester() if policy.may(user, "attachment.download") else None
    for member in db.session.execute(MEMBERS, {"ids": ids}):
        item = found[member.transfer_id]
        if member.kind == "asset":
            item["asset_ids"].append(member.member_id)
            continue
        named = {
            "attachment_id": member.member_id,
            "attachment_version": member.attachment_version,
            "filename": member.filename,
            "size": member.size,
        }
        if digest is not None:
            sealed = member.sha256_sealed
            named["sha256"] = digest(member.member_id, member.attachment_version, sealed)
        item["files"].append(named)
    return [found[i] for i in ids if i in found]


#: the page's ids, bound as one list (not a parameter built per id)
IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)


def _members() -> sa.Select[Any]:
    """The files (by their id) and the asset ids (ascending) of the requests `IDS`, in one
    UNION ALL: `(transfer_id, kind, member_id, ...)`, the file's columns empty for an asset
    (the digest sealed: shown only to those who may download the file)."""
    f = TransferFile
    named = sa.select(
        f.transfer_id,
        sa.literal("file").label("kind"),
        f.attachment_id.label("member_id"),
        f.id.label("position"),
        f.attachment_version,
        f.filename,
        f.size,
        f.sha256_sealed,
    ).where(f.transfer_id.in_(IDS))
    assets = sa.select(
        transfer_assets.c.transfer_id,
        sa.literal("asset"),
        transfer_assets.c.asset_id,
        transfer_assets.c.asset_id,
        sa.null(),
        sa.null(),
        sa.null(),
        sa.null(),
    ).where(transfer_assets.c.transfer_id.in_(IDS))
    both = sa.union_all(named, assets).subquery()
    return sa.select(both).order_by(both.c.kind, both.c.position)


#: built once: their shapes never change
MEMBERS = _members()
#: the page's columns with the partner's name
PAGE = (
    sa.select(
        *(getattr(TransferRequest, name) for name in COLUMNS),
        Organization.name.label("partner_name"),
    )
    .join(Organization, Organization.id == TransferRequest.partner_id)
    .where(TransferRequest.id.in_(IDS))
)
