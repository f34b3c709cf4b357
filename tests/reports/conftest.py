"""Fixtures of the report tests: a fresh blob directory per test (files of evidence packs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def blob_dir(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "blobs"
    monkeypatch.setitem(app.config, "TRACKER_BLOB_DIR", str(path))
    return path
