"""Forms of the project pages (Flask-WTF: CSRF on every form that changes something)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.cases.labels import value_choices
from tracker.cases.projects.models import PROJECT_STATUSES, SECURITY_LEVELS, Project
from tracker.cases.projects.service import MAX_BUDGET_KRW
from tracker.cases.reviews.models import RISK_LEVELS
from tracker.cases.search import MAX_QUERY_LENGTH
from tracker.db import text_limit
from tracker.web.forms import CheckboxListField


class ProjectFilterForm(FlaskForm):
    """The filters of the project list (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    zone_id = SelectField(_l("Zone"), coerce=int, validate_choice=False, default=0)
    status = SelectField(
        _l("Status"), choices=value_choices(PROJECT_STATUSES, blank=True), default=""
    )
    risk_level = SelectField(
        _l("Risk level"), choices=value_choices((*RISK_LEVELS, "none"), blank=True), default=""
    )
    q = StringField(_l("Search"), validators=[Optional(), Length(max=MAX_QUERY_LENGTH)])
    #: a cell of the heat map: the current review's likelihood and impact (1-5)
    likelihood = IntegerField(_l("Likelihood"), validators=[Optional(), NumberRange(1, 5)])
    impact = IntegerField(_l("Impact"), validators=[Optional(), NumberRange(1, 5)])


class ProjectForm(FlaskForm):
    code = StringField(
        _l("Code"), validators=[DataRequired(), Length(max=text_limit(Project.code))]
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=text_limit(Project.title))]
    )
    zone_id = SelectField(_l("Zone"), coerce=int, validate_choice=False)
    company_id = SelectField(_l("Lead company"), coerce=int, validate_choice=False)
    partner_ids = CheckboxListField(_l("Foreign partners"), coerce=int, validate_choice=False)
    lawyer_ids = CheckboxListField(_l("Assigned lawyers"), coerce=int, validate_choice=False)
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    budget_krw = IntegerField(
        _l("Budget (KRW)"), validators=[Optional(), NumberRange(min=0, max=MAX_BUDGET_KRW)]
    )
    security_level = SelectField(_l("Security grade"), choices=value_choices(SECURITY_LEVELS))
    status = SelectField(_l("Status"), choices=value_choices(PROJECT_STATUSES))
    #: the version the form was loaded with (optimistic locking)
    version = HiddenField()
    submit = SubmitField(_l("Save"))
