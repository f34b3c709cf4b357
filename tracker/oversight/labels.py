"""The labels and links of the objects an audit page names, as the reader may see them.

Records are named as everywhere else (`tracker.record_names`: each kind's `Label`, only the
fields the reader's role may see, only inside the reader's scope, never sealed or privileged
text); accounts, zones and organisations are named here. Every label of a page is read in one
UNION, the records' parts and these together; a record's link is `tracker.ui.record_link`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker import policy, record_names, records
from tracker.auth.models import Organization, User, Zone
from tracker.db import BuiltOnce

#: what the object types that are not record kinds are called on the page
OTHER_TYPES: dict[str, Any] = {
    "user": _l("User"),
    "api_token": _l("API token"),
    "zone": _l("Zone"),
    "organization": _l("Organisation"),
    "export": _l("Export"),
}

#: (type, id) -> (label, link)
Found = record_names.Found


def type_names() -> dict[str, Any]:
    """What each object type is called on the page (the record kinds' names first)."""
    return {**{k.type: k.name for k in records.kinds()}, **OTHER_TYPES}


def type_name(object_type: str) -> str:
    return str(type_names().get(object_type, object_type))


@dataclass(frozen=True)
class _Other:
    """The label of an object that is not a record kind (an account, a zone, an organisation)."""

    model: Any
    column: Any
    endpoint: str | None = None
    arg: str = ""


def _others() -> dict[str, _Other]:
    zone_name = Zone.name_ko if str(get_locale()) == "ko" else Zone.name_en
    return {
        "user": _Other(User, User.name, "admin.user_edit", "user_id"),
        "zone": _Other(Zone, zone_name),
        "organization": _Other(
            Organization, Organization.name, "admin.organization_edit", "organization_id"
        ),
    }


def known(object_type: str) -> bool:
    """Whether objects of that type can be labelled."""
    found = records.find(object_type)
    return (found is not None and found.label is not None) or object_type in _others()


def _part(reader: User, name: str, ids: sa.BindParameter[Any]) -> sa.Select[Any] | None:
    if records.find(name) is not None:
        return record_names.part(reader, name, ids)
    other = _others().get(name)
    if other is None:
        return None
    return record_names.columns(name, other.model, (other.column,), sa.null(), None).where(
        other.model.id.in_(ids)
    )


def labels(reader: User, wanted: dict[str, set[int]], *, links: bool = True) -> Found:
    """The label and link of every wanted (type, id) the reader may see, in one statement
    (`links=False`: the labels alone, every link None)."""
    union = _union(reader, tuple(sorted(wanted)))
    if union is None:
        return {}
    statement, named = union
    params = {_param(name): sorted(wanted[name]) for name in named}
    return record_names.read(
        reader, statement, lambda row: _other(reader, row, links), params, links
    )


#: the labels' UNION of a set of types, built once per reader's scope (`policy.scope_key`)
#: and language (where a zone may be named in it), the ids bound at each execution; (types,
#: key, language) -> (the UNION, the types in it) or None when none of them can be named
_UNIONS: BuiltOnce[tuple[Any, tuple[str, ...]] | None] = BuiltOnce(512)


def _param(name: str) -> str:
    return f"ids_{name}"


def _union(reader: User, names: tuple[str, ...]) -> tuple[Any, tuple[str, ...]] | None:
    # the language names a zone (`_others`); a record kind's part does not depend on it
    others = any(records.find(name) is None for name in names)
    key = (names, policy.scope_key(reader), str(get_locale()) if others else None)
    return _UNIONS.get(key, lambda: _built_union(reader, names))


def _built_union(reader: User, names: tuple[str, ...]) -> tuple[Any, tuple[str, ...]] | None:
    parts = [
        (name, part)
        for name in names
        if (part := _part(reader, name, sa.bindparam(_param(name), expanding=True))) is not None
    ]
    if not parts:
        return None
    statements = [part for _name, part in parts]
    union = statements[0] if len(statements) == 1 else sa.union_all(*statements)
    return union, tuple(name for name, _part in parts)


def _other(reader: User, row: Any, links: bool = True) -> tuple[str, str | None]:
    """An account's, a zone's or an organisation's name, linked for those who manage them."""
    text = "" if row.label0 is None else str(row.label0)
    other = _others()[row.type]
    link = None
    if links and other.endpoint is not None and policy.may(reader, "accounts.manage"):
        link = url_for(other.endpoint, **{other.arg: row.id})
    return text or type_name(row.type), link
