"""Take the screenshots in this folder: a live server on a throw-away demo database, driven by
Playwright in Debian's chromium.  Run: .venv/bin/python docs/screenshots/take.py [name.png ...]
(with names: every page is still visited, so the audit trail has the same events, but only
those files are written). Korean text needs a CJK font on the machine (Debian's
fonts-noto-cjk), or it renders as empty boxes."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))

instance = tempfile.mkdtemp(prefix="tracker-shots-")
os.environ["TRACKER_INSTANCE_PATH"] = instance

import flask_migrate  # noqa: E402
import pyotp  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.auth.models import User  # noqa: E402
from tracker.db import db  # noqa: E402
from tracker.demo import DEMO_PASSWORD, demo_totp_seed, load_demo  # noqa: E402

app = create_app(
    {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/shots.db",
        "TRACKER_AUDIT_CHECKPOINT_FILE": f"{instance}/audit-checkpoint.json",
    }
)
with app.app_context():
    flask_migrate.upgrade()
    load_demo()
    db.session.commit()
    # the audit page's banner shows the last verification: verify and pin the demo's chain
    from tracker import keys  # noqa: E402
    from tracker.audit.verify import verify_chain, write_checkpoint  # noqa: E402

    checked = verify_chain(keys.current().audit_key)
    write_checkpoint(
        Path(app.config["TRACKER_AUDIT_CHECKPOINT_FILE"]), checked.head_seq, checked.head_mac
    )
only = set(sys.argv[1:])
server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"

SHOTS = [
    # (role, locale, path or None for the sign-in page, file name)
    (None, "ko-KR", "/login", "login-ko.png"),
    ("lawyer", "ko-KR", "/projects", "projects-lawyer-ko.png"),
    ("lawyer", "en-GB", "/projects/1", "project-lawyer-en.png"),
    ("lawyer", "en-GB", "/projects/1/reviews", "reviews-lawyer-en.png"),
    ("operator", "ko-KR", "/zone", "zone-operator-ko.png"),
    ("operator", "en-GB", "/transfers/1", "transfer-operator-en.png"),
    ("company", "en-GB", "/projects/1/files", "files-company-en.png"),
    # an asset's family of filings, each with its own deadlines (issue 18)
    ("lawyer", "ko-KR", "/assets/family", "asset-family-lawyer-ko.png"),
    ("lawyer", "en-GB", "/assets/family", "asset-family-lawyer-en.png"),
    # each role's start page (issue 9); the second lawyer has a review waiting
    ("lawyer2", "ko-KR", "/", "dashboard-lawyer2-ko.png"),
    ("lawyer2", "en-GB", "/", "dashboard-lawyer2-en.png"),
    ("lawyer", "en-GB", "/", "dashboard-lawyer-en.png"),
    ("company", "ko-KR", "/", "dashboard-company-ko.png"),
    ("company", "en-GB", "/", "dashboard-company-en.png"),
    ("operator", "ko-KR", "/", "dashboard-operator-ko.png"),
    ("operator", "en-GB", "/", "dashboard-operator-en.png"),
    ("admin", "en-GB", "/", "dashboard-admin-en.png"),
    ("auditor", "ko-KR", "/", "dashboard-auditor-ko.png"),
    ("lawyer", "en-GB", "/projects/1", "project-summary-lawyer-en.png"),
    ("company", "ko-KR", "/projects/1", "project-summary-company-ko.png"),
    ("auditor", "en-GB", "/audit?per_page=25", "audit-auditor-en.png"),
    ("auditor", "ko-KR", "/audit?per_page=25", "audit-auditor-ko.png"),
    ("admin", "en-GB", "/audit/project/1", "history-project-admin-en.png"),
]
#: each role's Korean start page on a desk (1280 px) and on a phone (390 px; issue 19)
WIDTHS = {"history-project-admin-en.png": 1280}
for role in ("admin", "lawyer", "company", "operator", "auditor"):
    for width in (1280, 390):
        SHOTS.append((role, "ko-KR", "/", f"start-{role}-ko-{width}.png"))
        WIDTHS[f"start-{role}-ko-{width}.png"] = width

with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )
    for role, locale, path, name in SHOTS:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if role:
            page.goto(f"{base}/login")
            page.fill("input[name=email]", f"{role}@tracker.example")
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_load_state()
            if page.url.endswith("/login/totp"):  # admins, lawyers, auditors: the second step
                email = f"{role}@tracker.example"
                with app.app_context():  # a code of this 30-second step may have been used
                    db.session.execute(
                        sa.update(User).where(User.email == email).values(totp_last_step=None)
                    )
                    db.session.commit()
                page.fill("input[name=otp]", pyotp.TOTP(demo_totp_seed(email)).now())
                page.click("input[type=submit]")
            page.click("button[lang=ko]" if locale.startswith("ko") else "button[lang=en]")
        page.set_viewport_size({"width": WIDTHS.get(name, 1280), "height": 900})
        if path == "/assets/family":  # the demo family's asset, whatever its id
            with app.app_context():
                from tracker.cases.assets.models import IpAsset
                from tracker.cases.demo_filings import FAMILY_TITLE

                family = db.session.execute(
                    sa.select(IpAsset.id).where(IpAsset.title == FAMILY_TITLE)
                ).scalar_one()
            path = f"/assets/{family}"
        page.goto(base + path)
        if path == "/projects/1/reviews":
            link = page.locator("table a").first
            if link.count():
                link.click()
        if not only or name in only:
            page.screenshot(path=str(HERE / name), full_page=True)
            print("wrote", name)
        context.close()
    browser.close()
server.shutdown()
