"""Fixtures of the attachment tests: a fresh blob directory per test (the helpers, such as
`pdf()` and `upload()`, are in tests/support.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def blob_dir(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "blobs"
    monkeypatch.setitem(app.config, "TRACKER_BLOB_DIR", str(path))
    return path
