"""The home page and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_login import current_user

from tracker.auth.forms import PlainForm
from tracker.dashboard.views import start_page
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
    target = request.referrer or url_for("main.index")
    host = request.host_url
    return redirect(target if target.startswith(host) else url_for("main.index"))
