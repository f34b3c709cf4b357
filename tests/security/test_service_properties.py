"""Properties (hypothesis) of the service layer over the real database (issue 11, proof 3):
the risk scoring, the data-sharing gate, text round trips, paging, docketing and the audit
chain. The services are called as the views call them, on the test's database (SQLite, or
PostgreSQL with TRACKER_TEST_DATABASE_URL).

Most examples run inside a SAVEPOINT rolled back after them, so no example sees another's rows;
the gate's examples commit (a refused approval records its refusal in a transaction of its
own), each on records of its own. The factories are function-scoped fixtures: they are
stateless callables, so hypothesis' function-scoped-fixture health check is turned off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from tests.support import TODAY, approved_review, make_asset, make_nda
from tracker import clock
from tracker.audit.models import AuditEvent, AuditHead
from tracker.audit.service import record, seal
from tracker.audit.verify import verify_chain
from tracker.auth.models import Zone
from tracker.cases.assets import derived, docketing
from tracker.cases.assets import service as assets
from tracker.cases.assets.models import ASSET_KINDS
from tracker.cases.projects import service as projects
from tracker.cases.reviews import scoring
from tracker.cases.reviews import service as reviews
from tracker.cases.reviews.models import RISK_LEVELS, RiskReview
from tracker.db import db
from tracker.errors import InvalidInput
from tracker.transfers import service as transfers
from tracker.transfers.gate import CHECK_CODES
from tracker.web import paging

FIXTURES_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def examples(n: int) -> Any:
    return settings(max_examples=n, deadline=None, suppress_health_check=FIXTURES_OK)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run an example in a SAVEPOINT and undo it afterwards, whatever happened."""
    savepoint = db.session.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        db.session.expire_all()


#: any text, with the characters that break databases and encoders drawn often
SPECIAL = list("\x00\ud800\udfff\x01\x7f\r\n\t\u2028\ufeff 한")
any_text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=300),
    st.tuples(st.text(max_size=20), st.sampled_from(SPECIAL), st.text(max_size=20)).map("".join),
)
#: text a program writes (no NUL, no surrogates)
plain_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


# --- risk scoring --------------------------------------------------------------------------------

FACTORS = scoring.catalogue()["factors"]
valid_answers = st.fixed_dictionaries(
    {f["code"]: st.sampled_from([c["code"] for c in f["choices"]]) for f in FACTORS}
)


@st.composite
def answers_maybe_invalid(draw: st.DrawFn) -> tuple[Any, bool]:
    """Answers, and whether they are valid: every factor once with one of its choices."""
    answers: dict[str, Any] = draw(valid_answers)
    spoil = draw(st.sampled_from(["none", "none", "drop", "unknown_factor", "bad_choice", "list"]))
    if spoil == "drop":
        del answers[draw(st.sampled_from(sorted(answers)))]
    elif spoil == "unknown_factor":
        answers[draw(st.text(min_size=1, max_size=10).filter(lambda k: k not in answers))] = "x"
    elif spoil == "bad_choice":
        code = draw(st.sampled_from(sorted(answers)))
        answers[code] = draw(st.one_of(st.none(), st.integers(), st.text(max_size=5)))
        choices = {c["code"] for f in FACTORS if f["code"] == code for c in f["choices"]}
        assume(answers[code] not in choices)
    elif spoil == "list":
        return list(answers), False
    return answers, spoil == "none"


@examples(60)
@given(answers_maybe_invalid(), st.booleans())
def test_risk_review_scoring(make_project, make_user, drawn, has_nct):
    """Invalid answers are refused and nothing is filed; valid ones give likelihood and impact
    in 1..5, score = likelihood x impact, the level of the score, impact 5 with national core
    technology, and the same answers give the same result."""
    answers, valid = drawn
    with rolled_back():
        project, author = make_project(), make_user("lawyer")
        if has_nct:
            make_asset(project, nct_status="nct_funded")
        if not valid:
            with pytest.raises(InvalidInput):
                reviews.submit_review(project, author, answers, None)
            assert not db.session.scalar(
                sa.select(sa.func.count()).where(RiskReview.project_id == project.id)
            )
            return
        first = reviews.submit_review(project, author, answers, None)
        again = reviews.submit_review(project, author, dict(reversed(answers.items())), None)
        result = (first.likelihood, first.impact, first.score, first.level)
        assert (again.likelihood, again.impact, again.score, again.level) == result
        assert 1 <= first.likelihood <= 5 and 1 <= first.impact <= 5
        assert first.score == first.likelihood * first.impact
        assert first.level == scoring.level_of(first.score)
        assert first.impact == 5 if has_nct else first.impact <= 5


