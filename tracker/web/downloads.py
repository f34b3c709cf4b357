"""The name a downloaded file is saved under: one header for exports, reports and attachments."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

#: what a filename in a header must not carry (a CR or LF would start a new header)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def content_disposition(filename: str) -> str:
    """An attachment header for any filename (RFC 6266, RFC 5987): an ASCII fallback for old
    clients (no quotes, backslashes or control characters) and the exact UTF-8 name."""
    name = _CONTROL.sub("", filename)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = ascii_name.replace('"', "").replace("\\", "").strip() or "download"
    if ascii_name.startswith("."):  # only an extension left (a Korean name): give it a stem
        ascii_name = "download" + ascii_name
    if ascii_name == name:  # plain ASCII without quotes: the simple form says it all
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
