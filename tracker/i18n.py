"""The two languages of the interface and how a request picks one."""

from __future__ import annotations

import contextvars
import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel import dates as babel_dates
from flask import has_app_context, has_request_context, request, session
from flask_babel import force_locale, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from tracker import clock

LOCALES = ("ko", "en")
PACKAGE_DIR = Path(__file__).parent


def translation_directories() -> str:
    """Every `translations*` folder of the package (each domain keeps its own Korean
    catalogue), relative to it, for Flask-Babel."""
    dirs = sorted(
        p.relative_to(PACKAGE_DIR).as_posix()
        for p in PACKAGE_DIR.glob("**/translations*")
        if p.is_dir()
    )
    return ";".join(dirs)


def select_locale() -> str:
    """The signed-in user's locale, else the one chosen on the login page, else the browser's
    (Korean when it names neither); the CLI speaks English."""
    if not has_request_context():
        return "en"
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    if session.get("lang") in LOCALES:
        return str(session["lang"])
    return request.accept_languages.best_match(LOCALES) or "ko"


def template_translations() -> dict[str, Any]:
    """The templates' `_()`, `gettext` and `ngettext` bound to this render's catalogue, for a
    context processor: Flask-Babel's own callables look up the request's domain, locale and
    catalogue through the request context on every call (a page makes 50–100 of them, a tenth
    of its time); these are looked up once per page. They write what Jinja's "new style"
    callables write (the text marked safe when autoescaping, then %-formatted with the
    variables, `num` for a plural). Macros imported without context keep the global ones."""
    return _bound_to(get_translations())


@lru_cache(maxsize=16)
def _bound_to(translations: Any) -> dict[str, Any]:
    """The template callables of one catalogue (Flask-Babel keeps one per locale: a few)."""
    plain, plural = translations.ugettext, translations.ungettext

    @pass_context
    def gettext(context: Context, string: str, /, **variables: Any) -> str:
        return _written(context, plain(string), variables)

    @pass_context
    def ngettext(
        context: Context, singular: str, plural_form: str, num: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", num)
        return _written(context, plural(singular, plural_form, num), variables)

    return {"gettext": gettext, "ngettext": ngettext}


def _written(context: Context, text: str, variables: dict[str, Any]) -> str:
    """A catalogue's text as a template writes it: marked safe when autoescaping (as Jinja
    marks it), then %-formatted with the variables."""
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704  # nosec B704 - the catalogue's own text, as Jinja marks it
    return text % variables


def in_every_language(say: Callable[[], object]) -> str:
    """What `say()` reads in each language of the interface, each wording once ("High 높음"):
    the words a person may type for a coded value (search indexes these, never the code)."""
    said: list[str] = []
    for locale in ("en", "ko"):
        with force_locale(locale):
            text = str(say()).strip()
        if text and text not in said:
            said.append(text)
    return " ".join(said)


# --- local time: every time a person reads, in the reader's zone and language -------------

#: the zone of an account that chose none: the firm's and its clients'
DEFAULT_TIME_ZONE = "Asia/Seoul"


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """Every IANA zone name the server knows (the choices of an account's time zone)."""
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: object) -> bool:
    return isinstance(name, str) and name in time_zones()


#: the person times are written for inside `reading_as` (an e-mail's recipient), else None
_reading_as: contextvars.ContextVar[Any] = contextvars.ContextVar("reading_as", default=None)


@contextmanager
def reading_as(user: Any) -> Iterator[None]:
    """Inside the block, dates and times with no `user` of their own are written for `user`
    (an e-mail's recipient), not for the signed-in person who caused it."""
    token = _reading_as.set(user)
    try:
        yield
    finally:
        _reading_as.reset(token)


def _reader() -> Any:
    chosen = _reading_as.get()
    if chosen is not None:
        return chosen
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None


def zone_of(user: Any = None) -> zoneinfo.ZoneInfo:
    """The time zone `user` (default: the signed-in reader) reads times in."""
    user = user if user is not None else _reader()
    name = getattr(user, "time_zone", None) or DEFAULT_TIME_ZONE
    return zoneinfo.ZoneInfo(name if is_time_zone(name) else DEFAULT_TIME_ZONE)


def _locale(locale: str | None) -> str:
    if locale:
        return locale
    return str(get_locale() or "en") if has_app_context() else "en"


def reader_today(user: Any = None) -> dt.date:
    """Today where the reader is (the date a page names as "today")."""
    return clock.now().astimezone(zone_of(user)).date()


