"""Refusals a Korean user meets after an action read in Korean: an upload of a refused type,
an empty upload, a decision on a record that changed (409)."""

from __future__ import annotations

import io
import re
from typing import Any

from tests.support import csrf_token, make_disclosure
from tests.ui.crawl import visible_text
from tracker.db import db

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _korean(user: Any) -> Any:
    user.locale = "ko"
    db.session.flush()
    return user


def _errors(page: str) -> list[str]:
    return [visible_text(m) for m in re.findall(r'class="error"[^>]*>(.*?)</', page, re.S)]


def _upload(client: Any, project_id: int, data: bytes, name: str) -> Any:
    token = csrf_token(client, f"/projects/{project_id}/files")
    return client.post(
        f"/projects/{project_id}/files",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_refusals_are_korean(world, browser_as):
    client = browser_as(_korean(world.users["company"]))
    for data in (b"MZ\x90\x00" + b"\x00" * 5000, b""):
        r = _upload(client, world.project.id, data, "run.exe")
        assert r.status_code == 422
        page = r.get_data(as_text=True)
        messages = [m for m in _errors(page) if m.strip()]
        assert messages, page[:2000]
        assert all(HANGUL.search(m) for m in messages), messages


def test_a_conflict_reads_in_korean(world, browser_as):
    filed = make_disclosure(world.project, world.users["company"])
    lawyer = browser_as(_korean(world.users["lawyer"]))
    token = csrf_token(lawyer, f"/disclosures/{filed.id}")
    data = {"csrf_token": token, "decision": "reject", "note": "x"}
    assert lawyer.post(f"/disclosures/{filed.id}/decision", data=data).status_code == 302
    r = lawyer.post(f"/disclosures/{filed.id}/decision", data=data)
    assert r.status_code == 409
    messages = [m for m in _errors(r.get_data(as_text=True)) if m.strip()]
    assert messages and all(HANGUL.search(m) for m in messages), messages
