"""The sign-in limit per client address: one budget for every way of signing in.

`/login`, `/login/totp` and `POST /api/v1/auth/token` share it (a flask-limiter shared limit,
one scope), so a guesser cannot spend LOGIN_ADDRESS_LIMIT on each of them in turn (issue 21,
finding 6). Only refused attempts (401) use it up. The lock-out per submitted e-mail address
is separate (`tracker.auth.lockout`).
"""

from __future__ import annotations

from flask import current_app

from tracker.extensions import limiter


def _address_limit() -> str:
    return str(current_app.config["LOGIN_ADDRESS_LIMIT"])


#: decorate each sign-in endpoint with this one object: its counter is shared
sign_in_limit = limiter.shared_limit(
    _address_limit,
    scope="sign-in",
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 401,
)

#: the invitation page: a link that is not open (404) uses up the same budget per address, so
#: links cannot be guessed faster than passwords
invitation_limit = limiter.shared_limit(
    _address_limit,
    scope="invitation",
    methods=["GET", "POST"],
    deduct_when=lambda response: response.status_code == 404,
)
