"""Every string the UI shows has a Korean translation in one of the catalogues."""

from __future__ import annotations

import pathlib

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).parents[1]
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}


def _korean() -> dict[str, str]:
    translations: dict[str, str] = {}
    for po in (ROOT / "tracker").glob("**/translations*/ko/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="ko"):
                if message.id and message.string and not message.fuzzy:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    translations[key] = (
                        message.string if isinstance(message.string, str) else message.string[0]
                    )
    return translations


def test_every_ui_string_has_korean():
    korean = _korean()
    missing = set()
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "tracker"), METHODS, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid and msgid not in korean:
            missing.add(f"{filename}: {msgid}")
    assert not missing, "\n".join(sorted(missing))