@examples(200)
@given(valid_answers, st.data())
def test_raising_an_answer_never_lowers_the_risk(answers, data):
    """A riskier choice for any one factor never lowers likelihood, impact, score or level, and
    the level never falls as the score rises."""
    factor = data.draw(st.sampled_from(FACTORS))
    choice = data.draw(st.sampled_from(factor["choices"]))
    scores = {c["code"]: c["score"] for c in factor["choices"]}
    raised = {**answers, factor["code"]: choice["code"]}
    assume(scores[choice["code"]] >= scores[answers[factor["code"]]])
    before, after = scoring.score_answers(answers, False), scoring.score_answers(raised, False)
    assert after.likelihood >= before.likelihood and after.impact >= before.impact
    assert after.score >= before.score
    assert RISK_LEVELS.index(after.level) >= RISK_LEVELS.index(before.level)


# --- the gate ------------------------------------------------------------------------------------

NCT = {  # (status, reference) -> whether the core technology check passes for that asset
    ("not_nct", None): True,
    ("nct_funded", "MOTIE-1"): True,
    ("nct_private", "REP-9"): True,
    ("pending", None): False,
    ("pending", "MOTIE-2"): False,
    ("nct_private", None): False,
    ("nct_funded", "  "): False,
    ("unknown", None): False,
}
LICENCE = {  # (strategic item, reference, days the licence outlasts the planned date) -> passes
    ("no", None, None): True,
    ("yes", "EL-1", 10): True,
    ("yes", "EL-1", 0): True,
    ("unknown", "EL-2", 10): True,
    ("yes", "EL-1", -1): False,
    ("yes", " ", 10): False,
    ("yes", None, None): False,
    ("unknown", None, None): False,
}
NDAS = ("none", "active", "draft", "terminated", "expired", "lapsed")
NDA_WINDOWS = ("lasts", "ends_on_planned_date", "starts_after")
REVIEWS = (
    "approved",
    "none",
    "expires_on_planned_date",
    "critical",
    "rejected",
    "submitted",
    "stale",
)
#: each condition of the facts: (the values that pass, every value)
CONDITIONS: dict[str, tuple[list[Any], list[Any]]] = {
    "nda": (["active"], list(NDAS)),
    "window": (["lasts"], list(NDA_WINDOWS)),
    "covers_all": ([True], [True, False]),
    "review": (["approved"], list(REVIEWS)),
    "nct": ([k for k, ok in NCT.items() if ok], list(NCT)),
    "licence": ([k for k, ok in LICENCE.items() if ok], list(LICENCE)),
    "partner_on_project": ([True], [True, False]),
}
PER_ASSET = ("nct", "licence")


@st.composite
def gate_facts(draw: st.DrawFn) -> dict[str, Any]:
    """Facts that pass every check (a fifth), break one condition (half) or mix any values."""
    mode = draw(st.sampled_from(["all_pass"] * 2 + ["one_breaks"] * 5 + ["any"] * 3))
    broken = draw(st.sampled_from(sorted(CONDITIONS))) if mode == "one_breaks" else None

    def value(name: str) -> Any:
        passing, every = CONDITIONS[name]
        if mode == "any":
            return draw(st.sampled_from(every))
        if name == broken:
            return draw(st.sampled_from([v for v in every if v not in passing]))
        return draw(st.sampled_from(passing))

    count = draw(st.integers(min_value=1, max_value=2))
    facts = {name: value(name) for name in CONDITIONS if name not in PER_ASSET}
    assets = [{name: value(name) for name in PER_ASSET} for _ in range(count)]
    if broken in PER_ASSET and count == 2:  # break one asset only
        ok = CONDITIONS[broken][0]
        assets[draw(st.integers(0, 1))][broken] = draw(st.sampled_from(ok))
    facts["assets"] = [(a["nct"], a["licence"]) for a in assets]
    facts["other_partners_nda"] = draw(st.booleans())
    facts["days_ahead"] = draw(st.integers(min_value=0, max_value=400))
    return facts


