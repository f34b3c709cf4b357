"""A deny's note is required, and the form says so before it is sent: the label, and the
`required`/`aria-required` attributes as soon as "deny" is chosen (static/js/forms.js; the
server marks it when the page comes back with "deny" chosen)."""

from __future__ import annotations

import re

import pytest

from tests.support import ROLES
from tests.transfers.test_pages import decide_page, file
from tracker.db import db

NOTE = re.compile(r'<textarea[^>]*name="note"[^>]*>')


def test_the_operator_sees_the_note_marked_for_a_deny(gate_world, browser_as):
    w = gate_world
    t = file(w)
    c = browser_as(w.users["operator"])
    html = c.get(f"/transfers/{t.id}").get_data(as_text=True)
    note = NOTE.search(html).group(0)
    assert 'data-required-for="deny"' in note and "Note (required to deny)" in html
    refused = decide_page(c, t, "deny")
    assert refused.status_code == 422
    note = NOTE.search(refused.get_data(as_text=True)).group(0)
    assert re.search(r"\brequired\b", note) and 'aria-required="true"' in note


def test_the_mark_in_korean(gate_world, browser_as):
    w = gate_world
    t = file(w)
    w.users["operator"].locale = "ko"
    db.session.commit()
    html = browser_as(w.users["operator"]).get(f"/transfers/{t.id}").get_data(as_text=True)
    assert "메모 (거부 시 필수)" in html


@pytest.mark.parametrize("role", [r for r in ROLES if r != "operator"])
def test_no_other_role_gets_the_decision_form(gate_world, browser_as, role):
    w = gate_world
    t = file(w)
    response = browser_as(w.users[role]).get(f"/transfers/{t.id}")
    assert "data-required-for" not in response.get_data(as_text=True)
