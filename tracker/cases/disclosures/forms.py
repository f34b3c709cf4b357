"""Forms of the disclosure pages (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.cases.assets.models import ASSET_KINDS, SENSITIVITIES
from tracker.cases.disclosures.models import Disclosure, Inventor
from tracker.cases.labels import value_choices
from tracker.db import text_limit

INVENTOR_ROWS = 5


class InventorRow(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=text_limit(Inventor.name))])
    share_pct = DecimalField(_l("Share (percent)"), places=None, validators=[Optional()])
    nationality = StringField(
        _l("Nationality (ISO code)"),
        validators=[Optional(), Length(max=text_limit(Inventor.nationality))],
    )
    employer = StringField(
        _l("Employer"), validators=[Optional(), Length(max=text_limit(Inventor.employer))]
    )


class DisclosureForm(FlaskForm):
    version = HiddenField()
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=text_limit(Disclosure.title))]
    )
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(), Length(max=text_limit(Disclosure.description))],
    )
    conceived_on = DateField(_l("Conceived on"), validators=[DataRequired()])
    disclosed_externally = BooleanField(_l("Already shown outside the company"))
    inventors = FieldList(FormField(InventorRow), min_entries=INVENTOR_ROWS)
    submit = SubmitField(_l("Submit"))

    def fields_for_service(self) -> dict[str, Any]:
        inventors = [
            {
                "name": row.form.name.data,
                "share_pct": row.form.share_pct.data,
                "nationality": row.form.nationality.data,
                "employer": row.form.employer.data,
            }
            for row in self.inventors
            if (row.form.name.data or "").strip() or row.form.share_pct.data is not None
        ]
        return {
            "title": self.title.data,
            "description": self.description.data,
            "conceived_on": self.conceived_on.data,
            "disclosed_externally": self.disclosed_externally.data,
            "inventors": inventors,
        }


DECISION_LABELS = {
    "accept": _l("Accept (creates the IP asset)"),
    "reject": _l("Reject"),
    "needs_info": _l("Ask for more information"),
}


class DisclosureDecisionForm(FlaskForm):
    version = HiddenField()
    decision = RadioField(
        _l("Decision"),
        choices=value_choices(("accept", "reject", "needs_info"), DECISION_LABELS),
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Note to the company"), validators=[Length(max=text_limit(Disclosure.reviewer_note))]
    )
    asset_kind = SelectField(_l("Asset kind"), choices=value_choices(ASSET_KINDS))
    asset_sensitivity = SelectField(
        _l("Asset sensitivity"),
        choices=value_choices(SENSITIVITIES),
        default="confidential",
    )
    submit = SubmitField(_l("Decide"))
