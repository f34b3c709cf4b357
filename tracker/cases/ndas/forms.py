"""Forms of the NDA pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from tracker.cases.labels import value_choices
from tracker.cases.ndas.models import Nda
from tracker.cases.ndas.service import SETTABLE_STATUSES
from tracker.db import text_limit
from tracker.web.forms import CheckboxListField


class NdaForm(FlaskForm):
    partner_id = SelectField(_l("Partner"), coerce=int, validate_choice=False)
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    effective_on = DateField(_l("Effective from"), validators=[InputRequired()])
    expires_on = DateField(_l("Expires on"), validators=[InputRequired()])
    governing_law = StringField(
        _l("Governing law"), validators=[Length(max=text_limit(Nda.governing_law))]
    )
    purpose = TextAreaField(
        _l("Purpose"), validators=[Optional(), Length(max=text_limit(Nda.purpose))]
    )
    asset_ids = CheckboxListField(_l("Covered assets"), coerce=int, validate_choice=False)
    return_or_destroy = BooleanField(_l("Return-or-destroy clause"))
    audit_rights = BooleanField(_l("Audit rights"))
    status = SelectField(_l("Status"), choices=value_choices(SETTABLE_STATUSES))
    version = HiddenField()
    submit = SubmitField(_l("Save"))
