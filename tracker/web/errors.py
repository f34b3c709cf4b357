"""Error handlers: problem+json (RFC 9457) on API paths, HTML pages elsewhere; never a 500
for bad input, and never a value in a log line."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request
from flask_babel import gettext
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError, MethodNotAllowed

from tracker.audit.service import record_apart
from tracker.db import db
from tracker.errors import (
    CONFLICT_MESSAGE,
    PROBLEM_MEMBERS,
    STALE_MESSAGE,
    InvalidInput,
    SealedTextError,
    SignInAgain,
    StateConflict,
    is_api_request,
    problem,
)

log = logging.getLogger(__name__)


def _flatten_webargs(messages: Any) -> dict[str, list[str]]:
    """webargs nests messages by location ({"json": {"field": [...]}}); flatten to fields."""
    errors: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            errors.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(f"{prefix}.{i}", sub)
        else:
            errors.setdefault(prefix or "_schema", []).append(str(value))

    if isinstance(messages, dict):
        for _location, fields in messages.items():
            walk("", fields)
    return errors


def _rollback() -> None:
    db.session.rollback()


def _audit_denied(status: int) -> None:
    """Every denied request is audited, in its own transaction after the rollback."""
    try:
        record_apart(
            "access.denied",
            reason="the request is refused and rolled back; the refusal must stay on record",
            detail={"status": status, "method": request.method, "path": request.path[:200]},
        )
    except Exception as exc:  # auditing must not turn a 403 into a 500
        log.error("could not audit a denied request (%s)", type(exc).__name__)
        db.session.rollback()


def handle_http_exception(exc: HTTPException) -> Any:
    _rollback()
    status = exc.code or 500
    if status in (401, 403):
        _audit_denied(status)
    headers: dict[str, str] = {}
    if status == 429:
        headers["Retry-After"] = str(getattr(exc, "retry_after", None) or 60)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # RFC 9110: a 405 names them
    if is_api_request():
        extra: dict[str, Any] = {}
        detail = exc.description if status != 500 else None
        data = getattr(exc, "data", None)
        if status in (400, 422) and isinstance(data, dict) and "messages" in data:
            errors = _flatten_webargs(data["messages"])
            if status == 400:
                detail = "; ".join(m for msgs in errors.values() for m in msgs) or detail
            else:
                extra["errors"] = errors
                detail = "Some fields are not valid."
        if isinstance(exc, CSRFError):
            detail = "The CSRF token is missing or invalid."
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        response = problem(status, detail, **extra)
    else:
        response = Response(
            render_template(
                "error.html",
                status=status,
                message=_error_message(status),
                allowed_roles=getattr(exc, "roles", ()),
            ),
            status=status,
            mimetype="text/html",
        )
    response.headers.update(headers)
    return response


def _error_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("Someone else changed this record; reload and try again."),
        413: _("The file is too large."),
        429: _("Too many attempts; wait a while and try again."),
    }
    return messages.get(status, _("Something went wrong."))


def handle_sign_in_again(exc: SignInAgain) -> Any:
    return handle_http_exception(Forbidden(exc.detail))


def handle_invalid_input(exc: InvalidInput) -> Any:
    _rollback()
    if is_api_request():
        return problem(422, "Some fields are not valid.", errors=exc.errors)
    return Response(
        render_template(
            "error.html",
            status=422,
            message="; ".join(m for msgs in exc.errors.values() for m in msgs),
        ),
        status=422,
    )


def handle_conflict(exc: StateConflict) -> Any:
    _rollback()
    if is_api_request():
        extra = {k: v for k, v in exc.extra.items() if k not in PROBLEM_MEMBERS}
        return problem(409, exc.detail, **extra)
    # a detail that is a catalogue message (STALE_MESSAGE, CONFLICT_MESSAGE) reads in the
    # reader's language; the services translate the rest where they raise
    message = gettext(exc.detail) if exc.detail else _error_message(409)
    return Response(render_template("error.html", status=409, message=message), status=409)


def handle_stale(_exc: Exception) -> Any:
    """Two edits raced: the one that flushed second loses (optimistic locking)."""
    return handle_conflict(StateConflict(STALE_MESSAGE))


def handle_integrity(_exc: Exception) -> Any:
    """A unique or foreign-key constraint refused a write at flush: two requests raced past a
    service's own checks (say, two projects created with one code at the same moment)."""
    return handle_conflict(StateConflict(CONFLICT_MESSAGE))


def where(exc: BaseException, frames: int = 8) -> str:
    """Where `exc` was raised, as `file:line in function` of its innermost frames: never its
    message, its arguments or any local value (an exception's message may quote record text,
    say openpyxl's quoting a cell)."""
    stack = traceback.extract_tb(exc.__traceback__)[-frames:]
    return " < ".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in reversed(stack))


def handle_sealed_text(exc: SealedTextError) -> Any:
    """A sealed text did not authenticate: never shown; the failure is audited (the record and
    the column, never a value) and the reader told that the text cannot be trusted."""
    _rollback()
    log.error("sealed text of %s %s failed its integrity check", exc.object_type, exc.object_id)
    try:
        record_apart(
            "sealed.integrity_failed",
            reason="the request fails and rolls back; the failure must stay on record",
            object_type=exc.object_type,
            object_id=exc.object_id,
            detail={"column": exc.column, "reason": exc.reason},
        )
    except Exception as failure:  # auditing must not hide the integrity failure
        log.error("could not audit a sealed text failure (%s)", type(failure).__name__)
        db.session.rollback()
    message = _(
        "Protected text of this record failed its integrity check and is not shown: it may "
        "have been altered. The failure is on record; tell your administrator."
    )
    if is_api_request():
        return problem(500, message)
    return Response(render_template("error.html", status=500, message=message), status=500)


def handle_unexpected(exc: Exception) -> Any:
    _rollback()
    # The exception's type, the request line and the code location only: the message and the
    # traceback's text may carry record content, so neither is logged.
    log.error(
        "unhandled %s on %s %s at %s",
        type(exc).__name__,
        request.method,
        # the route, not the path: a path may carry a secret (the calendar feed's address)
        request.url_rule.rule if request.url_rule else "(no route)",
        where(exc),
    )
    return handle_http_exception(InternalServerError())


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InvalidInput, handle_invalid_input)
    app.register_error_handler(StateConflict, handle_conflict)
    app.register_error_handler(SignInAgain, handle_sign_in_again)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(IntegrityError, handle_integrity)
    app.register_error_handler(SealedTextError, handle_sealed_text)
    app.register_error_handler(Exception, handle_unexpected)
