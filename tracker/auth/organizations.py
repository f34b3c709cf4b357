"""Organisations (companies, foreign partners, law firms): admins add and change them.

A kind is what the records that name the organisation rely on: a project's lead company and
the organisation of a company user are companies; a project's partners and the partner of an
NDA or a data-sharing request are partners. A change of kind that one of those uses would
contradict is refused, naming the use (`kind_conflicts`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from tracker.audit.service import record
from tracker.auth.countries import NOT_A_COUNTRY, country_code
from tracker.auth.models import KIND_USES, ORG_KINDS, Organization, User
from tracker.db import db
from tracker.errors import InvalidInput
from tracker.web import sorting

#: how many project codes a refusal names before "…"
NAMED_CODES = 5

#: the sortable columns of the admin's list of organisations (`sort`), each backed by an
#: index: the kind and country by their stored values (see docs/decisions.md)
SORTS: dict[str, Any] = {
    "name": Organization.name,
    "kind": Organization.kind,
    "country": Organization.country,
}


def organizations_query(sort: str = "kind") -> sa.Select[Organization]:
    """Every organisation in the order of `sort` (a value of `sorting.choices(SORTS)`), the
    id breaking ties; by kind without one, and by name within a kind."""
    stmt = sa.select(Organization)
    if sort.removeprefix("-") == "kind":  # a kind holds many: by name within it
        stmt = sorting.ordered(stmt, sort, SORTS, Organization.name)
        return stmt.order_by(Organization.id.desc() if sort.startswith("-") else Organization.id)
    return sorting.ordered(stmt, sort, SORTS, Organization.id)


def _codes(kind: str, org: Organization) -> str:
    """The codes of the projects whose records name `org` as a `kind` (KIND_USES), in order,
    at most NAMED_CODES and then "…": one statement."""
    uses = [use(org.id) for use in KIND_USES[kind]]
    if not uses:
        return ""
    found = sa.union(*uses).subquery()
    stmt = sa.select(found.c.code).order_by(found.c.code).limit(NAMED_CODES + 1)
    codes = list(db.session.execute(stmt).scalars())
    return ", ".join(codes[:NAMED_CODES]) + (", …" if len(codes) > NAMED_CODES else "")


def kind_conflicts(org: Organization, kind: str) -> list[str]:
    """Why `org` cannot become of `kind`: one sentence per use that needs its present kind
    (none when nothing does)."""
    problems = []
    if org.kind == "company" and kind != "company":
        led = _codes("company", org)
        if led:
            problems.append(
                _("It is the lead company of %(codes)s; a lead company is a company.", codes=led)
            )
        staff = db.session.execute(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.organization_id == org.id, User.role == "company")
        ).scalar_one()
        if staff:
            problems.append(
                ngettext(
                    "%(num)d company staff account belongs to it; its organisation is a company.",
                    "%(num)d company staff accounts belong to it; their organisation is a company.",
                    staff,
                )
            )
    if org.kind == "partner" and kind != "partner":
        partnered = _codes("partner", org)
        if partnered:
            problems.append(
                _(
                    "It is the foreign partner of %(codes)s (on the project, in an NDA or a "
                    "data-sharing request); a partner stays a partner.",
                    codes=partnered,
                )
            )
    return problems


def _organization_values(values: dict[str, Any]) -> dict[str, Any]:
    """`name`, `kind` and `country` (those given) checked and normalised; InvalidInput (422)
    naming each field that is wrong."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "name" in values:
        out["name"] = (values["name"] or "").strip()
        if not out["name"]:
            errors["name"] = [_("This field is required.")]
    if "kind" in values:
        out["kind"] = values["kind"]
        if out["kind"] not in ORG_KINDS:
            errors["kind"] = [_("Must be one of: %(values)s.", values=", ".join(ORG_KINDS))]
    if "country" in values:
        code = country_code(values["country"])  # "GB", "영국" and "United Kingdom" alike
        out["country"] = code or ""
        if code is None:
            errors["country"] = [str(NOT_A_COUNTRY)]
    if errors:
        raise InvalidInput(errors)
    return out


def create_organization(name: str, kind: str, country: str) -> Organization:
    """Add an organisation; InvalidInput (422) for an unknown kind or country. Audited."""
    values = _organization_values({"name": name, "kind": kind, "country": country})
    org = Organization(**values)
    db.session.add(org)
    db.session.flush()
    record("organization.created", org, detail={"kind": org.kind})
    return org


def update_organization(org: Organization, changes: dict[str, Any]) -> Organization:
    """Change an organisation's name, kind or country (admins). A new kind that its uses would
    contradict is refused with InvalidInput on `kind` (422) saying which use (see
    `tracker.auth.organizations.kind_conflicts`). Audited with the changed fields' names (and the
    new kind)."""
    values = _organization_values(
        {k: v for k, v in changes.items() if k in ("name", "kind", "country")}
    )
    if values.get("kind", org.kind) != org.kind:
        conflicts = kind_conflicts(org, values["kind"])
        if conflicts:
            raise InvalidInput({"kind": conflicts})
    changed = sorted(k for k, v in values.items() if getattr(org, k) != v)
    if not changed:
        return org
    for name in changed:
        setattr(org, name, values[name])
    db.session.flush()
    detail: dict[str, Any] = {"fields": changed}
    if "kind" in changed:
        detail["kind"] = org.kind
    record("organization.updated", org, detail=detail)
    return org
