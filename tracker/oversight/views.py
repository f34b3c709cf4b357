"""The audit trail as a page: admins and auditors browse every event, lawyers their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, StringField, SubmitField
from wtforms.validators import Length, Optional

from tracker import policy
from tracker.audit import service
from tracker.audit.models import AuditEvent
from tracker.db import text_limit
from tracker.web.paging import page_args, paginate

bp = Blueprint("audit", __name__, template_folder="templates")
PER_PAGE = 100


class AuditFilterForm(FlaskForm):
    """The filters of the audit page (a GET form: no CSRF token needed). Times are UTC."""

    class Meta:
        csrf = False

    actor_id = IntegerField(_l("Actor id"), validators=[Optional()])
    action = StringField(
        _l("Action"), validators=[Optional(), Length(max=text_limit(AuditEvent.action))]
    )
    object_type = StringField(
        _l("Object type"), validators=[Optional(), Length(max=text_limit(AuditEvent.object_type))]
    )
    object_id = IntegerField(_l("Object id"), validators=[Optional()])
    since = DateTimeLocalField(_l("Since (UTC)"), validators=[Optional()])
    until = DateTimeLocalField(_l("Until (UTC)"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def filters(self) -> service.AuditFilters:
        def utc(value: dt.datetime | None) -> dt.datetime | None:
            return value.replace(tzinfo=dt.UTC) if value else None

        return service.AuditFilters(
            actor_id=self.actor_id.data,
            action=self.action.data or None,
            object_type=self.object_type.data or None,
            object_id=self.object_id.data,
            since=utc(self.since.data),
            until=utc(self.until.data),
        )


@bp.route("/audit")
def audit_list() -> Any:
    user = current_user._get_current_object()
    form = AuditFilterForm(request.args)
    valid = form.validate()
    filters = form.filters() if valid else service.AuditFilters()
    stmt = service.events_query(filters, only_actor=policy.audit_reader(user))
    page = paginate(stmt, page_args(PER_PAGE))
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("audit/list.html", form=form, page=page, args=args), (
        200 if valid else 422
    )
