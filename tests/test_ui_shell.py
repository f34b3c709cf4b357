"""Security headers, Korean and English pages, the language switch, vendored assets."""

import pathlib
import re

import sqlalchemy as sa

from tests.support import csrf_token
from tracker.auth.models import User
from tracker.db import db


def test_security_headers_on_every_response(client, make_user, browser_as):
    for response in (
        client.get("/login"),
        client.get("/api/v1/health"),
        browser_as(make_user("admin")).get("/admin/users"),
    ):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://tracker.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_no_external_assets_in_pages(client, make_user, browser_as):
    pages = [
        client.get("/login").get_data(as_text=True),
        browser_as(make_user("admin")).get("/admin/users").get_data(as_text=True),
    ]
    for html in pages:
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not url.startswith(("http:", "https:", "//")), url
    css = client.get("/static/css/app.css")
    assert css.status_code == 200
    css.close()


def test_no_inline_scripts_or_styles_in_templates():
    root = pathlib.Path(__file__).parents[1] / "tracker"
    for template in root.glob("**/templates/**/*.html"):
        text = template.read_text()
        assert "<script>" not in text and " style=" not in text, template
        assert "cdn" not in text.lower(), template


def test_korean_by_default_english_on_request(client):
    assert "로그인" in client.get("/login").get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Sign in" in english.get_data(as_text=True)
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_language_switch_for_visitors(client):
    token = csrf_token(client)
    assert client.post("/language/en", data={"csrf_token": token}).status_code == 302
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    assert client.post("/language/fr", data={"csrf_token": token}).status_code == 404
    assert client.post("/language/ko").status_code == 400  # CSRF


def test_users_locale_wins_and_switch_saves_it(make_user, browser_as):
    user = make_user("lawyer", locale="ko")
    client = browser_as(user)
    page = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "내 계정" in page
    token = csrf_token(client, "/account")
    client.post("/language/en", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.execute(sa.select(User.locale).where(User.id == user.id)).scalar() == "en"
    assert "Your account" in client.get("/account").get_data(as_text=True)


def test_every_form_carries_a_csrf_token():
    root = pathlib.Path(__file__).parents[1] / "tracker"
    for template in root.glob("**/templates/**/*.html"):
        text = template.read_text()
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", text, re.S | re.I):
            assert "csrf_token" in form, template


def test_nav_follows_the_policy(make_user, browser_as):
    admin_page = browser_as(make_user("admin")).get("/").get_data(as_text=True)
    assert "/admin/users" in admin_page
    lawyer_page = browser_as(make_user("lawyer")).get("/").get_data(as_text=True)
    assert "/admin/users" not in lawyer_page
