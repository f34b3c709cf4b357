"""Users, zones and organisations (admin writes; zones and organisations readable by all)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker.api.common import PageArgs, get_or_404, page_of, paginate, requires
from tracker.auth import accounts, invitations, organizations
from tracker.auth.models import LOCALES, ORG_KINDS, ROLES, Organization, User, Zone
from tracker.auth.passwords import MAX_INPUT_LENGTH
from tracker.db import text_limit

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="Accounts")


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(max=text_limit(User.email)))
    name = fields.String(required=True, validate=validate.Length(min=1, max=text_limit(User.name)))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    #: left out: the person is e-mailed a one-time link to set it (an invitation)
    password = fields.String(load_only=True, validate=validate.Length(max=MAX_INPUT_LENGTH))
    organization_id = fields.Integer(allow_none=True, load_default=None)
    zone_id = fields.Integer(allow_none=True, load_default=None)
    locale = fields.String(validate=validate.OneOf(LOCALES), load_default="ko")
    active = fields.Boolean(load_default=True)
    totp_enrolled = fields.Boolean(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class UserPatchSchema(Schema):
    email = fields.Email(validate=validate.Length(max=text_limit(User.email)))
    name = fields.String(validate=validate.Length(min=1, max=text_limit(User.name)))
    role = fields.String(validate=validate.OneOf(ROLES))
    password = fields.String(load_only=True, validate=validate.Length(max=MAX_INPUT_LENGTH))
    organization_id = fields.Integer(allow_none=True)
    zone_id = fields.Integer(allow_none=True)
    locale = fields.String(validate=validate.OneOf(LOCALES))
    active = fields.Boolean()


class UserFilterArgs(PageArgs):
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()


class ZoneSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=text_limit(Zone.code)))
    name_en = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(Zone.name_en))
    )
    name_ko = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(Zone.name_ko))
    )
    industry = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(Zone.industry))
    )


class OrganizationSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(Organization.name))
    )
    kind = fields.String(required=True, validate=validate.OneOf(ORG_KINDS))
    country = fields.String(
        required=True, validate=validate.Length(equal=text_limit(Organization.country))
    )


class OrganizationPatchSchema(OrganizationSchema):
    """A change of an organisation: any of its fields (no version: see docs/decisions.md,
    "Organisations editable")."""


_ORG_PATCH = OrganizationPatchSchema(partial=True)


class OrganizationFilterArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(ORG_KINDS))
    country = fields.String(validate=validate.Length(equal=text_limit(Organization.country)))


# --- users -------------------------------------------------------------------------------------


@blp.route("/users", methods=["GET"])
@requires("accounts.manage")
@blp.arguments(UserFilterArgs, location="query")
@blp.response(200, page_of(UserSchema))
def list_users(args: dict[str, Any]) -> Any:
    stmt = accounts.users_query(None)
    if "role" in args:
        stmt = stmt.where(User.role == args["role"])
    if "active" in args:
        stmt = stmt.where(User.active == args["active"])
    return paginate(stmt, args)


@blp.route("/users", methods=["POST"])
@requires("accounts.manage")
@blp.arguments(UserSchema)
@blp.response(201, UserSchema)
def create_user(body: dict[str, Any]) -> Any:
    return accounts.create_user(**body)


@blp.route("/users/<int:user_id>/invitation", methods=["POST"])
@requires("accounts.manage")
@blp.response(204)
def invite_user(user_id: int) -> Any:
    """E-mail the account a new one-time link to set its password (valid 72 hours); the earlier
    link stops working. 409 when no mail server is set up or the account is disabled."""
    invitations.invite(get_or_404(User, user_id))
    return None


@blp.route("/users/<int:user_id>", methods=["GET"])
@requires("accounts.manage")
@blp.response(200, UserSchema)
def get_user(user_id: int) -> Any:
    return get_or_404(User, user_id)


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@requires("accounts.manage")
@blp.arguments(UserPatchSchema)
@blp.response(200, UserSchema)
def update_user(body: dict[str, Any], user_id: int) -> Any:
    return accounts.update_user(get_or_404(User, user_id), body)


# --- zones and organisations -------------------------------------------------------------------


@blp.route("/zones", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ZoneSchema))
def list_zones(args: dict[str, Any]) -> Any:
    return paginate(accounts.zones_query("code"), args)


@blp.route("/zones", methods=["POST"])
@requires("accounts.manage")
@blp.arguments(ZoneSchema)
@blp.response(201, ZoneSchema)
def create_zone(body: dict[str, Any]) -> Any:
    return accounts.create_zone(**body)


@blp.route("/organizations", methods=["GET"])
@blp.arguments(OrganizationFilterArgs, location="query")
@blp.response(200, page_of(OrganizationSchema))
def list_organizations(args: dict[str, Any]) -> Any:
    stmt = organizations.organizations_query("name")
    if "kind" in args:
        stmt = stmt.where(Organization.kind == args["kind"])
    if "country" in args:
        stmt = stmt.where(Organization.country == args["country"].upper())
    return paginate(stmt, args)


@blp.route("/organizations", methods=["POST"])
@requires("accounts.manage")
@blp.arguments(OrganizationSchema)
@blp.response(201, OrganizationSchema)
def create_organization(body: dict[str, Any]) -> Any:
    return organizations.create_organization(**body)


@blp.route("/organizations/<int:organization_id>", methods=["GET"])
@blp.response(200, OrganizationSchema)
def get_organization(organization_id: int) -> Any:
    return get_or_404(Organization, organization_id)


@blp.route("/organizations/<int:organization_id>", methods=["PATCH"])
@requires("accounts.manage")
@blp.arguments(_ORG_PATCH)
@blp.response(200, OrganizationSchema)
def update_organization(body: dict[str, Any], organization_id: int) -> Any:
    """Change the name, kind or country. A kind that the organisation's uses contradict (the
    lead company of a project, company staff's organisation, a project's partner) is a 422
    naming the use. Admins; audited."""
    return organizations.update_organization(get_or_404(Organization, organization_id), body)
