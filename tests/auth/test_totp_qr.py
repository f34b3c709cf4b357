"""The TOTP enrolment shows a QR code drawn on the server (SVG) that holds the key."""

from __future__ import annotations

import re

import pyotp
import segno


def test_the_enrolment_page_draws_the_key_as_a_qr_code(world, browser_as):
    user = world.users["company"]
    html = browser_as(user).get("/account/second-factor").get_data(as_text=True)
    assert re.search(r'<figure class="qr"[^>]*>\s*<svg', html)
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7]+)</code>', html).group(1)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Tracker")
    # the drawn modules are exactly those of the key's provisioning URI
    (modules,) = re.findall(
        r' d="([^"]+)"', segno.make(uri, error="m").svg_inline(scale=4, border=2)
    )
    assert f' d="{modules}"' in html
    assert "<script" not in html.split("<main")[1]
