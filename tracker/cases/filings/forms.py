"""Forms of the filing pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from tracker.cases.assets.filing_rules import EVENT_KINDS, ROUTES, STATUSES
from tracker.cases.filings.labels import EVENT_LABELS, ROUTE_LABELS, STATUS_LABELS
from tracker.cases.filings.models import Filing, FilingEvent
from tracker.cases.labels import value_choices
from tracker.db import text_limit


class FilingForm(FlaskForm):
    office = SelectField(_l("Office"), validate_choice=False)
    route = SelectField(_l("Route"), choices=value_choices(ROUTES, ROUTE_LABELS))
    parent_id = SelectField(_l("Comes from"), coerce=int, validate_choice=False, default=0)
    application_no = StringField(
        _l("Application number"),
        validators=[Optional(), Length(max=text_limit(Filing.application_no))],
    )
    filed_on = DateField(_l("Filed on"), validators=[DataRequired()])
    priority_on = DateField(_l("Earliest priority date"), validators=[Optional()])
    published_on = DateField(_l("Published on"), validators=[Optional()])
    examination_requested_on = DateField(_l("Examination requested on"), validators=[Optional()])
    allowed_on = DateField(_l("Decision to grant on"), validators=[Optional()])
    registered_on = DateField(_l("Registered on"), validators=[Optional()])
    registration_no = StringField(
        _l("Registration number"),
        validators=[Optional(), Length(max=text_limit(Filing.registration_no))],
    )
    status = SelectField(_l("Status"), choices=value_choices(STATUSES, STATUS_LABELS))
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class EventForm(FlaskForm):
    kind = SelectField(_l("What happened"), choices=value_choices(EVENT_KINDS, EVENT_LABELS))
    on = DateField(_l("On"), validators=[DataRequired()])
    due_on = DateField(_l("Due on (as the office set it)"), validators=[Optional()])
    note = StringField(
        _l("Note"), validators=[Optional(), Length(max=text_limit(FilingEvent.note))]
    )
    submit = SubmitField(_l("Save"))
