"""A project's file list (issue 19): the "Belongs to" column names each file's record as the
audit trail names it (its kind's `Label`, as the reader may see it; never "NDA #3"), all of a
page's names in one statement; its columns sort by file name and upload time."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import (
    approved_review,
    day,
    make_asset,
    make_disclosure,
    make_nda,
    make_session,
    pdf,
    statements,
    upload,
)
from tracker import policy, records
from tracker.attachments import reading
from tracker.attachments.models import Attachment
from tracker.db import db
from tracker.oversight import labels
from tracker.transfers.models import TransferRequest

ROLES = ("admin", "lawyer", "company", "operator", "auditor")


def _page(client: Any, project_id: int, query: str = "") -> str:
    response = client.get(f"/projects/{project_id}/files{query}")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


@pytest.fixture
def filed(world: Any, api_as: Any) -> Any:
    """One file on a record of every kind that holds files (and one on the project itself),
    uploaded by the project's lawyer; `w.records` maps each file type to its record."""
    w = world
    lawyer = w.users["lawyer"]
    asset = make_asset(w.project, title="Quiet converter")
    transfer = TransferRequest(
        project=w.project,
        partner=w.partner,
        purpose="Joint test",
        channel="secure_platform",
        status="pending_review",
        checks=[],
        planned_on=day(12),
        requested_by_id=lawyer.id,
    )
    transfer.assets = [asset]
    review = approved_review(w.project, lawyer.id)
    db.session.add_all([transfer, review])
    w.records = {
        "asset": asset,
        "nda": make_nda(w.project, w.partner),
        "disclosure": make_disclosure(w.project, w.users["company"], title="Cold anode idea"),
        "session": make_session(w.project, lawyer, held_on=str(day(-9))),
        "review": review,
        "transfer": transfer,
    }
    db.session.commit()
    api = api_as(lawyer)
    for file_type, record in w.records.items():
        r = upload(api, w.project.id, pdf(), f"{file_type}.pdf", record_type=file_type,
                   record_id=record.id)  # fmt: skip
        assert r.status_code == 201, r.get_json()
    assert upload(api, w.project.id, pdf(), "project.pdf").status_code == 201
    return w


def _trail_name(app: Any, reader: Any, file_type: str, record_id: int) -> tuple[str, str | None]:
    """How the audit trail names that record for the reader."""
    kind = records.by_file_type(file_type)
    assert kind is not None
    with app.test_request_context("/"):
        return labels.labels(reader, {kind.type: {record_id}})[(kind.type, record_id)]


@pytest.mark.parametrize("role", ROLES)
def test_each_files_record_is_named_as_the_trail_names_it(
    app: Any, filed: Any, browser_as: Any, role: str
) -> None:
    w = filed
    reader = w.users[role]
    html = _page(browser_as(reader), w.project.id)
    seen = 0
    for file_type, record in w.records.items():
        if not policy.can(reader, records.file_visibility()[file_type], w.project):
            assert f"{file_type}.pdf" not in html, (role, file_type)
            continue
        seen += 1
        name, link = _trail_name(app, reader, file_type, record.id)
        assert name != str(records.by_file_type(file_type).name)  # a name, not the kind's
        cell = f'<a href="{link}">{name}</a>' if link else f"<td>{name}</td>"
        assert cell in html, (role, file_type)
    assert seen >= 3
    assert "<td>The project</td>" in html
    assert re.search(r"#\d", html) is None, "no record is named by its id"


def test_the_names_say_what_the_records_are(filed: Any, browser_as: Any) -> None:
    w = filed
    html = _page(browser_as(w.users["lawyer"]), w.project.id)
    ids = {t: r.id for t, r in w.records.items()}
    assert f'<a href="/assets/{ids["asset"]}">Quiet converter</a>' in html
    assert f'<a href="/disclosures/{ids["disclosure"]}">Cold anode idea</a>' in html
    assert re.search(rf'<a href="/ndas/{ids["nda"]}">{re.escape(w.partner.name)} · ', html)
    assert re.search(
        rf'<a href="/transfers/{ids["transfer"]}">{re.escape(w.partner.name)} · Quiet converter',
        html,
    )
    assert f'href="/sessions/{ids["session"]}">' in html
    assert f'href="/reviews/{ids["review"]}">' in html
    for kind in ("IP asset", "NDA", "Disclosure", "Advisory session", "Risk review"):
        assert f">{kind} #" not in html


def test_the_names_in_korean(filed: Any, browser_as: Any) -> None:
    w = filed
    reader = w.users["lawyer"]
    reader.locale = "ko"
    db.session.commit()
    html = _page(browser_as(reader), w.project.id)
    assert "소속 기록" in html and "Belongs to" not in html
    assert "<td>과제</td>" in html  # the project's own file
    assert f'<a href="/assets/{w.records["asset"].id}">Quiet converter</a>' in html
    assert re.search(r"#\d", html) is None


