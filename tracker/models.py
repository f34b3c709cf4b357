"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from tracker.attachments import models as attachment_models
from tracker.audit import models as audit_models
from tracker.auth import invitations as invitation_models
from tracker.auth import models as auth_models
from tracker.auth import notifications as notification_models
from tracker.cases import models as search_models
from tracker.cases.assets import models as asset_models
from tracker.cases.disclosures import models as disclosure_models
from tracker.cases.filings import models as filing_models
from tracker.cases.ndas import models as nda_models
from tracker.cases.projects import models as project_models
from tracker.cases.reviews import models as review_models
from tracker.cases.sessions import models as session_models
from tracker.deadlines import models as deadline_models
from tracker.transfers import models as transfer_models

MODULES = [
    auth_models,
    audit_models,
    project_models,
    asset_models,
    filing_models,
    disclosure_models,
    nda_models,
    review_models,
    session_models,
    search_models,
    attachment_models,
    transfer_models,
    deadline_models,
    notification_models,
    invitation_models,
]
