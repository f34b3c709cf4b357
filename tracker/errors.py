"""The errors every layer raises (exceptions only; `tracker.web.errors` turns them into
problem+json or pages) and the problem+json body itself."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail"})
#: a lost optimistic-locking race, in the API and on forms alike
STALE_MESSAGE = "The record was changed by someone else; reload it and try again."
#: a unique or foreign-key constraint refused a write two requests raced to
CONFLICT_MESSAGE = "The change conflicts with an existing record."


class ConfigurationError(RuntimeError):
    """The configuration cannot work (say, production without its secret key or key file)."""


class InvalidInput(Exception):
    """Field errors found by a service (422): `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]] | str, field: str = "_schema") -> None:
        if isinstance(errors, str):
            errors = {field: [errors]}
        super().__init__("invalid input")
        self.errors = errors


class SealedTextError(Exception):
    """A sealed text value does not authenticate (altered, moved to another row or column, or
    put there unsealed): it is never shown; the web layer audits the failure."""

    def __init__(self, object_type: str, object_id: int, column: str, reason: str) -> None:
        super().__init__(f"sealed text of {object_type} {object_id} ({column}) failed: {reason}")
        self.object_type = object_type
        self.object_id = object_id
        self.column = column
        self.reason = reason


class NotAllowed(Forbidden):
    """403 in scope: the action is open to other roles only. The error page says which roles
    would give access (their labels, nothing of the rule itself)."""

    def __init__(self, roles: Any = ()) -> None:
        super().__init__()
        self.roles = tuple(sorted(roles))


class StateConflict(Exception):
    """The record changed under the caller or is not in a state that allows this (409)."""

    def __init__(self, detail: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class SignInAgain(Exception):
    """The action grants access that outlives the session or token (a calendar feed), so it
    needs a recent sign-in (403 with `detail`; a page may ask for the password instead)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def check_version(record: Any, version: int | None, *, required: bool = True) -> None:
    """Optimistic locking: StateConflict (409) unless the caller edited the stored version;
    InvalidInput (422) when a required version is missing."""
    if version is None:
        if required:
            raise InvalidInput({"version": [_("Send the version you loaded.")]})
        return
    if record.version != version:
        raise StateConflict(_(STALE_MESSAGE), {"current_version": record.version})


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def problem(
    status: int, detail: str | None = None, *, problem_type: str = "about:blank", **extra: Any
) -> Response:
    """An RFC 9457 body (`problem_type`: a URI naming a problem callers act on); `extra`
    members never replace the standard ones."""
    body = {
        **extra,
        "type": problem_type,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or HTTP_STATUS_CODES.get(status, "Error"),
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response
