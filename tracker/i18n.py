"""The two languages of the interface and how a request picks one."""

from __future__ import annotations

from pathlib import Path

from flask import has_request_context, request, session
from flask_login import current_user

LOCALES = ("ko", "en")
PACKAGE_DIR = Path(__file__).parent


def translation_directories() -> str:
    """Every `translations*` folder of the package (each domain keeps its own Korean
    catalogue), relative to it, for Flask-Babel."""
    dirs = sorted(
        p.relative_to(PACKAGE_DIR).as_posix()
        for p in PACKAGE_DIR.glob("**/translations*")
        if p.is_dir()
    )
    return ";".join(dirs)


def select_locale() -> str:
    """The signed-in user's locale, else the one chosen on the login page, else the browser's
    (Korean when it names neither); the CLI speaks English."""
    if not has_request_context():
        return "en"
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    if session.get("lang") in LOCALES:
        return str(session["lang"])
    return request.accept_languages.best_match(LOCALES) or "ko"
