"""The trade-secret evidence pack: a ZIP with `manifest.json`, a PDF of the same and the files.

Streaming: the ZIP is written by the standard library's `zipfile` into a sink that cannot seek;
`zipfile` then writes each member's CRC and sizes in a data descriptor after its data, so every
chunk of a file can leave as soon as it is written. Memory stays at about one chunk whatever the
files' sizes (a 1 GiB file is tested). No dependency is needed for that (zipstream-ng would do the
same with more API than we use). Members are zip64 (`force_zip64`), so files over 4 GiB work too.

The files are stored, not deflated: what users attach (PDF, Office documents, images, archives)
is mostly compressed already, and storing costs only a CRC per byte instead of deflate's CPU time
on a request thread. The manifest and the PDF are deflated.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from flask_babel import force_locale, gettext

from tracker.auth.labels import role_label
from tracker.cases import labels
from tracker.reports.pdf import Document, format_time

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


class _Sink:
    """A write-only, non-seekable file for zipfile; `drain()` hands over what was written."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def manifest_json(manifest: dict[str, Any]) -> bytes:
    return json.dumps(
        manifest, ensure_ascii=False, indent=2, sort_keys=True, default=_json_default
    ).encode()


def safe_arcname(name: str) -> str:
    """A member name with no directory escapes, absolute paths or control characters."""
    parts = [_UNSAFE.sub("", part).strip() for part in name.replace("\\", "/").split("/")]
    kept = [p for p in parts if p and p not in (".", "..")]
    return "/".join(kept) or "file"


class MemberNames:
    """Names the files of a pack as the ZIP holds them, one after the other: under `files/`,
    made safe (`safe_arcname`), a repeat numbered " (2)", " (3)"... The ZIP writer names its
    members with one; the manifest names its `path`s with another over the same names in the
    same order (`member_names`), so every path it gives is a member of the ZIP."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def __call__(self, arcname: str) -> str:
        name = "files/" + safe_arcname(arcname)
        stem, dot, ext = name.rpartition(".") if "." in name.rsplit("/", 1)[-1] else (name, "", "")
        n = 1
        while name in self._seen:
            n += 1
            name = f"{stem} ({n}){dot}{ext}"
        self._seen.add(name)
        return name


def member_names(arcnames: Iterable[str]) -> list[str]:
    """The ZIP member name of each of `arcnames`, as `evidence_zip` names them."""
    name = MemberNames()
    return [name(a) for a in arcnames]


def _timestamp(when: dt.datetime | None) -> tuple[int, int, int, int, int, int]:
    when = when or dt.datetime.now(dt.UTC)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    if when.year < 1980:  # the ZIP format starts in 1980
        when = dt.datetime(1980, 1, 1)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


def evidence_zip(
    manifest: dict[str, Any],
    pdf: bytes,
    files: Iterable[tuple[str, Iterable[bytes]]],
) -> Iterator[bytes]:
    """Yield the ZIP piece by piece: `manifest.json`, `evidence.pdf`, then each file under
    `files/` (its chunks read only as they are written). Duplicate names get " (2)" etc."""
    generated = manifest.get("generated_at")
    stamp = _timestamp(generated if isinstance(generated, dt.datetime) else None)
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, body in (("manifest.json", manifest_json(manifest)), ("evidence.pdf", pdf)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, body)
            yield sink.drain()
        member_name = MemberNames()
        for arcname, chunks in files:
            info = zipfile.ZipInfo(member_name(arcname), date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, mode="w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
                    out = sink.drain()
                    if out:
                        yield out
            yield sink.drain()
    tail = sink.drain()  # the central directory, written when the archive closes
    if tail:
        yield tail


def _size(n: int | None) -> str:
    if n is None:
        return "–"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover


def _asset_rows(asset: dict[str, Any]) -> list[tuple[str, str]]:
    fields = (
        ("title", gettext("Title")),
        ("kind", gettext("Kind")),
        ("project", gettext("Project")),
        ("company", gettext("Company")),
        ("sensitivity", gettext("Sensitivity")),
        ("created_at", gettext("Recorded at")),
    )
    rows = []
    for key, label in fields:
        if asset.get(key) not in (None, ""):
            value = asset[key]
            text = (
                format_time(value)
                if key == "created_at"
                else labels.label(str(value))  # a stored code ("trade_secret") by its label
                if key in ("kind", "sensitivity")
                else str(value)
            )
            rows.append((label, text))
    return rows


def _event_rows(
    events: Iterable[dict[str, Any]], names: dict[tuple[str, Any], str]
) -> list[list[str]]:
    """The access events in words: the action's label, the actor's name, the record by its
    name (`names`: the asset's title and its files' names), never a code or an id."""
    rows = []
    for e in events:
        actor = e.get("actor") or {}
        hidden = gettext("a person not shown to you") if e.get("actor_id") else "–"
        who = actor.get("name") or hidden
        if actor.get("role"):
            who = f"{who} ({role_label(actor['role'])})"
        obj = e.get("object") or {}
        what = (
            obj.get("label")
            or names.get((str(e.get("object_type")), e.get("object_id")))
            or str(e.get("type_label") or "–")
        )
        rows.append(
            [
                format_time(e.get("at")),
                who,
                str(e.get("action_label") or "–"),
                what,
            ]
        )
    return rows


def _record_names(manifest: dict[str, Any]) -> dict[tuple[str, Any], str]:
    """The pack's own records by name: its asset and its files."""
    asset = manifest.get("asset") or {}
    names = {("asset", asset.get("id")): str(asset.get("title") or "")}
    for f in manifest.get("files") or []:
        names[("attachment", f.get("attachment_id"))] = str(f.get("filename") or "")
    return names


