"""The filters of the portfolio pages (GET forms: nothing changes, so no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from tracker.cases.assets.models import ASSET_KINDS, NCT_STATUSES, SENSITIVITIES
from tracker.cases.labels import value_choices
from tracker.cases.portfolio.service import ASSET_SORTS, REVIEW_SORTS
from tracker.cases.reviews.models import REVIEW_STATUSES, RISK_LEVELS
from tracker.cases.search import MAX_QUERY_LENGTH
from tracker.web.sorting import choices as sort_choices


class _Filters(FlaskForm):
    class Meta:
        csrf = False

    zone_id = SelectField(_l("Zone"), coerce=int, validate_choice=False, default=0)


class AssetFilterForm(_Filters):
    q = StringField(_l("Search"), validators=[Optional(), Length(max=MAX_QUERY_LENGTH)])
    kind = SelectField(_l("Kind"), choices=value_choices(ASSET_KINDS, blank=True), default="")
    sensitivity = SelectField(
        _l("Sensitivity"), choices=value_choices(SENSITIVITIES, blank=True), default=""
    )
    nct_status = SelectField(
        _l("National core technology"), choices=value_choices(NCT_STATUSES, blank=True), default=""
    )
    sort = SelectField(choices=sort_choices(ASSET_SORTS), default="title")


class ReviewFilterForm(_Filters):
    level = SelectField(
        _l("Risk level"), choices=value_choices(RISK_LEVELS, blank=True), default=""
    )
    status = SelectField(
        _l("Status"), choices=value_choices(REVIEW_STATUSES, blank=True), default=""
    )
    valid_before = DateField(_l("Valid until before"), validators=[Optional()])
    sort = SelectField(choices=sort_choices(REVIEW_SORTS), default="-created_at")
