"""The iCalendar feed: parses back, one all-day event per deadline, UIDs stable, nothing extra."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest

from tracker.deadlines import calendar as feed

HOST = "tracker.example.kr"
STAMP = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)


def items() -> list[dict]:
    return [
        {
            "kind": "ip_annuity",
            "due_on": "2027-04-19",
            "title": "Battery separator patent",
            "project_id": 7,
            "source_type": "asset",
            "source_id": 11,
            "done": False,
            "overdue": False,
            "derived": True,
            "rule": "annuity.kr@2026.1",
            "key": "annuity:KR:4",
        },
        {
            "kind": "ip_annuity",
            "due_on": dt.date(2028, 4, 19),
            "title": "Battery separator patent",
            "project_id": 7,
            "source_type": "asset",
            "source_id": 11,
            "done": False,
            "overdue": False,
            "derived": True,
            "rule": "annuity.kr@2026.1",
            "key": "annuity:KR:5",
        },
        {
            "kind": "nda_expiry",
            "due_on": dt.date(2026, 12, 31),
            "title": "NDA with Partner GmbH",
            "project_id": 7,
            "source_type": "nda",
            "source_id": 3,
            "done": True,
            "overdue": False,
            "derived": False,
            "rule": None,
        },
    ]


def events(ics: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(ics)
    assert cal["VERSION"] == "2.0" and cal["PRODID"] == feed.PRODID
    return list(cal.walk("VEVENT"))


def test_one_all_day_event_per_item_with_label_and_title():
    ics = feed.build_calendar(items(), host=HOST, locale="en", stamp=STAMP)
    evs = events(ics)
    assert len(evs) == 3
    starts = [e.decoded("DTSTART") for e in evs]
    assert starts == [dt.date(2027, 4, 19), dt.date(2028, 4, 19), dt.date(2026, 12, 31)]
    assert all(type(s) is dt.date for s in starts)  # DATE values, not DATE-TIME
    assert [e.decoded("DTEND") for e in evs][0] == dt.date(2027, 4, 20)
    assert b"DTSTART;VALUE=DATE:20270419" in ics
    assert str(evs[0]["SUMMARY"]) == "Annuity: Battery separator patent"
    assert str(evs[2]["SUMMARY"]) == "Done: NDA expiry: NDA with Partner GmbH"
    assert evs[0].decoded("DTSTAMP") == STAMP
    assert b"DTSTAMP:20261130T000000Z" in ics  # a time for machines: UTC, marked Z
    # what a person reads: the due date as they write it, never ISO
    assert str(evs[0]["DESCRIPTION"]) == "Due: Mon 19 Apr 2027"
    assert "2027-04-19" not in ics.decode()


def test_the_description_speaks_the_readers_language_and_names_the_project_and_zone():
    item = items()[0] | {"project_code": "DCX-01", "office": "KR"}
    ics = feed.build_calendar([item], host=HOST, locale="ko", time_zone="Europe/Berlin")
    cal = icalendar.Calendar.from_ical(ics)
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Berlin"
    (ev,) = cal.walk("VEVENT")
    assert str(ev["SUMMARY"]).startswith("[DCX-01 · 대한민국] 연차료")
    assert str(ev["DESCRIPTION"]) == "기한: 2027년 4월 19일 (월)\nDCX-01 · 대한민국"
    assert type(ev.decoded("DTSTART")) is dt.date  # an all-day deadline stays a date


def test_the_description_says_in_grace_until_a_readable_date():
    item = items()[0] | {"due_on": dt.date(2026, 11, 1), "overdue": True}
    item["grace_until"] = dt.date(2027, 5, 1)
    ics = feed.build_calendar([item], host=HOST, locale="en", today=dt.date(2026, 11, 30))
    (ev,) = events(ics)
    assert str(ev["DESCRIPTION"]) == "Due: Sun 1 Nov 2026\nin grace until Sat 1 May 2027"


def test_uids_are_stable_across_builds_and_date_changes_and_distinct():
    first = [str(e["UID"]) for e in events(feed.build_calendar(items(), host=HOST))]
    moved = items()
    moved[0]["due_on"] = "2027-05-02"  # the rule's input changed: same deadline, new date
    second = [str(e["UID"]) for e in events(feed.build_calendar(moved, host=HOST))]
    assert first == second
    assert len(set(first)) == 3
    assert all(uid.endswith("@" + HOST) for uid in first)
    other_host = [str(e["UID"]) for e in events(feed.build_calendar(items(), host="x.test"))]
    assert set(first).isdisjoint(other_host)


def test_korean_labels():
    ics = feed.build_calendar(items(), host=HOST, locale="ko", stamp=STAMP)
    evs = events(ics)
    assert str(evs[0]["SUMMARY"]) == "연차료: Battery separator patent"
    assert str(evs[2]["SUMMARY"]).startswith("완료: NDA 만료")
    cal = icalendar.Calendar.from_ical(ics)
    assert str(cal["X-WR-CALNAME"]) == "Tracker 기한"


def test_only_kind_and_title_reach_the_feed():
    item = items()[2] | {"note": "CANARY-PRIVILEGED", "description": "CANARY-DISCLOSURE"}
    ics = feed.build_calendar([item], host=HOST)
    assert b"CANARY" not in ics


def test_links_when_given():
    ics = feed.build_calendar(
        items()[:1], host=HOST, link=lambda i: f"https://{HOST}/assets/{i['source_id']}"
    )
    assert str(events(ics)[0]["URL"]) == f"https://{HOST}/assets/11"


def test_unknown_kind_fails_loudly():
    with pytest.raises(KeyError):
        feed.build_calendar([items()[0] | {"kind": "birthday"}], host=HOST)


def test_secret_is_256_bits_url_safe_and_stored_only_as_sha256():
    secret = feed.new_secret()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    assert feed.well_formed_secret(secret)
    assert feed.new_secret() != secret
    stored = feed.hash_secret(secret)
    assert re.fullmatch(r"[0-9a-f]{64}", stored) and secret not in stored
    assert feed.secret_matches(secret, stored)
    assert not feed.secret_matches(feed.new_secret(), stored)
    assert not feed.well_formed_secret(secret[:-1])
    assert not feed.well_formed_secret(secret[:-1] + "/")
    # a known vector: SHA-256("abc")
    assert feed.hash_secret("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
