"""The HTTP answer of a download, shared by the API and the HTML views."""

from __future__ import annotations

import base64
import unicodedata
from urllib.parse import quote

from flask import Response

from tracker.attachments.downloads import Download

#: a downloaded file must never run as a page of this site, whatever it contains
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback plus the UTF-8 `filename*` (as werkzeug's send_file does)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c for c in ascii_name if c.isprintable() and c not in '"\\') or "file"
    if ascii_name == filename:
        return f'attachment; filename="{filename}"'
    encoded = quote(filename, safe="!#$&+^`|~")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def download_response(download: Download) -> Response:
    """Stream the plaintext. Content-Length is set, so a transfer cut off by an integrity
    failure is visibly incomplete to every client."""
    response = Response(download.chunks, content_type=download.content_type, status=200)
    response.content_length = download.size
    response.headers["Content-Disposition"] = content_disposition(download.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(download.sha256).decode()}:"
    return response
