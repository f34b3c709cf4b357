"""Request plumbing shared by every blueprint: default deny, one commit per request, headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import ValidationError

from tracker.db import db, defer_reads
from tracker.errors import STALE_MESSAGE, is_api_request, problem
from tracker.web.bodies import check_json_body, check_query_args

#: endpoints reachable without signing in (SecureDrop's `_insecure_views`); everything else
#: needs a signed-in user
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "auth.login",
        "auth.login_totp",
        #: the passkey step of the sign-in (only for the account whose password was right)
        "mfa.login_passkey_options",
        "mfa.login_passkey",
        "main.set_language",
        "api_auth.issue_token",
        "api_health.health",
        "api-docs.openapi_json",
        #: the iCalendar feed: its 256-bit secret in the URL is the credential
        "deadlines.calendar_feed",
        #: an invitation's page: its one-time 256-bit secret in the URL is the credential
        "auth.invitation",
    }
)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_TYPES = frozenset({"application/json", "application/problem+json"})


def local_path(target: str | None) -> str | None:
    """`target` when it is a path of this site, else None (for `next` parameters). Browsers
    read a backslash as a slash (`/\\host` is `//host`) and drop tabs and newlines, so those
    never pass."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if "\\" in target or not target.isprintable() or parts.scheme or parts.netloc:
        return None
    return target


def accepts_multipart(view):  # type: ignore[no-untyped-def]
    """Mark an API view that takes multipart/form-data instead of JSON."""
    view.accepts_multipart = True
    return view


def _default_deny() -> ResponseReturnValue | None:
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    signed_in = current_user.is_authenticated  # loads the user (and g.api_token) lazily
    if is_api_request():
        if request.headers.get("Authorization") is not None and g.get("api_token") is None:
            abort(401)  # a bad bearer token is refused even when a session cookie is sent
        if not signed_in:
            abort(401)
        if request.method in UNSAFE_METHODS and g.get("api_token") is None:
            _check_csrf_header()  # a browser session calling the API needs X-CSRFToken
        _check_content_type()
        return None
    if not signed_in:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def _check_csrf_header() -> None:
    """Validate the X-CSRFToken header without touching the body: `csrf.protect()` would parse
    a multipart body to look for a form field, and Werkzeug would spool an uploaded file, in
    plaintext, to a temporary file before the encrypting upload could read the stream."""
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError as exc:
        raise CSRFError(str(exc)) from None


def _check_content_type() -> None:
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    view = request.url_rule and request.url_rule.endpoint
    func = view and request.blueprint and _view_function(view)
    if getattr(func, "accepts_multipart", False):
        if request.mimetype != "multipart/form-data":
            abort(415, "Send the file as multipart/form-data.")
        return
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
    if has_body and request.mimetype not in JSON_TYPES:
        abort(415, "Send the body as application/json.")


def _view_function(endpoint: str):  # type: ignore[no-untyped-def]
    func = current_app.view_functions.get(endpoint)
    return getattr(func, "view_class", func)


def _commit(response: Response) -> Response:
    """Commit once at the end of a successful request; anything else rolls back."""
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return problem(409, STALE_MESSAGE)
    except IntegrityError:
        db.session.rollback()
        return problem(409, "The change conflicts with existing records.")
    return response


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if request.endpoint != "static":
        # authenticated pages and API answers must not sit in shared or browser caches
        headers["Cache-Control"] = "no-store"
    return response


def _transaction_kind() -> None:
    """Requests that only read (GET, HEAD, OPTIONS) begin their SQLite transactions DEFERRED;
    the rest IMMEDIATE (tracker.db). Runs before anything touches the database."""
    defer_reads(request.method not in UNSAFE_METHODS)


def _end_transaction_kind(_exc: BaseException | None) -> None:
    defer_reads(False)


def init_app(app: Flask) -> None:
    # first of all, so that even the user's lookup begins the right kind of transaction
    app.before_request_funcs.setdefault(None, []).insert(0, _transaction_kind)
    app.teardown_request(_end_transaction_kind)
    app.before_request(_default_deny)
    app.before_request(check_json_body)  # after the deny: a stranger's body is never parsed
    app.before_request(check_query_args)
    app.after_request(_commit)
    app.after_request(_security_headers)
