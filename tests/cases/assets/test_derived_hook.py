"""An asset's derived deadlines know the filings only through the hook the filings package
registers (`FAMILY_SYNC`, as `NEXT_DUE_OWNERS`): no import of the filings inside a function."""

from __future__ import annotations

import ast
import pathlib

from tests.support import day, make_asset
from tracker.cases.assets import derived
from tracker.cases.filings import derived as family
from tracker.cases.filings import service as filings
from tracker.db import db

DERIVED = pathlib.Path(derived.__file__)


def test_asset_deadlines_import_no_filings():
    modules = [
        node.module
        for node in ast.walk(ast.parse(DERIVED.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module
    ]
    assert not [m for m in modules if m.startswith("tracker.cases.filings")], modules
    assert family._family_changed in derived.FAMILY_SYNC


def test_an_asset_with_filings_rederives_its_family_through_the_hook(world):
    asset = make_asset(world.project, title="Separator film")
    asset.jurisdictions = ["KR"]
    filing = filings.create_filing(asset, {"office": "KR", "route": "first", "filed_on": day(-30)})
    db.session.flush()
    before = {row.key for row in filing.deadlines}
    assert before
    filing.deadlines.clear()
    db.session.flush()
    assert derived.sync(asset) is True
    assert {row.key for row in filing.deadlines} == before and not asset.derived_deadlines
