"""Forms of the IP asset pages."""

from __future__ import annotations

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
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.cases.assets.models import (
    ASSET_KINDS,
    DEADLINE_KINDS,
    NCT_STATUSES,
    SENSITIVITIES,
    STRATEGIC_ITEM,
    AssetDeadline,
    IpAsset,
)
from tracker.cases.assets.service import JURISDICTIONS_TEXT_MAX
from tracker.cases.labels import value_choices
from tracker.db import text_limit


class OwnerForm(Form):
    organization_id = SelectField(_l("Rights holder"), coerce=int, validate_choice=False, default=0)
    share_pct = DecimalField(
        _l("Share (%)"), places=2, validators=[Optional(), NumberRange(min=0, max=100)]
    )


class DeadlineForm(Form):
    kind = SelectField(
        _l("Deadline"), choices=value_choices(DEADLINE_KINDS, blank=True), validate_choice=False
    )
    due_on = DateField(_l("Due on"), validators=[Optional()])
    note = StringField(
        _l("Note"), validators=[Optional(), Length(max=text_limit(AssetDeadline.note))]
    )
    done = BooleanField(_l("Done"))


class AssetForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=text_limit(IpAsset.title))]
    )
    kind = SelectField(_l("Kind"), choices=value_choices(ASSET_KINDS))
    sensitivity = SelectField(_l("Sensitivity"), choices=value_choices(SENSITIVITIES))
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=text_limit(IpAsset.description))]
    )
    jurisdictions = StringField(
        _l("Jurisdictions (ISO codes, EP, WO; comma-separated)"),
        validators=[Optional(), Length(max=JURISDICTIONS_TEXT_MAX)],
    )
    owners = FieldList(FormField(OwnerForm), min_entries=3, max_entries=20)
    application_no = StringField(
        _l("Application number"), validators=[Length(max=text_limit(IpAsset.application_no))]
    )
    priority_on = DateField(_l("Earliest priority date"), validators=[Optional()])
    filed_on = DateField(_l("Filed on"), validators=[Optional()])
    registration_no = StringField(
        _l("Registration number"), validators=[Length(max=text_limit(IpAsset.registration_no))]
    )
    registered_on = DateField(_l("Registered on"), validators=[Optional()])
    nct_status = SelectField(_l("National core technology"), choices=value_choices(NCT_STATUSES))
    nct_ref = StringField(
        _l("Approval or report reference"), validators=[Length(max=text_limit(IpAsset.nct_ref))]
    )
    nct_filed_on = DateField(_l("Export approval or report filed on"), validators=[Optional()])
    strategic_item = SelectField(_l("Strategic item"), choices=value_choices(STRATEGIC_ITEM))
    export_licence_ref = StringField(
        _l("Export licence"), validators=[Length(max=text_limit(IpAsset.export_licence_ref))]
    )
    export_licence_until = DateField(_l("Export licence valid until"), validators=[Optional()])
    originality_cert_no = StringField(
        _l("Originality certificate number"),
        validators=[Length(max=text_limit(IpAsset.originality_cert_no))],
    )
    confidentiality_marked = BooleanField(_l("Documents carry a confidentiality marking"))
    deadlines = FieldList(FormField(DeadlineForm), min_entries=3, max_entries=50)
    version = HiddenField()
    submit = SubmitField(_l("Save"))