def format_day(
    day: dt.date | dt.datetime | str | None, locale: str | None = None, *, user: Any = None
) -> str:
    """A date as people write it in the reader's language ("2026. 12. 6.", "Dec 6, 2026");
    a time is first moved to the reader's zone; an ISO text (a UNION's column on SQLite) is
    read first."""
    if not day:
        return ""
    return babel_dates.format_date(
        _local_day(day, user), "medium", locale=_parsed_locale(_locale(locale))
    )


@lru_cache(maxsize=16)
def _parsed_locale(name: str) -> Locale:
    """The Babel locale of a name, parsed once (a list formats a day per row, and parsing
    the name is most of what formatting one costs)."""
    return Locale.parse(name)


def format_when(
    at: dt.datetime | str | None, locale: str | None = None, *, user: Any = None
) -> str:
    """A moment in the reader's zone and language: "2026. 12. 7. 오전 12:19"; the offset is
    added ("+01:00") when the reader's zone is not the firm's."""
    if not at:
        return ""
    return _moment(at, (_locale(locale), ("medium", "short", " ")), user)


def _aware(at: dt.datetime) -> dt.datetime:
    # the database hands back aware UTC times; a naive one is UTC by this app's convention
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _local_day(
    day: dt.date | dt.datetime | str, user: Any, zone: zoneinfo.ZoneInfo | None = None
) -> dt.date:
    """The date `day` falls on for `user` (a time moved to their zone, or to `zone` when the
    caller has looked it up; ISO text read first)."""
    if isinstance(day, str):
        day = dt.datetime.fromisoformat(day) if len(day) > 10 else dt.date.fromisoformat(day)
    if isinstance(day, dt.datetime):
        return _aware(day).astimezone(zone or zone_of(user)).date()
    return day


def day_writer(user: Any = None) -> Callable[[dt.date | dt.datetime | str | None], str]:
    """`format_day` for one reader and many values (a page's rows): the reader's zone and
    language looked up once, not once per value, and each day written once."""
    zone, locale = zone_of(user), _parsed_locale(_locale(None))
    written: dict[dt.date, str] = {}

    def write(day: dt.date | dt.datetime | str | None) -> str:
        if not day:
            return ""
        local = _local_day(day, user, zone)
        if local not in written:
            written[local] = babel_dates.format_date(local, "medium", locale=locale)
        return written[local]

    return write


def _moment(at: dt.datetime | str, written: tuple[str, tuple[str, str, str]], user: Any) -> str:
    """`at` in `user`'s zone, written as `(locale, (date pattern, time pattern, separator))`
    says, the offset added when the zone is not the firm's."""
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    loc, (date_pattern, time_pattern, sep) = written
    zone = zone_of(user)
    local = _aware(at).astimezone(zone)
    text = (
        f"{babel_dates.format_date(local.date(), date_pattern, locale=loc)}{sep}"
        f"{babel_dates.format_time(local, time_pattern, tzinfo=zone, locale=loc)}"
    )
    if zone.key != DEFAULT_TIME_ZONE:
        text += f" ({babel_dates.format_time(local, 'xxxxx', tzinfo=zone, locale=loc)})"
    return text


# --- the long forms a letter uses: the weekday named, the reader's zone, no ISO -------------

#: (date, time) patterns of an e-mail or a calendar description, per language:
#: "2026년 12월 7일 (월) 오전 9:00", "Mon 7 Dec 2026, 09:00"
_LETTER_PATTERNS = {"ko": ("y년 M월 d일 (E)", "a h:mm", " "), "en": ("EEE d MMM y", "HH:mm", ", ")}


def _letter(locale: str | None) -> tuple[str, tuple[str, str, str]]:
    loc = _locale(locale)
    return loc, _LETTER_PATTERNS.get(loc[:2], _LETTER_PATTERNS["en"])


def letter_day(
    day: dt.date | dt.datetime | str | None, locale: str | None = None, *, user: Any = None
) -> str:
    """A date as a letter writes it, the weekday named: "2026년 12월 7일 (월)", "Mon 7 Dec
    2026"; a time is first moved to `user`'s zone."""
    if not day:
        return ""
    loc, (date_pattern, _time, _sep) = _letter(locale)
    return babel_dates.format_date(_local_day(day, user), date_pattern, locale=loc)


def letter_when(
    at: dt.datetime | str | None, locale: str | None = None, *, user: Any = None
) -> str:
    """A moment as a letter writes it, in `user`'s zone: "2026년 12월 7일 (월) 오전 9:00",
    "Mon 7 Dec 2026, 09:00"; the offset is added ("+01:00") when the zone is not the firm's."""
    if not at:
        return ""
    return _moment(at, _letter(locale), user)
