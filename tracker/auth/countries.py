"""Countries as people name them: ISO 3166-1 alpha-2 codes stored, names (Korean or
English, from the CLDR data Babel ships) shown and accepted where a person types one."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask import has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker.i18n import LOCALES

#: CLDR territories that are not ISO 3166-1 alpha-2 country codes
_NOT_ISO_3166 = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)


#: what a person is told about a country the picker does not know
NOT_A_COUNTRY = _l("Not a country: choose one from the list, or give its two-letter code.")


@cache
def iso_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (249), from the CLDR data Babel ships."""
    codes = {str(c) for c in Locale("en").territories}
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha()) - _NOT_ISO_3166


@cache
def _names(locale: str) -> dict[str, str]:
    territories = Locale(locale).territories
    return {code: str(territories.get(code, code)) for code in iso_countries()}


@cache
def _codes_by_name() -> dict[str, str]:
    found: dict[str, str] = {}
    for locale in LOCALES:
        for code, name in _names(locale).items():
            found.setdefault(_key(name), code)
    return found


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


def _reader_locale(locale: str | None) -> str:
    if locale:
        return locale
    return str(get_locale() or "en") if has_app_context() else "en"


def country_code(text: object) -> str | None:
    """The ISO code of what a person typed: a code ("de"), or a country's name in Korean or
    English ("독일", "Germany"); None for nothing known (or not a text)."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    if value.upper() in iso_countries():
        return value.upper()
    return _codes_by_name().get(_key(value))


def country_name(code: str | None, locale: str | None = None) -> str:
    """A code as its country's name in the reader's language ("DE" → "독일"); not a code:
    as given."""
    if not code:
        return ""
    return _names(_reader_locale(locale)).get(code, code)


def country_names(locale: str | None = None) -> list[str]:
    """Every country's name in the reader's language, sorted (a picker's choices)."""
    return sorted(_names(_reader_locale(locale)).values())
