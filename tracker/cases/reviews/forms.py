"""Forms of the risk-review pages: one radio group per catalogue factor."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from tracker.cases.labels import value_choices
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.models import RiskReview
from tracker.db import text_limit


def review_form(
    locale: str,
    formdata: Any = None,
    defaults: dict[str, str] | None = None,
    *,
    draft: bool = False,
) -> Any:
    """A form with one choice per catalogue factor (labels in `locale`), pre-filled. Its
    "Save draft" button (`draft`) leaves factors optional; "Submit" requires every one."""

    class ReviewForm(FlaskForm):
        summary = TextAreaField(
            _l("Summary"), validators=[Length(max=text_limit(RiskReview.summary))]
        )
        #: the draft's version the form was loaded with (optimistic locking)
        version = HiddenField()
        save_draft = SubmitField(_l("Save draft"))
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
                validators=[Optional() if draft else InputRequired()],
                default=(defaults or {}).get(factor["code"]),
            ),
        )
    return ReviewForm(formdata=formdata) if formdata is not None else ReviewForm()


def review_answers(form: Any) -> dict[str, str]:
    """The factors the form answers (a draft may leave some out)."""
    answers = {
        f["code"]: getattr(form, f"factor_{f['code']}").data for f in risk.catalogue()["factors"]
    }
    return {code: choice for code, choice in answers.items() if choice}


class DraftDeleteForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField(_l("Delete draft"))


class ReviewDecisionForm(FlaskForm):
    version = HiddenField()
    decision = RadioField(
        _l("Decision"),
        choices=value_choices(
            ("approve", "reject"), {"approve": _l("Approve"), "reject": _l("Reject")}
        ),
        validators=[InputRequired()],
    )
    valid_until = DateField(
        _l("Valid until"),
        validators=[Optional()],
        description=_l("Needed to approve: one year from today unless the review says otherwise."),
    )
    conditions = TextAreaField(
        _l("Conditions"), validators=[Length(max=text_limit(RiskReview.conditions))]
    )
    submit = SubmitField(_l("Decide"))
