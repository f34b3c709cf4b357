"""Submitting an HTML form to a service: the service's field errors and a stale version land on
the form, the transaction is rolled back, and the page is shown again with 422 or 409. And the
one field every form uses for a multiple choice (`CheckboxListField`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response
from wtforms import FieldList, Form, HiddenField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.db import db
from tracker.errors import STALE_MESSAGE, InvalidInput, StateConflict


class CheckboxListField(SelectMultipleField):
    """A multiple choice as a list of checkboxes (no Ctrl-click). `macros.html`'s `field`
    renders it in a fieldset whose legend is the label; the ticks a refused form was sent
    with stay ticked (SelectMultipleField keeps the posted values)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Submitted(NamedTuple):
    """What became of a form: a redirect after a save, else the status to show it with."""

    response: Response | None
    status: int


def bind_errors(form: Any, errors: dict[str, list[str]]) -> None:
    """Put a service's field errors (`inventors.0.share_pct`) on the form's fields; messages
    for fields the form does not show (lists, hidden fields, `_schema`) go on top of it."""
    for path, messages in errors.items():
        target: Any = form
        for part in path.replace("answers.", "factor_").split("."):
            if target is None:
                break
            if part.isdigit() and isinstance(target, FieldList):
                index = int(part)
                target = target.entries[index].form if index < len(target.entries) else None
            else:
                target = getattr(target, part, None)
        shown = not isinstance(target, (Form, FieldList, HiddenField))
        if target is not None and hasattr(target, "errors") and shown:
            target.errors = [*list(target.errors or []), *map(gettext, messages)]
        else:
            form.form_errors.extend(map(gettext, messages))


def show_refusal(form: Any, exc: InvalidInput) -> None:
    """Roll back the refused change and show the service's reasons on the form."""
    db.session.rollback()
    bind_errors(form, exc.errors)


def form_version(form: Any) -> int | None:
    """The record version an edit form was loaded with (its hidden `version` field)."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def save_form(
    form: Any, save: Callable[[], Any], message: str, target: Callable[[Any], str]
) -> Submitted:
    """Validate `form` and call `save()`; on success flash `message` and redirect to
    `target(result)`. Otherwise roll back and answer the status to show the form with: 200
    before a submit, 422 for invalid input (the form's or the service's), 409 when the record
    changed or is in a state that refuses this (the reason on top of the form)."""
    if not form.validate_on_submit():
        return Submitted(None, 422 if request.method == "POST" else 200)
    try:
        result = save()
    except InvalidInput as exc:
        show_refusal(form, exc)
        return Submitted(None, 422)
    except StateConflict as exc:
        db.session.rollback()
        form.form_errors.append(gettext(exc.detail or STALE_MESSAGE))
        return Submitted(None, 409)
    flash(message)
    return Submitted(redirect(target(result)), 302)
