"""Tracker: the tech-protection case tracker for international joint R&D."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from tracker import api, blueprints, kinds, models, ui, web
from tracker.auth import service as auth_service
from tracker.auth.countries import country_name, country_names
from tracker.db import db, normalise_database_url
from tracker.errors import ConfigurationError
from tracker.extensions import babel, csrf, limiter, login_manager, migrate, rest_api
from tracker.i18n import (
    LOCALES,
    format_day,
    format_when,
    reader_today,
    select_locale,
    template_translations,
    translation_directories,
)
from tracker.web import errors as error_handlers

log = logging.getLogger(__name__)
#: the cookie prefix browsers hold to Secure, Path=/ and no Domain (RFC 6265bis)
HOST_PREFIX = "__Host-"
#: `models` is imported for its side effect: every table is mapped before the first query
__all__ = ["LOCALES", "ConfigurationError", "create_app", "models", "select_locale"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides what the environment says (tests use it)."""
    app = Flask(__name__, instance_path=os.environ.get("TRACKER_INSTANCE_PATH"))
    if (config or {}).get("TRACKER_ENV", os.environ.get("TRACKER_ENV")) != "production":
        from dotenv import load_dotenv

        load_dotenv(Path(app.root_path).parent / ".env")
    app.config.update(config_module.DEFAULTS)
    app.config.update(config_module.from_environment(app.instance_path))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translation_directories()
    app.config.update(config or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    _secrets(app)
    _session_cookies(app, explicit=config or {})
    _rate_limit_storage(app)
    if app.config["TRACKER_PROXY_HOPS"]:
        n = app.config["TRACKER_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore

    db.init_app(app)
    web.init_app(app)  # default deny runs before every other before_request hook
    migrate.init_app(
        app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    _login(app)

    rest_api.init_app(app)
    api.register(rest_api)
    for blp in api.BLUEPRINTS:
        csrf.exempt(blp)  # cookie-authenticated API calls are checked in tracker.web.hooks
    kinds.register_all()
    for bp in blueprints.HTML:
        app.register_blueprint(bp)
    for command in blueprints.COMMANDS:
        app.cli.add_command(command)

    error_handlers.register(app)
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.context_processor(template_translations)
    # every time and date a person reads: the reader's zone and language
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.globals["reader_today"] = reader_today
    # countries by their names in the reader's language (stored as ISO codes)
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.globals["country_names"] = country_names
    ui.init_app(app)
    return app


def _secrets(app: Flask) -> None:
    production = app.config["TRACKER_ENV"] == "production"
    instance = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigurationError("TRACKER_SECRET_KEY must be set in production")
        path = instance / "secret_key"
        if not path.exists():
            instance.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
            log.warning("development: generated a secret key in %s", path)
        app.config["SECRET_KEY"] = path.read_text().strip()

    key_file = app.config.get("TRACKER_KEY_FILE")
    if not key_file:
        if production:
            raise ConfigurationError("TRACKER_KEY_FILE must be set in production")
        key_file = str(instance / "keys.json")
        app.config["TRACKER_KEY_FILE"] = key_file
    # The key file itself is read on first use (tracker.keys.current), so `keys init` can
    # write it with the app that will use it; `wsgi.py` reads it before serving.


def _session_cookies(app: Flask, explicit: dict[str, Any]) -> None:
    """Secure cookies in production. Flask itself defines SESSION_COOKIE_SECURE (False), so a
    `setdefault` would never apply: the value is set unless the caller passed one."""
    if "SESSION_COOKIE_SECURE" not in explicit:
        app.config["SESSION_COOKIE_SECURE"] = app.config["TRACKER_ENV"] == "production"
    if app.config["SESSION_COOKIE_SECURE"] and "SESSION_COOKIE_NAME" not in explicit:
        _host_prefix(app)


def _host_prefix(app: Flask) -> None:
    """A Secure session cookie is named `__Host-…` (ASVS 3.3.1): the browser then keeps it
    for this host only, sent over https, on every path, so no sibling domain or sub-path can
    set or shadow it. Browsers refuse the prefix without Secure, so plain http (development,
    tests) keeps the plain name."""
    if app.config.get("SESSION_COOKIE_DOMAIN"):
        raise ConfigurationError(
            "SESSION_COOKIE_DOMAIN must not be set: the __Host- session cookie has no Domain"
        )
    name = str(app.config["SESSION_COOKIE_NAME"])
    if not name.startswith(HOST_PREFIX):
        app.config["SESSION_COOKIE_NAME"] = HOST_PREFIX + name
    app.config["SESSION_COOKIE_PATH"] = "/"


def _rate_limit_storage(app: Flask) -> None:
    """The per-address sign-in limit lives in Redis. In memory it counts per worker process
    (the limit times the workers), so production refuses that unless it is allowed explicitly
    (TRACKER_ALLOW_MEMORY_LIMITS=1, for a single-process server)."""
    if app.config.get("RATELIMIT_STORAGE_URI"):
        return
    redis_url = app.config.get("TRACKER_REDIS_URL")
    if (
        not redis_url
        and app.config["TRACKER_ENV"] == "production"
        and not app.config.get("TRACKER_ALLOW_MEMORY_LIMITS")
    ):
        raise ConfigurationError(
            "TRACKER_REDIS_URL must be set in production: in-memory rate limits count per "
            "worker process (set TRACKER_ALLOW_MEMORY_LIMITS=1 to run a single process without it)"
        )
    app.config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"


def _login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are checked on the server instead
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> Any:
        sid = session.get("sid")
        if not sid or request.headers.get("Authorization"):
            return None
        return auth_service.session_user(sid, user_id)

    @login_manager.request_loader
    def load_user_from_request(req: Any) -> Any:
        header = req.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        row = auth_service.token_row(token.strip())
        if row is None:
            return None
        g.api_token = row
        return row.user
