"""The audit tests' checkpoint file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tracker.audit import checkpoints


@pytest.fixture
def checkpoint(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "checkpoints.jsonl"
    monkeypatch.setitem(app.config, "TRACKER_AUDIT_CHECKPOINT_FILE", str(path))
    yield path
    app.extensions.pop(checkpoints.KNOWN, None)
