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
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}


def _translated() -> list[tuple[str | None, str, str]]:
    """(context, msgid, Korean) of every translated message of every catalogue."""
    found = []
    for po in (ROOT / "tracker").glob("**/translations*/ko/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="ko"):
                if message.id and message.string and not message.fuzzy:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    text = message.string if isinstance(message.string, str) else message.string[0]
                    found.append((message.context, key, text))
    return found


def _korean() -> dict[str, str]:
    return {msgid: text for _context, msgid, text in _translated()}


def _korean_in_context() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message with a Korean translation."""
    return {(context, msgid) for context, msgid, _text in _translated()}


def test_every_ui_string_has_korean():
    korean = _korean_in_context()
    missing = set()
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT / "tracker"), METHODS, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid and (context, msgid) not in korean:
            missing.add(f"{filename}: {msgid}" + (f" ({context})" if context else ""))
    assert not missing, "\n".join(sorted(missing))


def test_a_word_with_two_meanings_reads_each_in_korean(app):
    """The merged catalogues keep both meanings: the audited act and the follow-up's task,
    an API's answers and a review's, a sign-in method and an HTTP method."""
    from flask_babel import force_locale, gettext, pgettext

    with app.test_request_context(), force_locale("ko"):
        assert gettext("Action") == "행위"
        assert pgettext("follow-up", "Action") == "조치"
        assert gettext("Answers") == "답변"
        assert pgettext("HTTP", "Answers") == "응답"
        assert gettext("Method") == "방식"
        assert pgettext("HTTP", "Method") == "메서드"
        assert gettext("Disclosure") == "발명 신고"
        assert gettext("New NDA") == "새 NDA"
