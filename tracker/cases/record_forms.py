"""Forms for disclosures, advisory sessions and risk reviews (Flask-WTF: CSRF on every one)."""

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
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.cases import risk
from tracker.cases.models import ASSET_KINDS, SENSITIVITIES

INVENTOR_ROWS = 5
FOLLOW_UP_ROWS = 3


class InventorRow(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    share_pct = DecimalField(_l("Share (percent)"), places=None, validators=[Optional()])
    nationality = StringField(_l("Nationality (ISO code)"), validators=[Optional(), Length(max=2)])
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=300)])


class DisclosureForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=20000)])
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


def _choices(values: tuple[str, ...], labels: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(v, labels.get(v, v)) for v in values]


DECISION_LABELS = {
    "accept": _l("Accept (creates the IP asset)"),
    "reject": _l("Reject"),
    "needs_info": _l("Ask for more information"),
}
KIND_LABELS = {
    "patent": _l("Patent"),
    "utility_model": _l("Utility model"),
    "design": _l("Design"),
    "trademark": _l("Trademark"),
    "trade_secret": _l("Trade secret"),
    "know_how": _l("Know-how"),
    "software": _l("Software"),
    "data": _l("Data"),
}
SENSITIVITY_LABELS = {
    "public": _l("Public"),
    "confidential": _l("Confidential"),
    "trade_secret": _l("Trade secret"),
}


class DisclosureDecisionForm(FlaskForm):
    version = HiddenField()
    decision = RadioField(
        _l("Decision"),
        choices=_choices(("accept", "reject", "needs_info"), DECISION_LABELS),
        validators=[InputRequired()],
    )
    note = TextAreaField(_l("Note to the company"), validators=[Length(max=5000)])
    asset_kind = SelectField(_l("Asset kind"), choices=_choices(ASSET_KINDS, KIND_LABELS))
    asset_sensitivity = SelectField(
        _l("Asset sensitivity"),
        choices=_choices(SENSITIVITIES, SENSITIVITY_LABELS),
        default="confidential",
    )
    submit = SubmitField(_l("Decide"))


class FollowUpRow(Form):
    title = StringField(_l("Action"), validators=[Optional(), Length(max=300)])
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=200)])
    due_on = DateField(_l("Due on"), validators=[Optional()])


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SessionForm(FlaskForm):
    version = HiddenField()
    held_on = DateField(_l("Held on"), validators=[DataRequired()])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[InputRequired(), NumberRange(min=1, max=24 * 60)]
    )
    attendees = TextAreaField(_l("Attendees (one per line)"), validators=[Length(max=5000)])
    topics = TextAreaField(_l("Topics (one per line)"), validators=[Length(max=5000)])
    advice = TextAreaField(_l("Advice for the client"), validators=[Length(max=20000)])
    privileged_notes = TextAreaField(
        _l("Privileged notes (lawyers only)"), validators=[Length(max=20000)]
    )
    follow_ups = FieldList(FormField(FollowUpRow), min_entries=FOLLOW_UP_ROWS)
    submit = SubmitField(_l("Save"))

    def fields_for_service(self) -> dict[str, Any]:
        return {
            "held_on": self.held_on.data,
            "duration_minutes": self.duration_minutes.data,
            "attendees": _lines(self.attendees.data),
            "topics": _lines(self.topics.data),
            "advice": self.advice.data or "",
            "privileged_notes": self.privileged_notes.data or "",
            "follow_ups": [
                {
                    "title": r.form.title.data,
                    "owner": r.form.owner.data,
                    "due_on": r.form.due_on.data,
                }
                for r in self.follow_ups
                if (r.form.title.data or "").strip() or (r.form.owner.data or "").strip()
            ],
        }


class FollowUpDoneForm(FlaskForm):
    done = HiddenField()


def review_form(locale: str, formdata: Any = None, defaults: dict[str, str] | None = None) -> Any:
    """A form with one choice per catalogue factor (labels in `locale`), pre-filled."""

    class ReviewForm(FlaskForm):
        summary = TextAreaField(_l("Summary"), validators=[Length(max=20000)])
        submit = SubmitField(_l("Submit for decision"))

    for factor in risk.catalogue()["factors"]:
        setattr(
            ReviewForm,
            f"factor_{factor['code']}",
            RadioField(
                risk.label(factor["label"], locale),
                choices=[
                    SelectChoice(c["code"], f"{risk.label(c['label'], locale)} ({c['score']})")
                    for c in factor["choices"]
                ],
                validators=[InputRequired()],
                default=(defaults or {}).get(factor["code"]),
            ),
        )
    return ReviewForm(formdata=formdata) if formdata is not None else ReviewForm()


def review_answers(form: Any) -> dict[str, str]:
    return {
        f["code"]: getattr(form, f"factor_{f['code']}").data for f in risk.catalogue()["factors"]
    }


class ReviewDecisionForm(FlaskForm):
    version = HiddenField()
    decision = RadioField(
        _l("Decision"),
        choices=_choices(("approve", "reject"), {"approve": _l("Approve"), "reject": _l("Reject")}),
        validators=[InputRequired()],
    )
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    conditions = TextAreaField(_l("Conditions"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Decide"))
