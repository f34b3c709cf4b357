"""The home page and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.auth.forms import PlainForm
from tracker.auth.views import LANGUAGE_CHOSEN
from tracker.dashboard.views import start_page
from tracker.extensions import rest_api
from tracker.i18n import LOCALES

bp = Blueprint("main", __name__)


@bp.route("/")
def index() -> Any:
    """The start page: the signed-in user's dashboard."""
    return start_page()


@bp.route("/language/<lang>", methods=["POST"])
def set_language(lang: str) -> Any:
    if lang not in LOCALES:
        abort(404)
    if not PlainForm().validate_on_submit():
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
    else:  # kept when the person signs in (tracker.auth.views)
        session[LANGUAGE_CHOSEN] = True
    target = request.referrer or url_for("main.index")
    host = request.host_url
    return redirect(target if target.startswith(host) else url_for("main.index"))


HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@bp.route("/api-reference")
def api_reference() -> Any:
    """The API reference: every operation of the OpenAPI document, grouped by tag, rendered
    on the server (no CDN, no script). The document itself is /api/v1/openapi.json."""
    spec = rest_api.spec.to_dict()
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["-"])[0]
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary") or "",
                    "description": operation.get("description") or "",
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    return render_template("api_reference.html", groups=groups, spec=spec)
