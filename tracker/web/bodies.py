"""Checks of a JSON body and of the query string before any parser or schema sees them
(issue 11, findings 5a and 5b; issue 21, finding 5).

- Nesting: Python's JSON decoder recurses once per `[` or `{`, so a few thousand of them raise
  RecursionError (a 500). The depth is measured on the raw bytes first, without recursion, and
  anything deeper than MAX_JSON_DEPTH answers 400.
- Lone surrogates: `"\\ud800"` is valid JSON but not encodable text; the database driver or
  argon2 would fail on it (UnicodeEncodeError, a 500). Any string (or key) holding one answers
  422 naming the field.

HTML forms cannot carry a lone surrogate (Werkzeug decodes form bodies and query strings as
UTF-8 with replacement), but an HTML route posted a JSON body goes through the same checks.

- NUL in a query argument: PostgreSQL refuses it in any statement (a 500 from every filter
  compared in SQL). No query argument has a use for it: the API answers 422 naming it, a page
  never sees it (the argument is dropped, as a page ignores any malformed filter), for every
  list now and later.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict

from tracker.errors import InvalidInput, is_api_request

#: the deepest JSON nesting accepted anywhere (the deepest schema nests three levels)
MAX_JSON_DEPTH = 32

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_OPENING = frozenset(b"[{")


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in `data`, counted without recursion (strings
    are skipped, so brackets inside them do not count). Malformed input gets a number too; the
    parser refuses it afterwards."""
    skeleton = _NOT_BRACKET.sub(b"", _STRING.sub(b"", data))
    depth = deepest = 0
    for byte in skeleton:
        if byte in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def surrogate_fields(value: Any, path: str = "") -> list[str]:
    """The dotted paths of every string (or object key) in `value` holding a lone surrogate."""
    found: list[str] = []
    if isinstance(value, str):
        if _has_surrogate(value):
            found.append(path or "_schema")
    elif isinstance(value, dict):
        for key, sub in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _has_surrogate(str(key)):
                found.append(path or "_schema")
                continue
            found.extend(surrogate_fields(sub, where))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            found.extend(surrogate_fields(sub, f"{path}.{i}" if path else str(i)))
    return found


def check_query_args() -> None:
    """before_request: a query argument (name or value) holding NUL is refused by the API
    (422 naming it) and dropped for a page, which ignores it as it ignores any malformed
    filter."""
    args = request.args.items(multi=True)
    bad = {k.replace("\x00", "") or "_query" for k, v in args if "\x00" in k or "\x00" in v}
    if not bad:
        return
    if is_api_request():
        message = _("Text must not contain the NUL character.")
        raise InvalidInput({name: [message] for name in sorted(bad)})
    kept = [(k, v) for k, v in request.args.items(multi=True) if "\x00" not in k + v]
    request.args = ImmutableMultiDict(kept)


def check_json_body() -> None:
    """before_request: refuse a JSON body nested too deeply (400) or holding text that cannot
    be encoded (422), whatever the route."""
    if not request.is_json:
        return
    data = request.get_data(cache=True)
    if not data:
        return
    if json_depth(data) > MAX_JSON_DEPTH:
        abort(400, _("The JSON body is nested too deeply."))
    try:
        value = json.loads(data)
    except ValueError:
        return  # malformed: the route's own parser answers 400
    fields = surrogate_fields(value)
    if fields:
        message = _("Text must not contain unpaired surrogate characters.")
        raise InvalidInput({field: [message] for field in fields})
