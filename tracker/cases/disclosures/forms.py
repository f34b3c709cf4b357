"""Forms of the disclosure pages (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
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
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.auth.forms import CountryField
from tracker.cases.assets.forms import OwnerForm
from tracker.cases.assets.models import (
    ASSET_KINDS,
    NCT_STATUSES,
    SENSITIVITIES,
    STRATEGIC_ITEM,
    IpAsset,
)
from tracker.cases.disclosures.models import Disclosure, Inventor
from tracker.cases.labels import value_choices
from tracker.db import text_limit
from tracker.errors import InvalidInput

INVENTOR_ROWS = 5


class InventorRow(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=text_limit(Inventor.name))])
    share_pct = DecimalField(_l("Share (percent)"), places=None, validators=[Optional()])
    nationality = CountryField(_l("Nationality"), validators=[Optional()])
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
    conceived_on = DateField(_l("Conceived on"), validators=[InputRequired()])
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
        _l("Note to the company (required to reject or to ask for more)"),
        validators=[Length(max=text_limit(Disclosure.reviewer_note))],
    )
    asset_title = StringField(
        _l("Asset title"), validators=[Optional(), Length(max=text_limit(IpAsset.title))]
    )
    # the asset fields matter on accept only: the service checks them then
    asset_kind = SelectField(
        _l("Asset kind"), choices=value_choices(ASSET_KINDS), validate_choice=False
    )
    asset_sensitivity = SelectField(
        _l("Asset sensitivity"),
        choices=value_choices(SENSITIVITIES),
        default="confidential",
        validate_choice=False,
    )
    asset_description = TextAreaField(
        _l("Asset description (your own; the disclosure's stays with the disclosure)"),
        validators=[Optional(), Length(max=text_limit(IpAsset.description))],
    )
    # no default: accepting needs the lawyer's determination (blank is refused on accept)
    asset_nct_status = SelectField(
        _l("National core technology"),
        choices=value_choices(NCT_STATUSES, blank=True),
        validate_choice=False,  # checked below on accept, and by the assets service
    )
    asset_nct_ref = StringField(
        _l("Approval or report reference"),
        validators=[Optional(), Length(max=text_limit(IpAsset.nct_ref))],
    )
    asset_strategic_item = SelectField(
        _l("Strategic item"),
        choices=value_choices(STRATEGIC_ITEM, blank=True),
        validate_choice=False,
    )
    owners = FieldList(FormField(OwnerForm), min_entries=2, max_entries=20)
    submit = SubmitField(_l("Decide"))

    def validate_asset_nct_status(self, field: Any) -> None:
        if self.decision.data == "accept" and not field.data:
            raise ValidationError(_l("Set the national core technology status when accepting."))

    def validate_asset_strategic_item(self, field: Any) -> None:
        if self.decision.data == "accept" and not field.data:
            raise ValidationError(_l("Set the strategic-item classification when accepting."))

    def asset_for_service(self) -> dict[str, Any]:
        """The decision's asset, for the service (owners: the rows with an organisation)."""
        owners = [
            {"organization_id": row.form.organization_id.data, "share_pct": row.form.share_pct.data}
            for row in self.owners
            if row.form.organization_id.data
        ]
        if any(o["share_pct"] is None for o in owners):
            raise InvalidInput({"owners": [_("Each owner needs a share.")]})
        return {
            "title": self.asset_title.data,
            "kind": self.asset_kind.data,
            "sensitivity": self.asset_sensitivity.data,
            "description": self.asset_description.data,
            "nct_status": self.asset_nct_status.data or None,
            "nct_ref": self.asset_nct_ref.data or None,
            "strategic_item": self.asset_strategic_item.data or None,
            "owners": owners,
        }
