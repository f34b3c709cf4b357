"""Every column of every list export has a translated header (an untranslated one shows the
field's code, such as `source_type`, to a Korean reader)."""

from __future__ import annotations

import pytest

from tracker.api.assets import AssetSchema
from tracker.api.deadlines import DeadlineSchema
from tracker.api.disclosures import DisclosureOutSchema
from tracker.api.ndas import NdaSchema
from tracker.api.projects import ProjectSchema
from tracker.api.reviews import RiskReviewSchema
from tracker.api.sessions import AdvisorySessionSummarySchema
from tracker.reports.columns import COLUMN_LABELS

EXPORTED = [
    AssetSchema,
    DeadlineSchema,
    DisclosureOutSchema,
    NdaSchema,
    ProjectSchema,
    RiskReviewSchema,
    AdvisorySessionSummarySchema,
]


@pytest.mark.parametrize("schema", EXPORTED, ids=lambda s: s.__name__)
def test_every_exported_column_has_a_label(app, schema):
    missing = sorted(set(schema().dump_fields) - set(COLUMN_LABELS))
    assert missing == []
