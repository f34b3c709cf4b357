"""A lawyer's projects read from one index: project_lawyers by (user_id, project_id)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07

Every lawyer-scoped statement starts from the lawyer's rows of project_lawyers. The index on
`user_id` alone found them but then read each row from the table (about 60 pages for a lawyer
of 100 projects, three or four times a page); with `project_id` in the index they are read from
the index alone. It replaces the `user_id` index, of which it is a prefix. Downgrade restores it.
"""

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_project_lawyers_user_id_project_id", "project_lawyers", ["user_id", "project_id"]
    )
    op.drop_index("ix_project_lawyers_user_id", table_name="project_lawyers")


def downgrade():
    op.create_index("ix_project_lawyers_user_id", "project_lawyers", ["user_id"])
    op.drop_index("ix_project_lawyers_user_id_project_id", table_name="project_lawyers")