def expected_failures(f: dict[str, Any]) -> list[str]:
    """The checks the facts must fail, worked out from the facts alone (docs/product.md)."""
    live = f["nda"] == "active"  # in force today; "lapsed" is active but past its expiry
    failed = {
        "nda_active": not (live and f["window"] == "lasts"),
        "nda_covers_assets": not (live and f["covers_all"]),
        "risk_review_current": f["review"] != "approved",
        "core_tech_approval": not all(NCT[nct] for nct, _licence in f["assets"]),
        "export_licence": not all(LICENCE[licence] for _nct, licence in f["assets"]),
        "partner_on_project": not f["partner_on_project"],
    }
    return [code for code in CHECK_CODES if failed[code]]


def gate_world(f: dict[str, Any], make_project: Any, make_org: Any, lawyer: Any) -> Any:
    partner, stranger = make_org("partner"), make_org("partner")
    project = make_project(partners=[partner if f["partner_on_project"] else stranger])
    planned = TODAY + dt.timedelta(days=f["days_ahead"])
    asset_rows = []
    for (nct_status, nct_ref), (item, ref, outlasts) in f["assets"]:
        until = None if outlasts is None else planned + dt.timedelta(days=outlasts)
        asset_rows.append(
            make_asset(
                project,
                nct_status=nct_status,
                nct_ref=nct_ref,
                strategic_item=item,
                export_licence_ref=ref,
                export_licence_until=until,
            )
        )
    if f["nda"] != "none":
        effective, expires = TODAY - dt.timedelta(days=30), planned + dt.timedelta(days=60)
        if f["window"] == "ends_on_planned_date":
            expires = planned
        elif f["window"] == "starts_after":
            effective = planned + dt.timedelta(days=1)
        if f["nda"] == "lapsed":
            effective, expires = TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=1)
        status = "active" if f["nda"] == "lapsed" else f["nda"]
        covered = asset_rows if f["covers_all"] else asset_rows[1:]
        nda = make_nda(project, partner, effective_on=effective, expires_on=expires, status=status)
        nda.assets = covered
    if f["other_partners_nda"]:  # in force and covering everything, but another partner's
        other = make_nda(
            project, stranger, effective_on=TODAY, expires_on=planned + dt.timedelta(9)
        )
        other.assets = asset_rows
    review = _review(f["review"], project, lawyer.id, planned)
    if review is not None:
        db.session.add(review)
    db.session.flush()
    return partner, project, asset_rows, planned


def _review(kind: str, project: Any, author_id: int, planned: dt.date) -> RiskReview | None:
    valid = planned + dt.timedelta(days=30)
    over: dict[str, Any] = {
        "none": None,
        "approved": {"valid_until": valid},
        "expires_on_planned_date": {"valid_until": planned},
        "critical": {"valid_until": valid, "level": "critical", "score": 25},
        "rejected": {"valid_until": None, "status": "rejected"},
        "submitted": {"valid_until": None, "status": "submitted", "decided_at": None},
        "stale": {"valid_until": TODAY - dt.timedelta(days=1)},
    }[kind]
    return None if over is None else approved_review(project, author_id, **over)


