"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from tracker.audit import models as audit_models
from tracker.auth import models as auth_models
from tracker.cases import models as case_models

__all__ = ["audit_models", "auth_models", "case_models"]
