"""The HTTP answer of a download, shared by the API and the HTML views."""

from __future__ import annotations

import base64

from flask import Response

from tracker.attachments.downloads import Download
from tracker.web.downloads import content_disposition

#: a downloaded file must never run as a page of this site, whatever it contains
DOWNLOAD_CSP = "default-src 'none'; sandbox"


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
