"""The attachments a request names, with the plaintext hash recorded at filing."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from tracker.cases.models import Project
from tracker.transfers.models import TransferFile


def files_for(
    project: Project, attachment_ids: Sequence[int]
) -> tuple[list[TransferFile], list[str]]:
    """The files for `attachment_ids` (ready, in `project`), or the reasons they cannot be named.

    Until the attachments domain exposes its models, no attachment id is known."""
    if not attachment_ids:
        return [], []
    return [], [_("Every file must be a ready attachment of this project.")]


def choices(project: Project) -> list[tuple[int, str]]:
    """The ready attachments of `project` a request may name, as (id, label)."""
    return []
