"""Absolute links for what is read away from the site: e-mail digests and calendar feeds.

The site's address is TRACKER_BASE_URL (which may carry a path, `https://example.org/tracker`),
else the current request's root. Paths come from `url_for`, which already starts them with the
application's mount point (SCRIPT_NAME behind a proxy, or the path of the base URL the `notify`
command builds its request context from); that mount point is dropped before the path is put
under the site's address, so it never appears twice.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request


def site_root() -> str:
    """The site's address, with its path and without a trailing slash."""
    configured = str(current_app.config.get("TRACKER_BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    return request.url_root.rstrip("/")


def absolute(path: str) -> str:
    """`path` (as `url_for` gives it) as an absolute URL under `site_root()`."""
    mount = request.script_root.rstrip("/") if has_request_context() else ""
    if mount and (path == mount or path.startswith(mount + "/")):
        path = path[len(mount) :]
    return site_root() + "/" + path.lstrip("/")
