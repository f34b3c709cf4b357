"""What an upload is: its content type, detected from the bytes, and a harmless file name.

The allow-list (docs/decisions.md, "Attachments") covers what a joint R&D project exchanges:
documents (PDF, Office and OpenDocument, legacy OLE2 Office and HWP), images, archives, CAD
(STEP, DWG, DXF, ASCII STL; IGES as text) and data (HDF5, Parquet, CSV/JSON/XML/plain text).
Anything else, executables included, is refused. The client's claimed type is ignored; the
name's extension must agree with the detected type (`tracker.attachments.kinds`).
"""

from __future__ import annotations

import re
import struct
import unicodedata

#: bytes of the start of a file the detector looks at
SNIFF_BYTES = 8192

_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"\xfd7zXZ\x00", 0, "application/x-xz"),
    (b"ustar", 257, "application/x-tar"),
    (b"\x89HDF\r\n\x1a\n", 0, "application/x-hdf5"),
    (b"PAR1", 0, "application/vnd.apache.parquet"),
    (b"ISO-10303-21;", 0, "model/step"),
]
_DWG = re.compile(rb"AC10(1[2-8]|2[1-4]|32)")
_OOXML = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")

ALLOWED_TYPES = frozenset(
    {t for _sig, _off, t in _SIGNATURES}
    | {t for _p, t in _OOXML}
    | {
        "application/zip",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/hwp+zip",
        "image/webp",
        "image/vnd.dwg",
        "image/vnd.dxf",
        "model/stl",
        "application/json",
        "application/xml",
        "text/plain",
    }
)


#: PDF readers accept the header anywhere in the first 1024 bytes (after a BOM or a blank line)
_PDF_WITHIN = 1024


def detect(head: bytes) -> str | None:
    """The content type of a file starting with `head` (up to SNIFF_BYTES), or None when it is
    not on the allow-list."""
    if b"%PDF-" in head[:_PDF_WITHIN]:
        return "application/pdf"
    for signature, offset, mimetype in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return mimetype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if _DWG.match(head):
        return "image/vnd.dwg"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_type(head)
    return _text_type(head)


def _zip_type(head: bytes) -> str:
    names = _member_names(head)
    first = names[0] if names else b""
    if first == b"mimetype":  # OpenDocument and HWPX store their type first, uncompressed
        size = struct.unpack_from("<I", head, 18)[0]
        start = 30 + sum(struct.unpack_from("<HH", head, 26))
        declared = head[start : start + min(size, 90)].decode("ascii", "replace")
        for kind in ("text", "spreadsheet", "presentation"):
            if declared == f"application/vnd.oasis.opendocument.{kind}":
                return declared
        if declared == "application/hwp+zip":
            return declared
    if b"[Content_Types].xml" in names:
        for marker, mimetype in _OOXML:
            if any(name.startswith(marker) for name in names):
                return mimetype
    return "application/zip"


def _member_names(head: bytes) -> list[bytes]:
    """The names of the ZIP members whose local headers lie in `head`, in order (a member's
    data is skipped by its compressed size, so text inside a member is never taken for a
    name; a header written with a data descriptor ends the walk)."""
    names, at = [], 0
    while head[at : at + 4] == b"PK\x03\x04" and at + 30 <= len(head):
        flags, compressed = (
            struct.unpack_from("<H", head, at + 6)[0],
            struct.unpack_from("<I", head, at + 18)[0],
        )
        name_len, extra_len = struct.unpack_from("<HH", head, at + 26)
        names.append(head[at + 30 : at + 30 + name_len])
        if flags & 0x08:  # sizes follow the data: the next header cannot be found from here
            break
        at += 30 + name_len + extra_len + compressed
    return names


def _text_type(head: bytes) -> str | None:
    if not head or _CONTROL.search(head):
        return None
    text = _decode(head)
    if text is None:
        return None
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<?xml"):
        return "application/xml"
    if stripped[:1] in ("{", "["):
        return "application/json"
    if re.match(r"0\r?\n\s*SECTION", stripped):
        return "image/vnd.dxf"
    if stripped.startswith("solid ") and "facet" in stripped:
        return "model/stl"
    return "text/plain"


def _decode(head: bytes) -> str | None:
    """UTF-8, or CP949 (Korean spreadsheets exported by older Excel), allowing the sniffed
    prefix to end inside a multi-byte character."""
    for encoding in ("utf-8", "cp949"):
        for cut in range(4):
            try:
                return head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                if len(head) < SNIFF_BYTES:
                    break  # the whole file is here: no character was cut off
    return None


_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]')
MAX_NAME = 200


def sanitise_filename(raw: str | None) -> str:
    """A name safe to show and to offer in Content-Disposition: the last path component, NFC,
    without control, invisible or reserved characters, leading dots or spaces; Korean is
    kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE_CHARS.sub("_", name)
    # invisible format characters go: a right-to-left override shows "report\u202efdp.js"
    # as "reportsj.pdf" while it saves as a script (other whitespace becomes a space below)
    name = "".join(c if c.isprintable() or c.isspace() else "_" for c in name)
    # trailing dots go too: Windows drops them when it saves, so "run.js." would arrive as a
    # script the extension check never saw
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME]
    return name or "file"
