"""The page shell: favicon, skip link, labelled landmarks, the active tab, contrast of the
risk badges and input borders, Korean line breaking, errors tied to their fields, sign-out."""

from __future__ import annotations

import pathlib
import re

from tests.support import csrf_token, sign_in
from tracker.db import db

CSS = (pathlib.Path(__file__).parents[2] / "tracker/static/css/app.css").read_text()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _var(name: str) -> str:
    return re.search(rf"--{name}: (#[0-9a-fA-F]{{6}})", CSS).group(1)


def test_badge_and_border_contrast():
    for level in ("low", "high", "critical"):  # white text
        assert contrast(_var(level), "#ffffff") >= 4.5, level
    assert contrast(_var("medium"), "#000000") >= 4.5  # black text
    border = re.search(r"input, select, textarea \{[^}]*border: 1px solid (#[0-9a-f]{6})", CSS)
    assert contrast(border.group(1), "#ffffff") >= 3
    assert "word-break: keep-all" in CSS


def test_shell_landmarks_and_tabs(world, browser_as, client):
    c = browser_as(world.users["lawyer"])
    html = c.get(f"/projects/{world.project.id}/ndas").get_data(as_text=True)
    assert re.search(r'<body>\s*<a class="skip" href="#main">', html)
    assert '<main id="main"' in html
    assert len(re.findall(r"<nav (class=\"tabs\" )?aria-label=", html)) == 2 and "<nav>" not in html
    assert re.search(r'aria-current="page">[^<]*</a>', html)
    assert "<th></th>" not in html
    assert 'rel="icon"' in html
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and b"<svg" in icon.data


def test_search_landmarks_have_distinct_names(world, browser_as):
    """A list's own filter form and the header's search box are both search landmarks: the
    header's is named by its label, so no two landmarks share a role and a name (axe's
    landmark-unique) on any page with a filter form."""

    def name(form: str, html: str) -> str | None:
        label = re.search(r'aria-labelledby="([^"]+)"', form)
        if not label:
            return None
        text = re.search(rf'<label id="{label.group(1)}"[^>]*>([^<]+)</label>', html)
        return text.group(1).strip() if text else None

    c = browser_as(world.users["lawyer"])
    for url in ("/projects", "/assets", "/risk-reviews", "/search?q=x"):
        html = c.get(url).get_data(as_text=True)
        forms = re.findall(r'<form[^>]*role="search"[^>]*>', html)
        assert len(forms) == 2, url
        names = [name(form, html) for form in forms]
        assert len(set(names)) == len(names) and any(names), (url, names)


def test_errors_are_tied_to_fields_and_summarised(world, browser_as):
    c = browser_as(world.users["company"])
    url = f"/projects/{world.project.id}/disclosures/new"
    r = c.post(url, data={"csrf_token": csrf_token(c, url), "title": "", "description": ""})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert re.search(r'class="error-summary" role="alert" tabindex="-1"', html)
    title = re.search(r"<input[^>]*id=\"title\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in title and 'aria-describedby="title-error"' in title
    assert 'id="title-error"' in html and 'href="#title"' in html
    assert 'id="description-error"' in html and 'href="#conceived_on"' in html  # all at once
    assert "js/forms.js" in html


def test_sign_out_confirms_and_keeps_the_language(world, app):
    user = world.users["company"]
    user.locale = "ko"
    db.session.flush()
    c = app.test_client()
    sign_in(c, user.email)
    r = c.post("/logout", data={"csrf_token": csrf_token(c, "/account")}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert '<html lang="ko">' in html and "로그아웃되었습니다." in html
