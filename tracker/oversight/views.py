"""The audit trail as a page: admins and auditors browse every event, lawyers their own.

Names and roles instead of ids, translated actions, object labels linking to the record,
details as text; filters by actor name, action, object and dates; the filtered trail as CSV
or XLSX (audited as an export); a banner with the last verification; and every record's
history (`/audit/<type>/<id>`, linked from the record's page by `audit_history_url`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from tracker import policy
from tracker.audit import service, status
from tracker.audit.models import AuditEvent
from tracker.auth.labels import role_label
from tracker.auth.models import User
from tracker.db import text_limit
from tracker.i18n import zone_of
from tracker.oversight import actions, export, labels, trail
from tracker.reports.exports import EXPORT_TYPES
from tracker.web import current, sorting
from tracker.web.ids import is_id
from tracker.web.paging import filter_args, link_args, page_args

bp = Blueprint("audit", __name__, template_folder="templates")
PER_PAGE = 100


def _all(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class AuditFilterForm(FlaskForm):
    """The filters of the audit page (a GET form: no CSRF token needed). Dates are days in
    the reader's time zone, both ends included."""

    class Meta:
        csrf = False

    actor = StringField(
        _l("Actor (name or e-mail)"), validators=[Optional(), Length(max=text_limit(User.name))]
    )
    #: set by the actor links of the table (not shown as a field)
    actor_id = IntegerField(validators=[Optional()])
    #: any code is accepted (older events may carry one no longer listed)
    action = SelectField(
        _l("Action"),
        validators=[Optional(), Length(max=text_limit(AuditEvent.action))],
        validate_choice=False,
    )
    object_type = SelectField(
        _l("Kind of record"),
        validators=[Optional()],
        description=_l("One record's trail: open the record and follow its History link."),
    )
    #: one record's events: set by a record's History link (`/audit/<type>/<id>`) and the
    #: API's `object_id`, never typed (a person does not know ids); not shown as a field
    object_id = IntegerField(validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = _all(_l("Every action")) + actions.action_choices()
        self.object_type.choices = _all(_l("Every type")) + sorted(
            ((k, str(v)) for k, v in labels.type_names().items()), key=lambda c: c[1]
        )

    def filters(self) -> service.AuditFilters:
        def day(value: dt.date | None, after: int = 0) -> dt.datetime | None:
            if value is None:
                return None
            # midnight where the reader is, the same instant the audit compares in UTC
            start = dt.datetime.combine(value + dt.timedelta(days=after), dt.time())
            return start.replace(tzinfo=zone_of()).astimezone(dt.UTC)

        return service.AuditFilters(
            actor_id=self.actor_id.data,
            action=self.action.data or None,
            object_type=self.object_type.data or None,
            object_id=self.object_id.data,
            since=day(self.since.data),
            until=day(self.until.data, after=1) if self.until.data else None,
        )


def _reader() -> User:
    user: User = current.user()
    return user


def _actor_named(text: str) -> sa.ColumnElement[bool]:
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = sa.select(User.id).where(
        sa.or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"))
    )
    return AuditEvent.actor_id.in_(found)


def _checkpoint_path() -> Path | None:
    value = current_app.config.get("TRACKER_AUDIT_CHECKPOINT_FILE")
    return Path(value) if value else None


def _banner(reader: User) -> dict[str, Any] | None:
    """The last verification and its age, for those who read the whole trail."""
    if not policy.can(reader, "audit.view"):
        return None
    found = status.status(_checkpoint_path())
    age = found.age(dt.datetime.now(dt.UTC))
    return {
        "status": found,
        "age": format_timedelta(age, add_direction=False) if age is not None else None,
    }


def _trail_page(form: AuditFilterForm, heading: dict[str, Any] | None, endpoint_args: dict) -> Any:
    reader = _reader()
    only = policy.audit_reader(reader)
    valid = form.validate()
    filters = form.filters() if valid else service.AuditFilters()
    if heading is not None:
        filters.object_type, filters.object_id = heading["type"], heading["id"]
    # an unknown sort is ignored here (the API answers 422); none: newest first
    filters.sort = sorting.page_sort(service.SORTS, "") or None
    extra = []
    if valid and form.actor.data:
        extra.append(_actor_named(form.actor.data.strip()))
    fmt = request.args.get("format")
    if fmt in EXPORT_TYPES and valid:
        asked = {k: v for k, v in filter_args().items() if k != "format"}
        return export.download_trail(reader, filters, fmt, asked, extra)
    page = trail.page(reader, filters, page_args(PER_PAGE), only, extra)
    return render_template(
        "audit/list.html",
        form=form,
        page=page,
        link_args={**endpoint_args, **link_args()},
        heading=heading,
        banner=_banner(reader) if heading is None else None,
        action_label=actions.action_label,
        detail_items=actions.detail_items,
        role_label=role_label,
        own_only=only is not None,
        sort=filters.sort or "-at",
    ), (200 if valid else 422)


@bp.route("/audit")
def audit_list() -> Any:
    return _trail_page(AuditFilterForm(filter_args()), None, {})


@bp.route("/audit/<object_type>/<int:object_id>")
def history(object_type: str, object_id: int) -> Any:
    """One record's events (the same rendering as the trail)."""
    if object_type not in labels.type_names() or not is_id(object_id):
        raise NotFound()
    policy.audit_reader(_reader())  # 403 before anything is looked up
    label = trail.object_label(_reader(), object_type, object_id)
    heading = {"type": object_type, "id": object_id, **label}
    return _trail_page(
        AuditFilterForm(filter_args()),  # the address names the record, not the query
        heading,
        {"object_type": object_type, "object_id": object_id},
    )


@bp.app_template_global()
def audit_history_url(object_type: str, object_id: int) -> str | None:
    """The record's history page, for those who may read (some of) the trail; else None."""
    user = current_user
    if not (policy.can(user, "audit.view") or policy.can(user, "audit.view_own")):
        return None
    return url_for("audit.history", object_type=object_type, object_id=object_id)
