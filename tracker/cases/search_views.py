"""The search results page: records of every kind matching a text, each linked to its own
page (the header's search box lands here)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from tracker import policy, records
from tracker.cases import search, search_results
from tracker.ui import record_link
from tracker.web import current
from tracker.web.paging import page_args

bp = Blueprint("search", __name__, template_folder="templates")


@bp.route("/search")
def search_page() -> Any:
    user = current.user()
    policy.require(user, "project.view")
    q = request.args.get("q", "")[: search.MAX_QUERY_LENGTH]
    paging = page_args(per_page=20)
    hits = search_results.find(user, q, paging["page"], paging["per_page"])
    results = [
        dict(hit, kind_name=records.kind_name(hit["type"]), url=_link(user, hit))
        for hit in hits.items
    ]
    return render_template(
        "cases/search_results.html", q=q, hits=hits, results=results, paging=paging
    )


def _link(user: Any, hit: dict[str, Any]) -> str | None:
    """The record's own page (its project's for a kind without one), when the user's role may
    open it (`tracker.ui.record_link`); None otherwise (the result is shown without a link)."""
    return record_link(user, hit["type"], hit["id"], hit["project_id"], hit["parent_id"])
