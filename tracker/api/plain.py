"""A schema's dump of plain data, compiled once: what `Schema().dump` answers for dicts of
strings, numbers, booleans, dates, lists and nested dicts, without marshmallow's per-value
machinery (a dashboard dumps several hundred items; the schema stays the contract and the
OpenAPI document). Any other field is dumped by marshmallow itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, fields

Convert = Callable[[Any], Any]


def _date(value: dt.date) -> str:
    return value.isoformat()


def _converter(field: fields.Field) -> Convert | None:
    """How a field writes a value that is not None (None: marshmallow must)."""
    if isinstance(field, fields.Nested) and not field.many:
        nested = field.schema
        return dumper(nested) if isinstance(nested, Schema) and not nested.many else None
    if isinstance(field, fields.List):
        inner = _converter(field.inner)
        if inner is None:
            return None
        return lambda values: [None if v is None else inner(v) for v in values]
    plain = _written_as_is(field)
    if plain is str or plain is int:  # a value of another type: converted as marshmallow does
        return plain
    if type(field) is fields.Date and field.format in (None, "iso"):
        return _date
    if type(field) is fields.Boolean:
        return lambda value: field._serialize(value, None, None)
    return None


def _written_as_is(field: fields.Field) -> type | None:
    """The type whose values the field writes unchanged (`str` for a string, `int` for an
    integer, `bool` for a boolean): such a value is copied without a call."""
    if type(field) is fields.String:
        return str
    if type(field) is fields.Integer and not field.as_string:
        return int
    if type(field) is fields.Boolean:
        return bool
    return None


def dumper(schema: Schema) -> Callable[[Any], Any]:
    """`schema.dump` for dicts (anything else goes to `schema.dump`): the same keys, in the
    same order, with the same values; a key the dict lacks is left out, as marshmallow does."""
    plan: list[tuple[str, str, type | None, Convert | None, fields.Field]] = [
        (
            field.attribute or name,
            field.data_key or name,
            _written_as_is(field),
            _converter(field),
            field,
        )
        for name, field in schema.dump_fields.items()
    ]
    missing = object()

    def dump(obj: Any) -> Any:
        if type(obj) is not dict and not isinstance(obj, Mapping):
            return schema.dump(obj)
        out: dict[str, Any] = {}
        for attribute, key, as_is, convert, field in plan:
            value = obj.get(attribute, missing)
            if value is missing:
                continue
            if value is None or type(value) is as_is:
                out[key] = value
            elif convert is not None:
                out[key] = convert(value)
            else:
                out[key] = field.serialize(attribute, obj)
        return out

    return dump
