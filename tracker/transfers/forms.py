"""Forms of the data-sharing pages (Flask-WTF: CSRF on every form that changes something)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.db import text_limit
from tracker.transfers.models import CHANNELS, TRANSFER_STATUSES, TransferRequest
from tracker.web.forms import CheckboxListField

CHANNEL_LABELS: dict[str, Any] = {
    "secure_platform": _l("Secure platform"),
    "encrypted_email": _l("Encrypted e-mail"),
    "email": _l("Plain e-mail"),
    "physical_media": _l("Physical media"),
    "on_site": _l("On-site visit or training"),
    "oral": _l("Oral (meeting, call)"),
}
STATUS_LABELS: dict[str, Any] = {
    "blocked": _l("Blocked"),
    "pending_review": _l("Pending review"),
    "approved": _l("Approved"),
    "denied": _l("Denied"),
}


def choices_of(pairs: Any) -> list[SelectChoice]:
    """Options for a select from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class TransferForm(FlaskForm):
    partner_id = SelectField(
        _l("Foreign partner"), coerce=int, choices=[], validators=[InputRequired()]
    )
    asset_ids = CheckboxListField(_l("IP assets"), coerce=int, choices=[], validators=[Optional()])
    attachment_ids = CheckboxListField(_l("Files"), coerce=int, choices=[], validators=[Optional()])
    purpose = TextAreaField(
        _l("Purpose"), validators=[DataRequired(), Length(max=text_limit(TransferRequest.purpose))]
    )
    channel = SelectField(
        _l("Channel"),
        choices=[SelectChoice(c, CHANNEL_LABELS[c]) for c in CHANNELS],
        validators=[DataRequired()],
    )
    planned_on = DateField(_l("Planned date"), validators=[InputRequired()])
    submit = SubmitField(_l("File the request"))


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("deny", _l("Deny"))],
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Note (required to deny)"),
        validators=[Length(max=text_limit(TransferRequest.decision_note))],
    )
    #: the version the operator saw; a stale one answers 409
    version = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Record the decision"))


class RecheckForm(FlaskForm):
    submit = SubmitField(_l("Run the checks again"))


class TransferFilterForm(FlaskForm):
    """The filters of the lists and the ledger (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    zone_id = SelectField(_l("Zone"), coerce=_optional_int, choices=[], validators=[Optional()])
    project_id = IntegerField(_l("Project id"), validators=[Optional()])
    partner_id = SelectField(
        _l("Partner"), coerce=_optional_int, choices=[], validators=[Optional()]
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(s, STATUS_LABELS[s]) for s in TRANSFER_STATUSES],
        validators=[Optional()],
    )
    planned_from = DateField(_l("Planned from"), validators=[Optional()])
    planned_to = DateField(_l("Planned until"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def filters(self) -> dict[str, Any]:
        fields = ("zone_id", "project_id", "partner_id", "status", "planned_from", "planned_to")
        present = (getattr(self, name, None) for name in fields)
        return {f.name: f.data or None for f in present if f is not None}
