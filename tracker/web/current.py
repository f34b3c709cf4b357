"""The signed-in user of this request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_login import current_user

if TYPE_CHECKING:
    from tracker.auth.models import User


def user() -> User:
    """The signed-in user (the real object, not Flask-Login's proxy)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]
