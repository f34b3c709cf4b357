"""What the case-file pages share: the signed-in user, form pages, organisation choices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import render_template

from tracker import policy
from tracker.auth.models import Organization
from tracker.cases.labels import choice, label
from tracker.db import db
from tracker.web.forms import save_form


def template_helpers() -> dict[str, Any]:
    """What every case-file template uses (each blueprint registers it)."""
    return {"case_label": label, "can": policy.can}


def submit_page(
    form: Any,
    action: Callable[[], Any],
    message: str,
    target: Callable[[Any], str],
    template: str,
    **context: Any,
) -> Any:
    """Handle a form page: after a successful save, flash `message` and redirect to
    `target(saved)`; otherwise render `template` with the form (200, or 409/422 with the
    errors on the form)."""
    done = save_form(form, action, message, target)
    return done.response or (render_template(template, form=form, **context), done.status)


def organization_choices(*kinds: str) -> list[Any]:
    rows = db.session.execute(
        sa.select(Organization)
        .where(Organization.kind.in_(kinds))
        .order_by(Organization.name, Organization.id)
    ).scalars()
    return [choice(o.id, f"{o.name} ({o.country})") for o in rows]


def fill_rows(field_list: Any, rows: list[dict[str, Any]]) -> None:
    """Load rows into a FieldList, keeping up to two empty entries to add more (never more
    entries than the list's `max_entries`: WTForms refuses those with an AssertionError)."""
    while len(field_list):
        field_list.pop_entry()
    spare = 2 if field_list.max_entries is None else max(0, field_list.max_entries - len(rows))
    for row in [*rows, *([{}] * min(2, spare))]:
        field_list.append_entry(row or None)
