"""The thin shared layer below the domains: request hooks (default deny, one commit per
request, security headers), the current user, id guards, paging and form submission.

Every view, HTML or API, builds on these; nothing here knows a domain."""

from __future__ import annotations

from tracker.web.hooks import PUBLIC_ENDPOINTS, accepts_multipart, init_app, local_path

__all__ = ["PUBLIC_ENDPOINTS", "accepts_multipart", "init_app", "local_path"]
