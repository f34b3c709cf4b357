"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from tracker import discovery

MODULES = discovery.model_modules()
