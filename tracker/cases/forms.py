"""Forms of the case-file pages (Flask-WTF: CSRF on every form that changes something)."""

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
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.cases.models import (
    ASSET_KINDS,
    DEADLINE_KINDS,
    NCT_STATUSES,
    PROJECT_STATUSES,
    RISK_LEVELS,
    SECURITY_LEVELS,
    SENSITIVITIES,
    STRATEGIC_ITEM,
)
from tracker.cases.ndas import SETTABLE_STATUSES
from tracker.cases.service import MAX_BUDGET_KRW

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice

    def choice(value: Any, text: Any) -> Any:
        """One option of a select field."""
        return SelectChoice(value, text)

except ImportError:  # pragma: no cover - older WTForms

    def choice(value: Any, text: Any) -> Any:
        """One option of a select field."""
        return (value, text)


LABELS: dict[str, Any] = {
    # security grades, statuses, risk levels
    "general": _l("General"),
    "security": _l("Security"),
    "sensitive": _l("Sensitive"),
    "active": _l("Active"),
    "closed": _l("Closed"),
    "draft": _l("Draft"),
    "expired": _l("Expired"),
    "terminated": _l("Terminated"),
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "critical": _l("Critical"),
    "none": _l("Not assessed"),
    # asset kinds and sensitivities
    "patent": _l("Patent"),
    "utility_model": _l("Utility model"),
    "design": _l("Design"),
    "trademark": _l("Trademark"),
    "trade_secret": _l("Trade secret"),
    "know_how": _l("Know-how"),
    "software": _l("Software"),
    "data": _l("Data"),
    "public": _l("Public"),
    "confidential": _l("Confidential"),
    # regulatory status
    "not_nct": _l("Not national core technology"),
    "pending": _l("Determination requested"),
    "nct_funded": _l("National core technology (government-funded)"),
    "nct_private": _l("National core technology (private)"),
    "no": _l("No"),
    "yes": _l("Yes"),
    "unknown": _l("Unknown"),
    # deadline kinds
    "priority": _l("Priority"),
    "pct": _l("PCT"),
    "national_phase": _l("National phase"),
    "annuity": _l("Annuity"),
    "other": _l("Other"),
}


def label(value: str | None) -> str:
    """The translated label of a stored value (enum values are stored in English)."""
    if value is None:
        return str(LABELS["none"])
    return str(LABELS.get(value, value))


def _choices(values: tuple[str, ...], blank: bool = False) -> list[Any]:
    options = [choice(v, LABELS.get(v, v)) for v in values]
    return [choice("", "—"), *options] if blank else options


class ProjectFilterForm(FlaskForm):
    """The filters of the project list (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    zone_id = SelectField(_l("Zone"), coerce=int, validate_choice=False, default=0)
    status = SelectField(_l("Status"), choices=_choices(PROJECT_STATUSES, blank=True), default="")
    risk_level = SelectField(
        _l("Risk level"), choices=_choices((*RISK_LEVELS, "none"), blank=True), default=""
    )
    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])


class ProjectForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    zone_id = SelectField(_l("Zone"), coerce=int, validate_choice=False)
    company_id = SelectField(_l("Lead company"), coerce=int, validate_choice=False)
    partner_ids = SelectMultipleField(_l("Foreign partners"), coerce=int, validate_choice=False)
    lawyer_ids = SelectMultipleField(_l("Assigned lawyers"), coerce=int, validate_choice=False)
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    budget_krw = IntegerField(
        _l("Budget (KRW)"), validators=[Optional(), NumberRange(min=0, max=MAX_BUDGET_KRW)]
    )
    security_level = SelectField(_l("Security grade"), choices=_choices(SECURITY_LEVELS))
    status = SelectField(_l("Status"), choices=_choices(PROJECT_STATUSES))
    #: the version the form was loaded with (optimistic locking)
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class OwnerForm(Form):
    organization_id = SelectField(_l("Rights holder"), coerce=int, validate_choice=False, default=0)
    share_pct = DecimalField(
        _l("Share (%)"), places=2, validators=[Optional(), NumberRange(min=0, max=100)]
    )


class DeadlineForm(Form):
    kind = SelectField(
        _l("Deadline"), choices=_choices(DEADLINE_KINDS, blank=True), validate_choice=False
    )
    due_on = DateField(_l("Due on"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    done = BooleanField(_l("Done"))


class AssetForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=_choices(ASSET_KINDS))
    sensitivity = SelectField(_l("Sensitivity"), choices=_choices(SENSITIVITIES))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])
    jurisdictions = StringField(
        _l("Jurisdictions (ISO codes, EP, WO; comma-separated)"),
        validators=[Optional(), Length(max=400)],
    )
    owners = FieldList(FormField(OwnerForm), min_entries=3, max_entries=20)
    application_no = StringField(_l("Application number"), validators=[Length(max=100)])
    filed_on = DateField(_l("Filed on"), validators=[Optional()])
    registration_no = StringField(_l("Registration number"), validators=[Length(max=100)])
    registered_on = DateField(_l("Registered on"), validators=[Optional()])
    nct_status = SelectField(_l("National core technology"), choices=_choices(NCT_STATUSES))
    nct_ref = StringField(_l("Approval or report reference"), validators=[Length(max=100)])
    strategic_item = SelectField(_l("Strategic item"), choices=_choices(STRATEGIC_ITEM))
    export_licence_ref = StringField(_l("Export licence"), validators=[Length(max=100)])
    export_licence_until = DateField(_l("Export licence valid until"), validators=[Optional()])
    originality_cert_no = StringField(
        _l("Originality certificate number"), validators=[Length(max=100)]
    )
    confidentiality_marked = BooleanField(_l("Documents carry a confidentiality marking"))
    deadlines = FieldList(FormField(DeadlineForm), min_entries=3, max_entries=50)
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class NdaForm(FlaskForm):
    partner_id = SelectField(_l("Partner"), coerce=int, validate_choice=False)
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    effective_on = DateField(_l("Effective from"), validators=[DataRequired()])
    expires_on = DateField(_l("Expires on"), validators=[DataRequired()])
    governing_law = StringField(_l("Governing law"), validators=[Length(max=100)])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=10_000)])
    asset_ids = SelectMultipleField(_l("Covered assets"), coerce=int, validate_choice=False)
    return_or_destroy = BooleanField(_l("Return-or-destroy clause"))
    audit_rights = BooleanField(_l("Audit rights"))
    status = SelectField(_l("Status"), choices=_choices(SETTABLE_STATUSES))
    version = HiddenField()
    submit = SubmitField(_l("Save"))
