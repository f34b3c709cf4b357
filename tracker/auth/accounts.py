"""Managing accounts and zones (admins; the CLI for the first account). Organisations:
`tracker.auth.organizations`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from marshmallow import ValidationError, validate
from sqlalchemy.orm import contains_eager

from tracker.audit.service import record
from tracker.auth import invitations, lockout
from tracker.auth.models import LOCALES, ROLES, Organization, User, Zone
from tracker.auth.passwords import hash_password, password_problems
from tracker.auth.service import end_all_sessions, normalise_email
from tracker.db import db
from tracker.errors import InvalidInput
from tracker.i18n import is_time_zone
from tracker.web import sorting
from tracker.web.ids import get_or_none

#: the sortable columns of the admin's list of accounts (`sort`), each backed by an index: the
#: role by its stored name (not its label, see docs/decisions.md), the organisation by its
#: name and the zone by its code
USER_SORTS: dict[str, Any] = {
    "email": User.email,
    "name": User.name,
    "role": User.role,
    "organization": Organization.name,
    "zone": Zone.code,
    "active": User.active,
}

#: the sortable columns of the list of zones (`sort`), each backed by an index
ZONE_SORTS: dict[str, Any] = {
    "code": Zone.code,
    "name_ko": Zone.name_ko,
    "name_en": Zone.name_en,
    "industry": Zone.industry,
}


def users_query(sort: str | None = "email") -> sa.Select[User]:
    """Every account in the order of `sort` (a value of `sorting.choices(USER_SORTS)`; None:
    the order of creation, the API's), the id breaking ties; the organisation and zone joined
    once, for the order and the page."""
    stmt = (
        sa.select(User)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .outerjoin(Zone, Zone.id == User.zone_id)
        .options(contains_eager(User.organization), contains_eager(User.zone))
    )
    if sort is None:
        return stmt.order_by(User.id)
    return sorting.ordered(stmt, sort, USER_SORTS, User.id)


def zones_query(sort: str = "code") -> sa.Select[Zone]:
    """Every zone in the order of `sort` (a value of `sorting.choices(ZONE_SORTS)`), the id
    breaking ties."""
    return sorting.ordered(sa.select(Zone), sort, ZONE_SORTS, Zone.id)


def _valid_email(email: str) -> str:
    email = normalise_email(email)
    try:
        validate.Email()(email)
    except ValidationError:
        raise InvalidInput({"email": [_("Not a valid email address.")]}) from None
    return email


def _check_user_links(role: str, organization_id: int | None, zone_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if role == "company":
        org = get_or_none(Organization, organization_id)
        if org is None or org.kind != "company":
            errors["organization_id"] = [_("A company user needs an organisation of kind company.")]
    elif organization_id is not None and get_or_none(Organization, organization_id) is None:
        errors["organization_id"] = [_("Unknown organisation.")]
    if role == "operator":
        if get_or_none(Zone, zone_id) is None:
            errors["zone_id"] = [_("An operator needs a zone.")]
    elif zone_id is not None and get_or_none(Zone, zone_id) is None:
        errors["zone_id"] = [_("Unknown zone.")]
    if errors:
        raise InvalidInput(errors)


def create_user(
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    organization_id: int | None = None,
    zone_id: int | None = None,
    locale: str = "ko",
    active: bool = True,
) -> User:
    """Create an account. Without a password the person is sent an invitation to set one
    (`tracker.auth.invitations`; StateConflict 409 when no mail server is set up). Raises
    InvalidInput (422) for a taken email, a weak password or a role without its organisation or
    zone. Audited without the password."""
    if role not in ROLES:
        raise InvalidInput({"role": [_("Must be one of: %(values)s.", values=", ".join(ROLES))]})
    if locale not in LOCALES:
        raise InvalidInput({"locale": [_("Must be ko or en.")]})
    email = _valid_email(email)
    if db.session.execute(sa.select(User.id).where(User.email == email)).first():
        raise InvalidInput({"email": [_("An account with this email already exists.")]})
    if password is not None and (problems := password_problems(password)):
        raise InvalidInput({"password": problems})
    _check_user_links(role, organization_id, zone_id)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=invitations.UNSET_PASSWORD if password is None else hash_password(password),
        organization_id=organization_id,
        zone_id=zone_id,
        locale=locale,
        active=active,
    )
    db.session.add(user)
    db.session.flush()
    record("user.created", user, detail={"email": email, "role": role})
    if password is None:
        invitations.invite(user)
    return user


def update_user(user: User, changes: dict[str, Any]) -> User:
    """Apply admin changes; a new password or disabling ends every session and token.
    Audited with the names of the changed fields (never their values)."""
    changes = dict(changes)
    changed_fields = sorted(changes)
    if "email" in changes:
        email = _valid_email(changes["email"])
        taken = db.session.execute(
            sa.select(User.id).where(User.email == email, User.id != user.id)
        ).first()
        if taken:
            raise InvalidInput({"email": [_("An account with this email already exists.")]})
        changes["email"] = email
    if "role" in changes and changes["role"] not in ROLES:
        raise InvalidInput({"role": [_("Must be one of: %(values)s.", values=", ".join(ROLES))]})
    if "locale" in changes and changes["locale"] not in LOCALES:
        raise InvalidInput({"locale": [_("Must be ko or en.")]})
    role = changes.get("role", user.role)
    org = changes.get("organization_id", user.organization_id)
    zone = changes.get("zone_id", user.zone_id)
    _check_user_links(role, org, zone)
    end_sessions = False
    if "password" in changes:
        password = changes.pop("password")
        if problems := password_problems(password):
            raise InvalidInput({"password": problems})
        user.password_hash = hash_password(password)
        lockout.clear(user.email)  # an admin's reset ends a sign-in lock on the address
        end_sessions = True
    if changes.get("active") is False and user.active:
        end_sessions = True
    for field, value in changes.items():
        setattr(user, field, value)
    if end_sessions:
        end_all_sessions(user)
    db.session.flush()
    record("user.updated", user, detail={"fields": changed_fields})
    return user


def create_zone(code: str, name_en: str, name_ko: str, industry: str | None = None) -> Zone:
    if db.session.execute(sa.select(Zone.id).where(Zone.code == code)).first():
        raise InvalidInput({"code": [_("A zone with this code already exists.")]})
    zone = Zone(code=code, name_en=name_en, name_ko=name_ko, industry=industry)
    db.session.add(zone)
    db.session.flush()
    record("zone.created", zone, detail={"code": code})
    return zone


def set_preferences(user: User, changes: dict[str, Any]) -> User:
    """A person's own reading preferences (`time_zone`, `locale`); an unknown zone or language
    raises InvalidInput. Audited with the names of the changed fields."""
    errors: dict[str, list[str]] = {}
    if "time_zone" in changes and not is_time_zone(changes["time_zone"]):
        errors["time_zone"] = [_("Not a known time zone (an IANA name such as Asia/Seoul).")]
    if "locale" in changes and changes["locale"] not in LOCALES:
        errors["locale"] = [_("Must be ko or en.")]
    if errors:
        raise InvalidInput(errors)
    changed = sorted(k for k in ("time_zone", "locale") if k in changes)
    for field in changed:
        setattr(user, field, changes[field])
    db.session.flush()
    if changed:
        record("user.preferences_changed", user, detail={"fields": changed})
    return user
