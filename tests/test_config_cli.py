"""Configuration, production refusals, the CLI (users create, keys init, demo), wsgi."""

import json
import os
import stat

import pytest
import sqlalchemy as sa

from tests.support import sign_in
from tracker import ConfigurationError, create_app, keys
from tracker.auth.models import User, Zone
from tracker.db import db


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("TRACKER_") and name != "TRACKER_TEST_DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    return tmp_path


def test_production_refuses_without_secret_key(clean_env, monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    keyfile = clean_env / "keys.json"
    monkeypatch.setenv("TRACKER_KEY_FILE", str(keyfile))
    with pytest.raises(ConfigurationError, match="TRACKER_SECRET_KEY"):
        create_app()


def test_production_refuses_without_key_file(clean_env, monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigurationError, match="TRACKER_KEY_FILE"):
        create_app()
    monkeypatch.setenv("TRACKER_KEY_FILE", str(clean_env / "missing.json"))
    monkeypatch.setenv("TRACKER_ALLOW_MEMORY_LIMITS", "1")
    app = create_app()  # `keys init` must be able to run with this app
    with pytest.raises(ConfigurationError, match="missing"):
        keys.require(app)  # what wsgi.py does before serving
    assert not (clean_env / "missing.json").exists()  # never generated in production


def _production(clean_env, monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("TRACKER_KEY_FILE", str(clean_env / "keys.json"))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{clean_env / 'p.db'}")


def test_production_session_cookie_is_secure(clean_env, monkeypatch):
    # finding 1 of issue 11: Flask's own default (False) defeated a setdefault
    _production(clean_env, monkeypatch)
    monkeypatch.setenv("TRACKER_REDIS_URL", "redis://127.0.0.1:6379/11")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.test_request_context("/"):
        from flask import session

        session["probe"] = 1
        response = app.make_response("")
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-tracker_session=") and "; Secure" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_in_memory_rate_limits(clean_env, monkeypatch):
    # finding 8 of issue 11: without Redis every worker counts the per-address limit alone
    _production(clean_env, monkeypatch)
    with pytest.raises(ConfigurationError, match="TRACKER_REDIS_URL"):
        create_app()
    monkeypatch.setenv("TRACKER_ALLOW_MEMORY_LIMITS", "1")  # a single process, said out loud
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.delenv("TRACKER_ALLOW_MEMORY_LIMITS")
    monkeypatch.setenv("TRACKER_REDIS_URL", "redis://127.0.0.1:6379/11")
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/11"


def test_development_generates_secrets_and_says_so(clean_env, caplog):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{clean_env / 'x.db'}"})
    keys.require(app)
    secret = clean_env / "secret_key"
    keyfile = clean_env / "keys.json"
    assert secret.exists() and keyfile.exists()
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert "generated a secret key" in caplog.text and "generated a key file" in caplog.text
    # the key material itself is never logged
    data = json.loads(keyfile.read_text())
    assert data["audit_key"] not in caplog.text
    assert app.config["SECRET_KEY"] == secret.read_text().strip()
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_environment_names(clean_env, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{clean_env / 'env.db'}")
    monkeypatch.setenv("TRACKER_MAX_UPLOAD_BYTES", "12345")
    monkeypatch.setenv("TRACKER_BLOB_DIR", str(clean_env / "blobs"))
    monkeypatch.setenv("TRACKER_REDIS_URL", "redis://127.0.0.1:6379/15")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["TRACKER_MAX_UPLOAD_BYTES"] == 12345
    assert app.config["TRACKER_BLOB_DIR"].endswith("blobs")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/15"


def test_postgres_urls_use_psycopg3():
    from tracker.db import normalise_database_url

    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_key_repr_hides_material():
    from tracker import keys

    ring = keys.generate()
    assert ring.audit_key.hex() not in repr(ring)
    assert all(k.hex() not in repr(ring) for k in ring.keks.values())


def test_keys_init_writes_0600_and_never_overwrites(runner, tmp_path):
    target = tmp_path / "new-keys.json"
    result = runner.invoke(args=["keys", "init", "--path", str(target)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = json.loads(target.read_text())
    assert data["active_kek"] in data["keks"]
    assert data["audit_key"] not in result.output
    again = runner.invoke(args=["keys", "init", "--path", str(target)])
    assert again.exit_code != 0
    assert json.loads(target.read_text()) == data


def test_users_create_with_password_stdin(runner, make_zone):
    zone = make_zone()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Op@Zone.test",
            "--role",
            "operator",
            "--name",
            "Op",
            "--zone",
            str(zone.id),
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.email == "op@zone.test")).scalar_one()
    assert user.role == "operator" and user.zone_id == zone.id
    assert "passphrase" not in result.output


def test_users_create_refuses_bad_input(runner):
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "w@example.test",
            "--role",
            "admin",
            "--name",
            "W",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert weak.exit_code == 1 and "password" in weak.output
    company = runner.invoke(
        args=[
            "users",
            "create",
            "c@example.test",
            "--role",
            "company",
            "--name",
            "C",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert company.exit_code == 1 and "organization_id" in company.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one() == 0


def test_users_create_prompts(runner):
    result = runner.invoke(
        args=["users", "create", "p@example.test", "--role", "auditor", "--name", "P"],
        input="a long enough passphrase\na long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output


def test_demo_loads_once_with_one_login_per_role(runner, client):
    from tracker.demo import DEMO_PASSWORD

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@tracker.example" in first.output
    zones = db.session.execute(sa.select(Zone.code)).scalars().all()
    assert {"JN-DC", "CB-BIO", "GW-AIH", "BS-MOB"} <= set(zones)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already" in second.output
    assert len(db.session.execute(sa.select(Zone.code)).scalars().all()) == len(zones)
    for role in ("admin", "lawyer", "company", "operator", "auditor"):
        c = client.application.test_client()
        assert sign_in(c, f"{role}@tracker.example", DEMO_PASSWORD).status_code == 302, role
    # the operator's queue has one request that cleared the gate and one that it blocked
    from tracker.transfers.models import TransferRequest

    statuses = sorted(db.session.execute(sa.select(TransferRequest.status)).scalars())
    assert statuses == ["blocked", "pending_review"]


def test_production_argon2_parameters():
    from argon2 import PasswordHasher

    import config

    assert config.DEFAULTS["ARGON2_MEMORY_KIB"] >= 64 * 1024
    hasher = PasswordHasher(
        memory_cost=config.DEFAULTS["ARGON2_MEMORY_KIB"],
        time_cost=config.DEFAULTS["ARGON2_TIME_COST"],
        parallelism=config.DEFAULTS["ARGON2_PARALLELISM"],
    )
    assert hasher.hash("x" * 12).startswith("$argon2id$")


def test_common_password_list_is_shipped():
    from tracker.auth.passwords import common_passwords, password_problems

    assert len(common_passwords()) > 10000
    assert password_problems("1qaz2wsx3edc")  # common, though 12 characters
    assert password_problems("x" * 11)
    assert not password_problems("correct horse battery staple")
    assert password_problems("y" * 257)


def test_wsgi_exposes_app(clean_env, monkeypatch):
    import importlib

    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{clean_env / 'w.db'}")
    import wsgi

    importlib.reload(wsgi)
    assert wsgi.app.name == "tracker"