def _who(generated_by: Any) -> str:
    """ "name (role)" of a `{"name", "role"}` actor (the role label translated), or the text."""
    if isinstance(generated_by, dict):
        role = generated_by.get("role")
        return (
            f"{generated_by.get('name')} ({role_label(role)})"
            if role
            else str(generated_by.get("name"))
        )
    return str(generated_by)


def render_evidence_pdf(manifest: dict[str, Any], locale: str) -> bytes:
    """The manifest as a document for a court or the originality-certificate office."""
    with force_locale(locale):
        asset = manifest.get("asset") or {}
        doc = Document(
            title=gettext("Trade-secret evidence pack"),
            subtitle=str(asset.get("title") or ""),
            generated_at=manifest["generated_at"],
            generated_by=_who(manifest["generated_by"]),
            locale=locale,
        )
        doc.heading(gettext("Asset"))
        doc.key_values(_asset_rows(asset))
        doc.heading(gettext("Originality certificate"))
        cert = manifest.get("originality_cert_no")
        doc.paragraph(
            gettext("Certificate number: %(no)s", no=cert)
            if cert
            else gettext("No originality certificate is recorded.")
        )
        files = manifest.get("files") or []
        doc.heading(gettext("Files (%(n)s)", n=len(files)))
        if files:
            doc.paragraph(
                gettext("SHA-256 of the decrypted content, as stored when the file was uploaded."),
                muted=True,
            )
            doc.table(
                [
                    gettext("File"),
                    gettext("Version"),
                    gettext("Size"),
                    gettext("SHA-256"),
                    gettext("Uploaded"),
                    gettext("Uploaded by"),
                ],
                [
                    [
                        str(f["filename"]),
                        str(f.get("version") or "–"),
                        _size(f.get("size")),
                        f"{f['sha256'][:32]}\n{f['sha256'][32:]}" if f.get("sha256") else "–",
                        format_time(f.get("uploaded_at")),
                        str(f.get("uploaded_by") or "–"),
                    ]
                    for f in files
                ],
                widths=(30, 10, 13, 60, 22, 20),
            )
        else:
            doc.paragraph(gettext("None."), muted=True)
        ndas = manifest.get("covering_ndas") or []
        doc.heading(gettext("Covering NDAs (%(n)s)", n=len(ndas)))
        if ndas:
            doc.table(
                [
                    gettext("Partner"),
                    gettext("Effective"),
                    gettext("Expires"),
                    gettext("Status"),
                ],
                [
                    [
                        str(n["partner"]),
                        format_time(n.get("effective_on")),
                        format_time(n.get("expires_on")),
                        labels.label(str(n.get("status"))),
                    ]
                    for n in ndas
                ],
                widths=(70, 22, 22, 18),
            )
        else:
            doc.paragraph(gettext("None."), muted=True)
        events = manifest.get("access_events") or []
        doc.heading(gettext("Access events (%(n)s)", n=len(events)))
        if events:
            doc.table(
                [gettext("Time"), gettext("Actor"), gettext("Action"), gettext("Record")],
                _event_rows(events, _record_names(manifest)),
                widths=(26, 36, 30, 40),
            )
        else:
            doc.paragraph(gettext("None."), muted=True)
        return doc.output()