@examples(150)
@given(gate_facts())
def test_the_gate_passes_exactly_when_all_six_checks_do(make_project, make_org, make_user, f):
    """Filed: the request is pending_review iff every check passes, and the failing checks are
    exactly those whose condition the facts break. Approving is refused (GateRefused, a 409)
    with exactly those checks whenever any fails, the refusal audited; otherwise it succeeds."""
    lawyer, company, operator = make_user("lawyer"), make_user("company"), make_user("operator")
    partner, project, asset_rows, planned = gate_world(f, make_project, make_org, lawyer)
    draft = transfers.TransferDraft(
        partner_id=partner.id,
        asset_ids=[a.id for a in asset_rows],
        attachment_ids=[],
        purpose="Joint test",
        channel="secure_platform",
        planned_on=planned,
    )
    transfer = transfers.file_transfer(company, project, draft)
    expected = expected_failures(f)
    event(f"failing checks: {len(expected)}")
    assert [c["code"] for c in transfer.checks] == list(CHECK_CODES)
    assert [c["code"] for c in transfer.checks if not c["ok"]] == expected
    assert transfer.status == ("blocked" if expected else "pending_review")
    db.session.commit()  # a refusal rolls back to here and records itself apart
    if expected:
        with pytest.raises(transfers.GateRefused) as refused:
            transfers.decide_transfer(operator, transfer, "approve", None)
        assert refused.value.failed_codes == expected
        db.session.refresh(transfer)
        assert transfer.status == "blocked"
        refusal = db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "transfer.approval_refused",
                AuditEvent.object_id == transfer.id,
            )
        ).one()
        assert refusal.detail == {"failed": expected}
    else:
        assert transfers.decide_transfer(operator, transfer, "approve", None).status == "approved"


# --- text ----------------------------------------------------------------------------------------


def _storable(text: str) -> bool:
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


@examples(120)
@given(any_text, st.sampled_from(["project title", "review summary"]))
def test_text_is_stored_exactly_or_refused(make_project, make_user, text, where):
    """Any text saved through a service reads back exactly as the service keeps it (a review's
    summary stripped, blank as none), or is refused with the domain's InvalidInput naming the
    field, exactly when it holds a NUL or an unpaired surrogate; never another exception."""
    with rolled_back():
        project, lawyer, admin = make_project(), make_user("lawyer"), make_user("admin")
        if where == "project title":
            field, kept = "title", text

            def save() -> Any:
                changes = {"title": text, "version": project.version}
                return projects.update_project(admin, project, changes)
        else:
            field, kept = "summary", text.strip() or None

            def save() -> Any:
                return reviews.submit_review(project, lawyer, _lowest_answers(), text)

        try:
            saved = save()
        except InvalidInput as refusal:
            event("refused")
            assert not _storable(text), refusal.errors
            assert list(refusal.errors) == [field]
            return
        event("stored")
        assert _storable(text)
        db.session.expire_all()
        assert getattr(db.session.get(type(saved), saved.id), field) == kept


def _lowest_answers() -> dict[str, str]:
    return {f["code"]: f["choices"][0]["code"] for f in FACTORS}


# --- paging --------------------------------------------------------------------------------------


page_texts = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-10, 10**7).map(str),
    st.sampled_from(["", "0", "-1", "+1", " 1", "1 ", "1e3", "1.0", "٣", "１", "²", "0x10"]),
)


@examples(300)
@given(page_texts, page_texts)
def test_any_page_arguments_give_a_valid_page(app, page, per_page):
    """HTML lists: any ?page= and ?per_page= give a page in range, and a number in range is
    honoured as given. API lists: the schema either refuses them (422) or loads them in range."""
    query = {k: v for k, v in (("page", page), ("per_page", per_page)) if v is not None}
    with app.test_request_context("/", query_string=query):
        args = paging.page_args()
    assert 1 <= args["page"] <= paging.MAX_PAGE
    assert 1 <= args["per_page"] <= paging.MAX_PER_PAGE
    for name, raw, high in (
        ("page", page, paging.MAX_PAGE),
        ("per_page", per_page, paging.MAX_PER_PAGE),
    ):
        if raw is not None and raw.isascii() and raw.isdigit() and 1 <= int(raw) <= high:
            assert args[name] == int(raw)
    try:
        loaded = paging.PageArgs().load(query)
    except ValidationError:
        return
    assert 1 <= loaded["page"] <= paging.MAX_PAGE
    assert 1 <= loaded["per_page"] <= paging.MAX_PER_PAGE


