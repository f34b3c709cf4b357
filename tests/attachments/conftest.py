"""Fixtures of the attachment tests: a fresh blob directory per test (the helpers, such as
`pdf()` and `upload()`, are in tests/support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def blob_dir(blob_dir: Path) -> Path:
    """Every test here gets a fresh blob directory (tests/conftest.py)."""
    return blob_dir
