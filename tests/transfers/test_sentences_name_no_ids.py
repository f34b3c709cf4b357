"""The gate's sentences name an NDA by its partner and a review as the current one, never by
an id ("NDA #3", "risk review #7"): a person does not know ids (issue 19)."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from tracker.transfers.gate import _DETAILS, check_detail

PARAMS = {
    "nda_id": 31,
    "review_id": 47,
    "partner": "Kiel Maritime",
    "expires_on": "2027-02-05",
    "effective_on": "2027-01-05",
    "valid_until": "2027-03-01",
    "planned_on": "2026-12-21",
    "level": "high",
    "assets": ["Cathode recipe"],
}


@pytest.mark.parametrize("locale", ["en", "ko"])
@pytest.mark.parametrize(("code", "reason"), sorted(_DETAILS))
def test_no_sentence_names_a_record_by_its_id(app, locale, code, reason):
    check = {"code": code, "ok": reason == "ok", "params": {**PARAMS, "reason": reason}}
    with app.test_request_context("/"), force_locale(locale):
        sentence = check_detail(check)
    assert not re.search(r"#\s*\d|\b31\b|\b47\b", sentence), sentence
    if code.startswith("nda_"):
        assert "Kiel Maritime" in sentence, sentence