@examples(40)
@given(st.integers(min_value=0, max_value=25), st.integers(min_value=1, max_value=30))
def test_pages_hold_every_row_once_in_order(make_zone, rows, per_page):
    """Walking the pages of any list gives every row exactly once, in the list's order, with
    the same total on every page and an empty page past the end."""
    with rolled_back():
        prefix = f"PG{rows}x{per_page}-"
        made = [make_zone(code=f"{prefix}{n:03d}").code for n in range(rows)]
        stmt = sa.select(Zone).where(Zone.code.startswith(prefix)).order_by(Zone.code.desc())
        seen: list[str] = []
        pages = -(-rows // per_page)
        for page in range(1, pages + 2):
            result = paging.paginate(stmt, {"page": page, "per_page": per_page})
            assert result["total"] == rows
            assert len(result["items"]) == (min(per_page, rows - len(seen)) if page <= pages else 0)
            seen.extend(z.code for z in result["items"])
        assert seen == sorted(made, reverse=True)


# --- docketing -----------------------------------------------------------------------------------

offices = st.lists(
    st.sampled_from(["KR", "US", "EP", "JP", "CN", "WO", "DE"]), max_size=4, unique=True
)


@st.composite
def asset_dates(draw: st.DrawFn) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """Priority, filing and registration dates: mostly given and in order, sometimes missing,
    now and then out of order."""
    base = draw(st.dates(dt.date(1995, 1, 1), dt.date(2030, 12, 31)))
    filed = base + dt.timedelta(days=draw(st.integers(0, 400)))
    registered = filed + dt.timedelta(days=draw(st.integers(200, 2500)))
    found: list[dt.date | None] = [base, filed, registered]
    if draw(st.integers(0, 5)) == 0:
        i = draw(st.integers(0, 1))
        found[i], found[i + 1] = found[i + 1], found[i]
    dropped = draw(st.lists(st.sampled_from([0, 1, 2]), max_size=2, unique=True))
    for i in dropped:
        found[i] = None
    return found[0], found[1], found[2]


@examples(60)
@given(
    st.sampled_from(["patent", "patent", "utility_model", *ASSET_KINDS]),
    asset_dates(),
    offices,
    st.data(),
)
def test_docketing_derives_stable_dates_after_their_bases(
    make_project, kind, dates, jurisdictions, data
):
    """Saved through the asset service: dates out of order are refused; otherwise the stored
    derived deadlines are the rules' (whole schedule), one per key, each after the date it
    counts from; saving the same dates again changes nothing and keeps a done mark; after
    moving the dates and the jurisdictions the stored deadlines are the rules' again, and only
    a deadline that kept its key and date keeps its mark."""
    priority_on, filed_on, registered_on = dates
    in_order = all(
        a <= b for a, b in ((priority_on, filed_on), (filed_on, registered_on)) if a and b
    )
    values = {
        "title": "Asset",
        "kind": kind,
        "sensitivity": "confidential",
        "priority_on": priority_on,
        "filed_on": filed_on,
        "registered_on": registered_on,
        "jurisdictions": jurisdictions,
    }
    with rolled_back():
        project = make_project()
        event("dates out of order" if not in_order else "dates in order")
        if not in_order:
            with pytest.raises(InvalidInput):
                assets.create_asset(project, dict(values))
            return
        asset = assets.create_asset(project, dict(values))
        stored = _rules_kept(asset)
        for row in asset.derived_deadlines:
            assert row.due_on > _base(row.rule, priority_on, filed_on, registered_on)
        event(f"derived deadlines: {min(len(stored), 5)}{'+' if len(stored) >= 5 else ''}")
        if not stored:
            return
        first = min(stored)[0]
        assets.set_derived_done(asset, first, True)
        db.session.flush()
        version = asset.version
        assets.update_asset(asset, {**values, "version": version})
        db.session.flush()
        assert asset.version == version
        assert {(d.key, d.due_on, d.done) for d in asset.derived_deadlines} == {
            (k, due, k == first) for k, due in stored
        }
        shift = dt.timedelta(days=data.draw(st.sampled_from([0, 1, 31, 400])))
        moved = {n: d - shift if d else d for n, d in values.items() if n.endswith("_on")}
        moved["jurisdictions"] = data.draw(offices)
        assets.update_asset(asset, {**values, **moved, "version": asset.version})
        db.session.flush()
        for key, due in _rules_kept(asset):
            row = next(r for r in asset.derived_deadlines if r.key == key)
            assert row.done == (key == first and (key, due) in stored)


def _rules_kept(asset: Any) -> set[tuple[str, dt.date]]:
    """The asset's stored derived deadlines, checked to be exactly the rules' (one per key)."""
    stored = {(d.key, d.due_on) for d in asset.derived_deadlines}
    assert len(stored) == len(asset.derived_deadlines)
    assert stored == {(d.key, d.due_on) for d in derived.computed(asset)}
    return stored


#: fee schedules that count from the registration (grant); the others count from the filing
FROM_REGISTRATION = ("yearly_from_registration", "fixed_after_grant")


def _base(rule_id: str, *dates: dt.date | None) -> dt.date:
    """The date a derived deadline counts from: the priority date (the filing date of a first
    filing) for the priority year, PCT and national phase; the registration or the filing date
    for fees, as the rule's schedule says."""
    priority_on, filed_on, registered_on = dates
    rule = docketing.rule_by_id(rule_id)
    assert rule is not None
    if rule["deadline"] != "ip_annuity":
        found = priority_on or filed_on
    else:
        found = registered_on if rule["schedule"] in FROM_REGISTRATION else filed_on
    assert found is not None
    return found


# --- the audit chain -----------------------------------------------------------------------------

details = st.dictionaries(
    plain_text.map(lambda t: t[:10]),
    st.one_of(st.integers(-(10**9), 10**9), plain_text, st.booleans(), st.none()),
    max_size=3,
)
events = st.lists(
    st.fixed_dictionaries(
        {
            "action": plain_text.map(lambda t: t[:64]),
            "object_type": st.one_of(st.none(), plain_text.map(lambda t: t[:40])),
            "object_id": st.one_of(st.none(), st.integers(1, 2**31 - 1)),
            "actor_id": st.one_of(st.none(), st.integers(1, 2**31 - 1)),
            "detail": details,
        }
    ),
    min_size=1,
    max_size=6,
)
TAMPERED = ("at", "actor_id", "action", "object_type", "object_id", "ip", "detail", "mac", "seq")


def _other(field: str, old: Any, data: st.DataObject) -> Any:
    """A value for `field` that differs from `old`."""
    new = data.draw(
        {
            "at": st.integers(1, 10**9).map(lambda us: old + dt.timedelta(microseconds=us)),
            "actor_id": st.one_of(st.none(), st.integers(1, 2**31 - 1)),
            "action": plain_text.map(lambda t: t[:64]),
            "object_type": st.one_of(st.none(), plain_text.map(lambda t: t[:40])),
            "object_id": st.one_of(st.none(), st.integers(1, 2**31 - 1)),
            "ip": st.one_of(st.none(), st.ip_addresses().map(str)),
            "detail": details,
            "mac": st.text("0123456789abcdef", min_size=64, max_size=64),
            "seq": st.integers(10**6, 10**7),
        }[field]
    )
    assume(new != old)
    return new


@examples(80)
@given(events, st.sampled_from(TAMPERED), st.data())
def test_any_appended_chain_verifies_and_any_edit_is_found_at_its_event(made, field, data):
    """Any sequence of events appended through the service verifies; changing any stored
    field of any one of them makes verification fail at that event."""
    key = current_app.extensions["tracker_keys"].audit_key
    with rolled_back():
        start = db.session.get(AuditHead, 1).seq
        rows = [record(e["action"], **{k: v for k, v in e.items() if k != "action"}) for e in made]
        seal()
        db.session.expire_all()
        result = verify_chain(key)
        assert result.intact and result.events == start + len(made) == result.head_seq
        victim = data.draw(st.sampled_from(rows))
        seq, new = victim.seq, _other(field, getattr(victim, field), data)
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.id == victim.id).values({field: new})
        )
        db.session.expire_all()
        problem = verify_chain(key).problem
        assert problem is not None and problem.seq == seq
        assert problem.kind == ("deleted" if field == "seq" else "edited")
