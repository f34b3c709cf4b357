"""The portfolio lists, lean: the columns a list shows, as plain rows, in a fixed number of
statements whatever the page size or the size of the database.

1. the page's ids, filtered and sorted by `service.assets` / `service.reviews` (the scope as
   `project_id IN (the user's projects)`, so the sort's index is walked no further than the
   page shows);
2. their total: a COUNT of the same select, its columns dropped (an index counts it); for
   every row of the table (everyone's scope, no filter), counted up to `search.COUNT_LIMIT`
   rows, highest ids first, and estimated beyond from the ids they span
   (`search_results.estimated_total`; `total_estimated`, "about N"); none when the page
   shows the end of the list. A text search (`q`) whose hits are listed for the page (a
   rare word, a narrow scope) counts them with the page instead, exactly (`count(*) OVER ()`
   beside the ids, `_counted_page`), so they are read once. A common word's hits (each asset
   walked) are counted from a sample of the newest (`search_results.sampled_total`): exact
   when it holds them all, estimated when it says they are far more than a count would
   read, else listed and counted exactly; an estimate is remembered a minute per process
   (`_estimates`), so the sample is read once a minute per worker;
3. the page's columns with the project's code (one statement; sealed text opened as loading
   the record would);
4. for a whole asset: its owners and its deadlines, entered and derived (one statement for
   all three, `_asset_parts`).

The API answers these rows without the ORM or marshmallow on the way out (the schemas still
validate input and document the output: a test compares the two); the HTML pages render the
same rows. Downloads keep the ORM query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale

from tracker import policy
from tracker.auth.models import User
from tracker.cases import search, search_results
from tracker.cases.assets.models import AssetDeadline, AssetOwner, DerivedDeadline, IpAsset
from tracker.cases.portfolio import service
from tracker.cases.projects.models import Project
from tracker.cases.reviews import scoring
from tracker.cases.reviews.models import RiskReview
from tracker.db import BuiltOnce, Remembered, among_bound, database_key, db
from tracker.sealing import open_column, open_columns
from tracker.web.paging import count_of

#: what an operator's list shows of an asset (`AssetLimitedSchema`, less the project's code)
ASSET_LIMITED = (
    "id",
    "project_id",
    "title",
    "kind",
    "sensitivity",
    "nct_status",
    "nct_ref",
    "nct_filed_on",
    "strategic_item",
    "export_licence_ref",
    "export_licence_until",
    "version",
)
#: the whole asset's own columns (`AssetSchema`; owners and deadlines come apart)
ASSET_FULL = (
    *ASSET_LIMITED,
    "description",
    "jurisdictions",
    "application_no",
    "priority_on",
    "filed_on",
    "registration_no",
    "registered_on",
    "originality_cert_no",
    "confidentiality_marked",
    "created_at",
    "updated_at",
    "disclosure_id",
    "next_due_on",
)
#: what the HTML list shows
ASSET_HTML = ("id", "project_id", "title", "kind", "sensitivity", "nct_status", "next_due_on")

#: a review's columns (`RiskReviewSchema`; the derived fields are computed from them)
REVIEW_COLUMNS = (
    "id",
    "project_id",
    "catalogue_version",
    "answers",
    "summary",
    "likelihood",
    "impact",
    "score",
    "level",
    "status",
    "author_id",
    "author_name",
    "author_role",
    "reviewer_id",
    "reviewer_name",
    "reviewer_role",
    "decided_at",
    "conditions",
    "valid_until",
    "version",
    "created_at",
)
#: what the HTML list shows
REVIEW_HTML = ("id", "project_id", "created_at", "score", "level", "status", "valid_until")


def _conn() -> sa.Connection:
    """The session's connection: plain rows of Core statements, without the ORM's execution
    path (nothing here loads a record)."""
    return db.session.connection()


def _page(
    ids_stmt: sa.Select[Any],
    key: Any,
    filters: dict[str, Any],
    *,
    estimate: bool,
    listed: Callable[[], sa.Select[Any]] | None = None,
    memory: Hashable | None = None,
    params: dict[str, Any] | None = None,
) -> tuple[list[int], int, bool]:
    """The ids of the page `filters` asks for, and the total of the filtered list with
    whether it is an estimate: `(ids, total, estimated)`. `key`: the list's id column.

    `estimate`: the total is counted up to `search.COUNT_LIMIT` rows and estimated beyond
    (`search_results.estimated_total`, as the project list's text search), for a list whose
    exact count would read every row (`_broad`: ~100,000 asset ids on PostgreSQL);
    otherwise it is counted exactly, from an index (the filter's or
    the scope's: cheaper than reading the first ids in id order, which may visit each row).
    `listed`: `ids_stmt` walks each asset asking a common word of it; builds the same rows
    with the word's hits listed (built only when they are counted). The total is then from a
    sample of `search.SAMPLE_HITS` hits (`search_results.sampled_total`), or, when the
    sample is not enough, the count of `listed` (exact: it reads each hit once, where
    walking on would test every asset);
    an estimate remembered by `memory` (`_sample_total`) stands for the sample.
    A page that shows the end of the list (fewer rows than a page holds) is its total
    already, exact, without a count. `params`: the values of `ids_stmt`'s named parameters
    (a walked condition built once, `search.assets_matching`)."""
    number, per_page = filters["page"], filters["per_page"]
    offset = (number - 1) * per_page
    conn = _conn()
    ids = list(conn.scalars(ids_stmt.limit(per_page).offset(offset), params))
    if len(ids) < per_page and (ids or number == 1):
        return ids, offset + len(ids), False
    if listed is not None:
        sampled = _sampled_total(ids_stmt, key, memory, params)
        if sampled is not None:
            return ids, *sampled
        return ids, conn.execute(count_of(listed())).scalar_one(), False
    if estimate:
        total, estimated = search_results.estimated_total(ids_stmt.order_by(None), key)
        return ids, total, estimated
    return ids, conn.execute(count_of(ids_stmt)).scalar_one(), False


#: what orders, pages or writes a list, not what filters it
_NOT_FILTERS = frozenset({"page", "per_page", "sort", "format"})


def _broad(user: User, filters: dict[str, Any]) -> bool:
    """Whether the list is every row of its table: everyone's scope (admins, auditors) and no
    filter at all (any key but the paging, the sort and the format, so a filter added to the service
    later counts as one without being named here)."""
    everyone = isinstance(policy.visible_projects(user), sa.sql.elements.True_)
    return everyone and not any(v for k, v in filters.items() if k not in _NOT_FILTERS)


#: per process: the estimate ("about N") a trusted sample of a word's hits gave
#: (`search_results.sampled`, in everyone's scope: `search.may_walk`), by `_estimate_key`;
#: forgotten after a minute. An estimate only: an exact total (a sample that holds every hit,
#: or too small to trust, a page that shows the end of the list) is never remembered, nor
#: a page's rows. Within the minute the "about N" may lag the data (a word's assets added or
#: removed since): the price of reading the sample once a minute per process.
_estimates: Remembered[int] = Remembered(256, seconds=60)


def _estimate_key(user: User, filters: dict[str, Any]) -> Hashable:
    """What a sample's estimate is remembered by (`_estimates`): the database, the role and
    the actions it may search (which entries count), and a digest of every filter (the words
    among them: a digest, not the words, which may name an unpublished invention); not the
    page, its size, its sort or its format, which change no total."""
    counted = sorted((k, repr(v)) for k, v in filters.items() if k not in _NOT_FILTERS)
    return (
        database_key(),
        user.role,
        tuple(sorted(search.allowed_actions(user))),
        hashlib.sha256(repr(counted).encode()).digest(),
    )


def _sample_total(
    memory: Hashable | None, sample: Callable[[], tuple[int, bool] | None]
) -> tuple[int, bool] | None:
    """A word's total from its sample (`sample()`, as `search_results.sampled` answers), or
    the estimate remembered by `memory` (`_estimates`; None: not remembered) instead of
    reading it; a trusted sample's estimate is remembered."""
    remembered = _estimates.get(memory)
    if remembered is not None:
        return remembered, True
    found = sample()
    if found is not None and found[1]:
        _estimates.put(memory, found[0])
    return found


def _sampled_total(
    ids_stmt: sa.Select[Any],
    key: Any,
    memory: Hashable | None,
    params: dict[str, Any] | None = None,
) -> tuple[int, bool] | None:
    """`_sample_total` of the list `ids_stmt` selects (`params`: the values of its named
    parameters): from its newest `search.SAMPLE_HITS` + 1 `key` ids
    (`search_results.sampled_total`)."""
    return _sample_total(
        memory,
        lambda: search_results.sampled_total(
            ids_stmt.order_by(None), key, search.SAMPLE_HITS, params
        ),
    )


def _read_whole(user: User) -> bool:
    """Whether a list without a text search reads every row of `user`'s scope for its page,
    so its total is counted with the page (`_counted_page`) rather than by a statement
    apart that reads them again: a lawyer's scope on PostgreSQL, read by key
    (`service._in_scope`'s `by_key`: each of their projects' rows found by its index, then
    sorted). Not on SQLite, whose page walks the project's sort index alone (covering) and
    stops at the page, where a count beside it would read every row (measured: 0.4 + 0.1 ms
    apart, 1.0 ms together)."""
    return policy.scope_assignments(user) is not None and (
        db.session.get_bind().dialect.name == "postgresql"
    )


def _counted_page(
    ids_stmt: sa.Select[Any], filters: dict[str, Any], *, memory: Hashable | None
) -> tuple[list[int], int, bool]:
    """The page's ids each with the filtered total beside them (`count(*) OVER ()`: the ids
    are the list's rows, each once, so it counts the list): `(ids, total, estimated)`. For a
    text search whose hits are listed for the page (`search.walks_assets` false), or a list
    that reads every row of its scope for the page (`_read_whole`): a count apart would read
    them again. A page past the end holds no row to carry the total: then it is counted
    apart.

    `memory` (`_estimate_key`, given when `search.may_walk`: a word in everyone's scope):
    the total is the one a walked page gives (`_page` with `listed`), so that it does not
    depend on how the page was read: from the newest `search.SAMPLE_HITS` + 1 hits, read
    beside the page (`search_results.sample_columns`), or the estimate remembered by
    `memory`, unless the page shows the end of the list."""
    number, per_page = filters["page"], filters["per_page"]
    sampled = memory is not None
    conn = _conn()
    counted = ids_stmt.add_columns(sa.func.count().over().label("total"))
    if sampled:
        counted = counted.add_columns(
            *search_results.sample_columns(IpAsset.id, search.SAMPLE_HITS)
        )
    rows = conn.execute(counted.limit(per_page).offset((number - 1) * per_page)).all()
    if rows:
        ids, total = [row[0] for row in rows], int(rows[0][1])
        if sampled and len(rows) == per_page:
            sample, (lowest, first_id, last_id) = search.SAMPLE_HITS, rows[0][2:5]
            found = _sample_total(
                memory,
                lambda: search_results.sampled(
                    min(total, sample + 1), lowest, first_id, last_id, sample
                ),
            )
            if found is not None:
                return ids, *found
        return ids, total, False
    if number == 1:
        return [], 0, False
    if sampled:
        found = _sampled_total(ids_stmt, IpAsset.id, memory)
        if found is not None:
            return [], *found
    return [], conn.execute(count_of(ids_stmt)).scalar_one(), False


#: the columns statement of each (model, names): built once, the page's ids bound per call
_COLUMNS: BuiltOnce[sa.Select[Any]] = BuiltOnce(16)


def _plain(column: Any) -> Any:
    """`column` as the list reads it: an enum's value as the plain string the database holds
    (its CHECK constraint keeps it one of the enum's: the value the enum type would give,
    without a lookup per row and column)."""
    if isinstance(column.type, sa.Enum):
        return sa.type_coerce(column, sa.String)
    return column


def _rows(model: Any, names: tuple[str, ...], ids: list[int]) -> list[dict[str, Any]]:
    """The columns `names` of the `model` rows `ids` with their project's code, in the order
    of `ids`."""
    if not ids:
        return []
    stmt = _COLUMNS.get(
        (model, names, db.session.get_bind().dialect.name),
        lambda: (
            sa.select(
                *(_plain(getattr(model, n)).label(n) for n in names),
                Project.code.label("project_code"),
            )
            .join(Project, Project.id == model.project_id)
            .where(among_bound(model.id, "ids"))
        ),
    )
    result = _conn().execute(stmt, {"ids": ids})
    keys = tuple(result.keys())
    at = keys.index("id")
    found = {row[at]: dict(zip(keys, row, strict=True)) for row in result.all()}
    return [found[i] for i in ids if i in found]


def asset_page(user: User, filters: dict[str, Any], shape: str) -> dict[str, Any]:
    """One page of the asset portfolio: `{"items", "total", "total_estimated", "page",
    "per_page"}`, each item shaped as `shape` says: "full" (`PortfolioAssetSchema`),
    "limited" (`PortfolioAssetLimitedSchema`) or "html" (what the page shows)."""
    q: str = filters.get("q") or ""
    walk = bool(q) and search.walks_assets(user, q)
    # a walked condition may be one built once: what it asks the indexes bound here
    params: dict[str, Any] = {}
    ids_stmt = service.assets(user, filters, ids=True, walk=walk, params=params)
    # a word in everyone's scope: its total from a sample, its estimate remembered
    memory = _estimate_key(user, filters) if q and search.may_walk(user, q) else None
    if q and not walk:
        # the hits are listed for the page anyway (a rare word, a narrow scope): counted
        # with it
        ids, total, estimated = _counted_page(ids_stmt, filters, memory=memory)
    elif not q and _read_whole(user):  # a lawyer's assets, each read for the page's order
        ids, total, estimated = _counted_page(ids_stmt, filters, memory=None)
    elif walk:  # a common word's hits: from a sample, else listed and counted
        ids, total, estimated = _page(
            ids_stmt,
            IpAsset.id,
            filters,
            estimate=True,
            listed=lambda: service.assets(user, filters, ids=True),
            memory=memory,
            params=params,
        )
    else:  # every asset: estimated beyond the limit
        ids, total, estimated = _page(ids_stmt, IpAsset.id, filters, estimate=_broad(user, filters))
    names = {"full": ASSET_FULL, "limited": ASSET_LIMITED, "html": ASSET_HTML}[shape]
    items = _rows(IpAsset, names, ids)
    if shape == "full" and items:
        _add_owners_and_deadlines(items)
    return {
        "items": items,
        "total": total,
        "total_estimated": estimated,
        "page": filters["page"],
        "per_page": filters["per_page"],
    }


#: the owners and the deadlines statement of a page of assets, per database: built once, the
#: page's ids bound per call
_ASSET_PARTS: BuiltOnce[sa.Executable] = BuiltOnce(4)

#: what a row of `_asset_parts` is: an owner, an entered deadline or a derived one
_OWNER, _ENTERED, _DERIVED = 0, 1, 2


def _asset_parts() -> sa.Executable:
    """The owners of the assets `:ids` and their deadlines in one statement (one round trip,
    where owners and deadlines were one each): per asset its owners (by organization), then
    its deadlines entered (by date), then derived (by date and key), as
    `assets.deadline_items` lists them. Each row says what it is (`part`: `_OWNER`,
    `_ENTERED`, `_DERIVED`); the columns another part has are NULL. The owners come first,
    so the NULLs of their deadline columns are cast to the deadlines' types (the result's
    types are the first select's, and PostgreSQL types a column of NULLs as text)."""

    def none(type_: Any) -> Any:
        return sa.cast(sa.null(), type_)

    owners = sa.select(
        AssetOwner.asset_id,
        sa.literal(_OWNER).label("part"),
        AssetOwner.organization_id,
        AssetOwner.share_pct,
        none(sa.Integer).label("id"),
        none(sa.String).label("kind"),
        none(sa.Date).label("due_on"),
        none(sa.String).label("note"),
        none(sa.Boolean).label("done"),
        none(sa.String).label("rule"),
        none(sa.String).label("key"),
    ).where(among_bound(AssetOwner.asset_id, "ids"))
    entered = sa.select(
        AssetDeadline.asset_id,
        sa.literal(_ENTERED),
        sa.null(),
        sa.null(),
        AssetDeadline.id,
        sa.type_coerce(AssetDeadline.kind, sa.String),
        AssetDeadline.due_on,
        AssetDeadline.note,
        AssetDeadline.done,
        sa.null(),
        sa.null(),
    ).where(among_bound(AssetDeadline.asset_id, "ids"))
    derived = sa.select(
        DerivedDeadline.asset_id,
        sa.literal(_DERIVED),
        sa.null(),
        sa.null(),
        sa.null(),
        sa.type_coerce(DerivedDeadline.kind, sa.String),
        DerivedDeadline.due_on,
        sa.null(),
        DerivedDeadline.done,
        DerivedDeadline.rule,
        DerivedDeadline.key,
    ).where(among_bound(DerivedDeadline.asset_id, "ids"))
    parts = sa.union_all(owners, entered, derived).subquery()
    c = parts.c
    return sa.select(parts).order_by(c.asset_id, c.part, c.organization_id, c.due_on, c.id, c.key)


def _add_owners_and_deadlines(items: list[dict[str, Any]]) -> None:
    by_id = {item["id"]: item for item in items}
    descriptions = open_columns(
        IpAsset, "description", [(i["id"], i["project_id"], i["description"]) for i in items]
    )
    for item, description in zip(items, descriptions, strict=True):
        item["description"] = description
        item["owners"], item["deadlines"] = [], []
    stmt = _ASSET_PARTS.get(db.session.get_bind().dialect.name, _asset_parts)
    rows = _conn().execute(stmt, {"ids": list(by_id)}).all()
    for (
        asset_id,
        part,
        organization_id,
        share,
        deadline_id,
        kind,
        due_on,
        note,
        done,
        rule,
        key,
    ) in rows:
        item = by_id[asset_id]
        if part == _OWNER:
            item["owners"].append({"organization_id": organization_id, "share_pct": float(share)})
            continue
        derived = part == _DERIVED
        item["deadlines"].append(
            {
                "id": deadline_id,
                "kind": kind.removeprefix("ip_") if derived else kind,
                "due_on": due_on,
                "note": note,
                "done": bool(done),
                "derived": derived,
                "rule": rule,
                "key": key,
            }
        )


def review_page(user: User, filters: dict[str, Any], shape: str) -> dict[str, Any]:
    """One page of the review portfolio: `{"items", "total", "total_estimated", "page",
    "per_page"}`, each item shaped as `shape` says: "api" (`PortfolioReviewSchema`, the
    answers, summary and drivers only for roles that may see them) or "html" (what the page
    shows)."""
    broad = _broad(user, filters)
    stmt = service.reviews(user, filters, ids=True)
    if _read_whole(user):  # a lawyer's reviews, each read for the page's order
        ids, total, estimated = _counted_page(stmt, filters, memory=None)
    else:
        ids, total, estimated = _page(stmt, RiskReview.id, filters, estimate=broad)
    if shape == "html":
        items = _rows(RiskReview, REVIEW_HTML, ids)
    else:
        # every row is in the user's scope and no other user's draft (the select's
        # conditions): the policy's answer per row is the role's, asked once
        locale = str(get_locale() or "en") if policy.may(user, "review.view_answers") else None
        items = [_review_item(row, locale) for row in _rows(RiskReview, REVIEW_COLUMNS, ids)]
    return {
        "items": items,
        "total": total,
        "total_estimated": estimated,
        "page": filters["page"],
        "per_page": filters["per_page"],
    }


def _nct_forced(row: dict[str, Any]) -> bool | None:
    """`risk.result_of(review).nct_forced` of a row."""
    return scoring.nct_forced(
        row["likelihood"], row["impact"], row["score"], row["answers"], row["catalogue_version"]
    )


def _review_item(row: dict[str, Any], locale: str | None) -> dict[str, Any]:
    """A row as `PortfolioReviewSchema` writes the review; `locale`: the drivers' language
    where the reader may see answers (None: no drivers)."""
    row["conditions"] = open_column(
        RiskReview, "conditions", row["id"], row["project_id"], row["conditions"]
    )
    row["nct_forced"] = _nct_forced(row)
    row["author"] = {"id": row["author_id"], "name": row["author_name"], "role": row["author_role"]}
    row["decided_by"] = (
        None
        if row["reviewer_id"] is None
        else {"id": row["reviewer_id"], "name": row["reviewer_name"], "role": row["reviewer_role"]}
    )
    if locale is not None:  # (the API leaves answers, summary and drivers out for the others)
        row["drivers"] = scoring.drivers(row["answers"], locale)
    return row
