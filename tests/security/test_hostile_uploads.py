"""240 hostile uploads (random bytes, huge and strange names, wrong types, truncated or
malformed multipart bodies, garbage fields) never answer 500 and leave no file behind: the
blob directory holds exactly one blob per stored version.

Figures: server errors (goal 0), files left over (goal 0)."""

from __future__ import annotations

import random
from typing import Any

from tests.support import blob_files, multipart, pdf, raw_upload, version_rows

CASES = 240
NAMES = [
    "a" * 5000,
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "",
    " ",
    "\x00.pdf",
    "con.pdf",
    "report.pdf\r\nX-Injected: 1",
    'quote".pdf',
    "보고서" * 300 + ".pdf",
    "\u202egnp.exe",
    "x" * 255 + ".pdf",
    "normal.pdf",
]
BODIES = [
    b"MZ\x90\x00" + b"\x00" * 200,  # a Windows executable
    b"\x7fELF" + b"\x00" * 200,
    b"<html><script>alert(1)</script></html>",
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b"",
    pdf(2000),
    b"%PDF-1.7\n",  # a header and nothing else
    b"PK\x03\x04" + b"\x00" * 30,  # a broken zip
]


def _case(rnd: random.Random, project_id: int) -> tuple[bytes, str]:
    name = rnd.choice(NAMES + ["".join(chr(rnd.randrange(1, 0x2FFF)) for _ in range(40))])
    data = rnd.choice(BODIES + [rnd.randbytes(rnd.randrange(1, 5000))])
    fields: list[tuple[str, str | None, bytes]] = [("file", name, data)]
    if rnd.random() < 0.4:
        garbage = rnd.choice(["asset", "nda", "nope", "", "1" * 40, "-1", "\x00"])
        fields.insert(
            0, (rnd.choice(["record_type", "record_id", "attachment_id"]), None, garbage.encode())
        )
    if rnd.random() < 0.1:
        fields = fields[:-1]  # no file at all
    if rnd.random() < 0.1:
        fields.append(("file", "second.pdf", pdf(500)))
    body = multipart(fields, boundary="B0undary")
    boundary = "B0undary"
    shape = rnd.random()
    if shape < 0.25:
        body = body[: rnd.randrange(0, len(body))]  # cut anywhere
    elif shape < 0.3:
        boundary = "other"  # the body's boundary is not the header's
    elif shape < 0.35:
        body = rnd.randbytes(rnd.randrange(0, 3000))  # not multipart at all
    return body, boundary


def test_hostile_uploads_never_500_and_leave_no_file(
    world: Any, api_as: Any, blob_dir: Any, record_property: Any
) -> None:
    rnd = random.Random(11)
    api = api_as(world.users["company"])
    server_errors, statuses = [], {}
    for _ in range(CASES):
        body, boundary = _case(rnd, world.project.id)
        response = raw_upload(api, world.project.id, body, boundary=boundary)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            server_errors.append((response.status_code, body[:200]))
    left_over = len(blob_files(blob_dir)) - version_rows()
    answers = {f"answered {code}": n for code, n in sorted(statuses.items())}
    record_property(
        "tally:hostile uploads",
        {
            "sent": CASES,
            **answers,
            "server errors": len(server_errors),
            "files left over": left_over,
        },
    )
    assert not server_errors, server_errors[:5]
    assert left_over == 0
    assert statuses.get(201, 0) > 0  # some of them were fine files, stored and counted
