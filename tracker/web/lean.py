"""Answering a list without per-row overhead: rows already shaped as the schema's fields are
encoded straight to JSON. The endpoint keeps its marshmallow schema for input validation and
for the OpenAPI document; flask-smorest passes a `Response` through untouched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from flask import Response, current_app
from marshmallow import Schema


def _plain(value: Any) -> Any:
    # what marshmallow's Date and (Aware)DateTime fields write: ISO 8601
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dump_names(schema: type[Schema]) -> list[str]:
    """The fields `schema` writes out (its dump fields)."""
    return [f.data_key or name for name, f in schema().dump_fields.items()]


def page_response(page: dict[str, Any], fields: Iterable[str]) -> Response:
    """`{"items", "total", "page", "per_page"}` with each item cut to `fields`."""
    names = list(fields)
    body = {
        "items": [{name: row[name] for name in names} for row in page["items"]],
        "total": page["total"],
        **({"total_estimated": True} if page.get("total_estimated") else {}),
        "page": page["page"],
        "per_page": page["per_page"],
    }
    text = json.dumps(body, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return current_app.response_class(text, mimetype="application/json")