@pytest.mark.parametrize("role", ROLES)
def test_a_name_the_role_may_not_see_is_the_kind_alone(app: Any, filed: Any, role: str) -> None:
    """A disclosure's title only for roles that may read disclosures: the others get the word
    "Disclosure" alone, with no link and no id."""
    w = filed
    reader = w.users[role]
    attachment = db.session.execute(
        db.select(Attachment).where(Attachment.record_type == "disclosure")
    ).scalar_one()
    with app.test_request_context("/"):
        name, link = reading.belongs_to(reader, [attachment])[attachment.id]
        kind_name = records.kind_name("disclosure")
    if policy.role_may(role, "disclosure.read"):
        assert (name, link) == ("Cold anode idea", f"/disclosures/{w.records['disclosure'].id}")
    else:
        assert (name, link) == (kind_name, None)
        assert kind_name == "발명 신고"  # the firm's language when the request names none


def test_a_reader_outside_the_project_gets_no_names(app: Any, filed: Any) -> None:
    attachments = list(db.session.execute(db.select(Attachment)).scalars())
    outsider = filed.outsiders["lawyer"]
    with app.test_request_context("/"):
        named = reading.belongs_to(outsider, attachments)
    kinds = {str(records.by_file_type(t).name) for t in filed.records}
    assert len(named) == len([a for a in attachments if a.record_type])  # every record's file
    assert {name for name, _link in named.values()} <= kinds
    assert all(link is None for _name, link in named.values())


def test_one_statement_names_a_whole_page(app: Any, filed: Any, api_as: Any) -> None:
    """Twice the files, on twice the records: still one statement for every name."""
    w = filed
    api = api_as(w.users["lawyer"])
    for i in range(3):
        asset = make_asset(w.project, title=f"More {i}")
        nda = make_nda(w.project, w.partner)
        db.session.commit()
        upload(api, w.project.id, pdf(), f"a{i}.pdf", record_type="asset", record_id=asset.id)
        upload(api, w.project.id, pdf(), f"n{i}.pdf", record_type="nda", record_id=nda.id)
    attachments = list(db.session.execute(db.select(Attachment)).scalars())
    reader = w.users["lawyer"]
    assert reader.active  # loaded before counting
    with app.test_request_context("/"), statements() as seen:
        named = reading.belongs_to(reader, attachments)
    assert len(seen) == 1
    assert len(named) == len([a for a in attachments if a.record_type])


# -- sorting ---------------------------------------------------------------------------------


@pytest.fixture
def three(world: Any, api_as: Any) -> list[str]:
    """Three files of the project uploaded in the order b, c, a (names and times disagree)."""
    api = api_as(world.users["lawyer"])
    for name in ("b-plan.pdf", "c-plan.pdf", "a-plan.pdf"):
        assert upload(api, world.project.id, pdf(), name).status_code == 201
    return ["b-plan.pdf", "c-plan.pdf", "a-plan.pdf"]


def _order(html: str) -> list[str]:
    return re.findall(r"<strong>([abc]-plan\.pdf)</strong>", html)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("filename", ["a-plan.pdf", "b-plan.pdf", "c-plan.pdf"]),
        ("-filename", ["c-plan.pdf", "b-plan.pdf", "a-plan.pdf"]),
        ("uploaded_at", ["b-plan.pdf", "c-plan.pdf", "a-plan.pdf"]),
        ("-uploaded_at", ["a-plan.pdf", "c-plan.pdf", "b-plan.pdf"]),
    ],
)
def test_the_file_list_sorts(
    world: Any, browser_as: Any, three: list[str], sort: str, expected: list[str]
) -> None:
    html = _page(browser_as(world.users["company"]), world.project.id, f"?sort={sort}")
    assert _order(html) == expected
    state = "descending" if sort.startswith("-") else "ascending"
    assert f'aria-sort="{state}"' in html


@pytest.mark.parametrize("sort", ["", "?sort=size", "?sort=-record_id", "?sort=filename%3B"])
def test_no_or_an_unknown_sort_is_the_newest_first(
    world: Any, browser_as: Any, three: list[str], sort: str
) -> None:
    html = _page(browser_as(world.users["lawyer"]), world.project.id, sort)
    assert _order(html) == ["a-plan.pdf", "c-plan.pdf", "b-plan.pdf"]


def test_the_headings_link_each_order(world: Any, browser_as: Any, three: list[str]) -> None:
    path = f"/projects/{world.project.id}/files"
    html = _page(browser_as(world.users["lawyer"]), world.project.id, "?sort=filename")
    assert f'href="{path}?sort=-filename"' in html
    assert f'href="{path}?sort=uploaded_at"' in html


def test_pages_of_a_sorted_list_keep_its_order(
    world: Any, browser_as: Any, three: list[str]
) -> None:
    client = browser_as(world.users["lawyer"])
    first = _page(client, world.project.id, "?sort=filename&per_page=2")
    second = _page(client, world.project.id, "?sort=filename&per_page=2&page=2")
    assert _order(first) == ["a-plan.pdf", "b-plan.pdf"]
    assert _order(second) == ["c-plan.pdf"]
    assert "sort=filename" in first.split('class="pages"')[1]


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_a_sort_opens_no_project_outside_the_scope(
    world: Any, browser_as: Any, three: list[str], role: str
) -> None:
    client = browser_as(world.outsiders[role])
    response = client.get(f"/projects/{world.project.id}/files?sort=filename")
    assert response.status_code == 404
