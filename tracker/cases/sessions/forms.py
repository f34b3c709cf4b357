"""Forms of the advisory-session pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.cases.sessions.service import LIST_TEXT_MAX
from tracker.db import text_limit

FOLLOW_UP_ROWS = 3


class FollowUpRow(Form):
    title = StringField(
        lazy_pgettext("follow-up", "Action"),
        validators=[Optional(), Length(max=text_limit(FollowUp.title))],
    )
    owner = StringField(
        _l("Owner"), validators=[Optional(), Length(max=text_limit(FollowUp.owner))]
    )
    due_on = DateField(_l("Due on"), validators=[Optional()])


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SessionForm(FlaskForm):
    version = HiddenField()
    held_on = DateField(_l("Held on"), validators=[InputRequired()])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[InputRequired(), NumberRange(min=1, max=24 * 60)]
    )
    attendees = TextAreaField(
        _l("Attendees (one per line)"), validators=[Length(max=LIST_TEXT_MAX)]
    )
    topics = TextAreaField(_l("Topics (one per line)"), validators=[Length(max=LIST_TEXT_MAX)])
    advice = TextAreaField(
        _l("Advice for the client"), validators=[Length(max=text_limit(AdvisorySession.advice))]
    )
    privileged_notes = TextAreaField(
        _l("Privileged notes (lawyers only)"),
        validators=[Length(max=text_limit(AdvisorySession.privileged_notes))],
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
