"""Sign-in, account and admin forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from typing import Any

from babel.dates import get_timezone_location
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional

from tracker.auth.countries import country_name
from tracker.auth.labels import ORG_KIND_LABELS, ROLE_LABELS
from tracker.auth.models import LOCALES, ORG_KINDS, ROLES, Organization, User, Zone
from tracker.auth.passwords import MAX_INPUT_LENGTH
from tracker.auth.totp import MAX_OTP_LENGTH
from tracker.db import text_limit


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=text_limit(User.email))])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_INPUT_LENGTH)]
    )
    #: shown once the address is locked: the password with a fresh code ends the lock
    otp = StringField(_l("One-time code"), validators=[Optional(), Length(max=MAX_OTP_LENGTH)])
    submit = SubmitField(_l("Sign in"))


class TotpForm(FlaskForm):
    otp = StringField(_l("One-time code"), validators=[DataRequired(), Length(max=MAX_OTP_LENGTH)])
    submit = SubmitField(_l("Verify"))


class ConfirmPasswordForm(FlaskForm):
    """The password asked again before a lasting grant; empty when the sign-in is recent."""

    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=MAX_INPUT_LENGTH)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_INPUT_LENGTH)]
    )
    new = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_INPUT_LENGTH)]
    )
    submit = SubmitField(_l("Change password"))


class SetPasswordForm(FlaskForm):
    """The invitation page: the person sets their own password."""

    new = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_INPUT_LENGTH)]
    )
    submit = SubmitField(_l("Set password and sign in"))


class EnrolTotpForm(FlaskForm):
    otp = StringField(_l("Code from your authenticator"), validators=[DataRequired()])
    submit = SubmitField(_l("Turn on two-step sign-in"))


class PlainForm(FlaskForm):
    """A form with nothing but its CSRF token (sign-out, language switch, buttons)."""


#: the longest text a country's name is typed as (its longest CLDR name is 40 characters)
COUNTRY_INPUT_LENGTH = 100
#: each language by its own name, so a reader finds theirs whichever language the page is in
LOCALE_NAMES = {"ko": "한국어", "en": "English"}


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=text_limit(User.email))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=text_limit(User.name))])
    # no default: a new account's role is chosen, never "admin" by being first in the list
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", "—"), *(SelectChoice(r, ROLE_LABELS[r]) for r in ROLES)],
        validators=[DataRequired(_l("Choose a role."))],
    )
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=MAX_INPUT_LENGTH)])
    organization_id = SelectField(_l("Organisation"), coerce=int, validate_choice=False)
    zone_id = SelectField(_l("Zone"), coerce=int, validate_choice=False)
    locale = SelectField(
        _l("Language"), choices=[SelectChoice(loc, LOCALE_NAMES.get(loc, loc)) for loc in LOCALES]
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class ZoneForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=text_limit(Zone.code))])
    name_en = StringField(
        _l("Name (English)"), validators=[DataRequired(), Length(max=text_limit(Zone.name_en))]
    )
    name_ko = StringField(
        _l("Name (Korean)"), validators=[DataRequired(), Length(max=text_limit(Zone.name_ko))]
    )
    industry = StringField(
        _l("Industry"), validators=[Optional(), Length(max=text_limit(Zone.industry))]
    )
    submit = SubmitField(_l("Add zone"))


class CountryField(StringField):
    """A country picked from the page's list of names (`macros.html::country_list`) or typed:
    a name in either language or the code; stored as the ISO code (the service reads it),
    shown by its name in the reader's language."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"list": "countries", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        validators = [*(validators or []), Length(max=COUNTRY_INPUT_LENGTH)]
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return country_name(self.data) if self.data else ""


class OrganizationForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=text_limit(Organization.name))]
    )
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, ORG_KIND_LABELS[k]) for k in ORG_KINDS])
    country = CountryField(_l("Country"), validators=[DataRequired()])
    submit = SubmitField(_l("Add organisation"))


class OrganizationEditForm(OrganizationForm):
    submit = SubmitField(_l("Save"))


#: the zones offered on the account page (the API takes any IANA name; a zone chosen there
#: is offered too): where the firm's clients and their foreign partners work
OFFERED_TIME_ZONES = (
    "Asia/Seoul", "Asia/Tokyo", "Asia/Shanghai", "Asia/Taipei", "Asia/Singapore",
    "Asia/Ho_Chi_Minh", "Asia/Kolkata", "Asia/Dubai", "Europe/London", "Europe/Paris",
    "Europe/Berlin", "Europe/Amsterdam", "Europe/Zurich", "Europe/Stockholm", "Europe/Helsinki",
    "Europe/Warsaw", "America/New_York", "America/Chicago", "America/Denver",
    "America/Los_Angeles", "America/Toronto", "America/Sao_Paulo", "Australia/Sydney",
    "Pacific/Auckland",
)  # fmt: skip


def time_zone_choices(current: str) -> list[SelectChoice]:
    """The offered zones (and `current`) named in the reader's language ("독일(베를린) 시간")."""
    names = OFFERED_TIME_ZONES if current in OFFERED_TIME_ZONES else (current, *OFFERED_TIME_ZONES)
    locale = str(get_locale() or "en")
    return sorted(
        (SelectChoice(z, _zone_label(z, locale)) for z in names), key=lambda c: str(c.label)
    )


def _zone_label(zone: str, locale: str) -> str:
    try:
        return str(get_timezone_location(zone, locale=locale))
    except LookupError:  # a zone Babel's data does not name
        return zone


class PreferencesForm(FlaskForm):
    time_zone = SelectField(_l("Time zone"), validate_choice=False)
    locale = SelectField(
        _l("Language"), choices=[SelectChoice(loc, LOCALE_NAMES.get(loc, loc)) for loc in LOCALES]
    )
    submit = SubmitField(_l("Save preferences"))
