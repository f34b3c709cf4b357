"""Password hashing (argon2id) and the password rules of docs/security.md."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256
#: the longest password text a form or the API takes at all (sign-in included); a new
#: password is further held to MAX_LENGTH
MAX_INPUT_LENGTH = 1024


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_KIB"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# A hash to verify against when the account does not exist, so both answers take as long.
@cache
def _dummy_hash(params: tuple[int, int, int]) -> str:
    return PasswordHasher(*params).hash("not a real password")


def burn_time(password: str) -> None:
    cfg = current_app.config
    params = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"])
    verify_password(_dummy_hash(params), password)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("tracker.auth").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problems(password: str) -> list[str]:
    """Reasons the password is not acceptable (empty when it is); no composition rules."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Use at least %(n)d characters.", n=MIN_LENGTH)))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Use at most %(n)d characters.", n=MAX_LENGTH)))
    if password.lower() in common_passwords():
        problems.append(str(_l("This password is too common; choose another.")))
    return problems
