"""Notifications: each decision and assignment tells the person it concerns, in the same
transaction; the API and the start page list them for their reader only, and a decision is
e-mailed (a real SMTP server) in the recipient's language without the decision's note."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.deadlines.conftest import smtp_server  # noqa: F401  (the real SMTP server fixture)
from tests.support import (
    CANARY,
    approved_review,
    csrf_token,
    mail_to,
    make_disclosure,
    make_nda,
    make_review,
    session_body,
    transfer_body,
)
from tracker.auth.notifications import Notification, notify
from tracker.cases.assets.models import IpAsset
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.reviews import service as reviews
from tracker.db import db

NOTE = "NOTE-CANARY-7f3a the partner's counsel said"
SENDER = "tracker@tracker.example.kr"


@pytest.fixture
def mailbox(app: Any, smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: F811
    return mail_to(app, smtp_server, monkeypatch, SENDER)


def _notices(user: Any) -> list[Notification]:
    return list(
        db.session.execute(sa.select(Notification).where(Notification.user_id == user.id))
        .scalars()
        .all()
    )


def _reject_disclosure(world: Any, api_as: Any) -> Any:
    disclosure = make_disclosure(world.project, world.users["company"])
    db.session.commit()
    response = api_as(world.users["lawyer"]).post(
        f"/api/v1/disclosures/{disclosure.id}/decision",
        json={"decision": "reject", "note": NOTE},
    )
    assert response.status_code == 200, response.get_json()
    return disclosure


# --- who is told ------------------------------------------------------------------------------


def test_a_disclosure_decision_tells_the_filer_only(world, api_as):
    disclosure = _reject_disclosure(world, api_as)
    (notice,) = _notices(world.users["company"])
    assert (notice.kind, notice.object_type, notice.object_id, notice.project_id) == (
        "disclosure_decided",
        "disclosure",
        disclosure.id,
        world.project.id,
    )
    for role, other in {
        **world.users,
        **{"out-" + k: v for k, v in world.outsiders.items()},
    }.items():
        if role != "company":
            assert _notices(other) == [], role


def test_a_review_decision_tells_its_author(world, make_user, api_as):
    second = make_user("lawyer")
    world.project.lawyers.append(second)
    review = make_review(world.project, world.users["lawyer"])
    reviews.decide_review(review, second, "reject")
    (notice,) = _notices(world.users["lawyer"])
    assert (notice.kind, notice.object_type, notice.object_id) == (
        "review_decided",
        "risk_review",
        review.id,
    )
    assert _notices(second) == []
    db.session.commit()
    (item,) = api_as(world.users["lawyer"]).get("/api/v1/notifications").get_json()["items"]
    assert "Looked at the partner setup." not in item["object"]["label"]  # its level, no summary


def test_a_transfer_decision_tells_the_requester(world, api_as, mailbox):
    asset = IpAsset(project=world.project, title="Membrane", kind="know_how", sensitivity="public")
    db.session.add(asset)
    db.session.flush()
    make_nda(world.project, world.partner, assets=[asset])
    db.session.add(approved_review(world.project, world.users["lawyer"].id))
    db.session.commit()
    world.asset = asset
    created = api_as(world.users["company"]).post(
        f"/api/v1/projects/{world.project.id}/transfers", json=transfer_body(world)
    )
    assert created.status_code == 201, created.get_json()
    tid = created.get_json()["id"]
    assert _notices(world.users["company"]) == []  # a request alone tells nobody
    decided = api_as(world.users["operator"]).post(
        f"/api/v1/transfers/{tid}/decision", json={"decision": "deny", "note": NOTE}
    )
    assert decided.status_code == 200, decided.get_json()
    (notice,) = _notices(world.users["company"])
    assert (notice.kind, notice.object_type, notice.object_id) == (
        "transfer_decided",
        "transfer",
        tid,
    )
    # the requester's mail says the outcome, never the operator's note
    (msg,) = mailbox.messages()
    plain = msg.get_body(("plain",)).get_content()
    assert msg["To"] == world.users["company"].email
    assert "요청이 거부되었습니다." in plain or "The request was denied." in plain
    assert f"/transfers/{tid}" in plain
    assert NOTE not in plain and NOTE not in msg.get_body(("html",)).get_content()


def test_assigning_a_lawyer_tells_that_lawyer_once(world, make_user, api_as):
    newcomer = make_user("lawyer")
    db.session.commit()
    api = api_as(world.users["admin"])
    version = api.get(f"/api/v1/projects/{world.project.id}").get_json()["version"]
    ids = [world.users["lawyer"].id, newcomer.id]
    response = api.patch(
        f"/api/v1/projects/{world.project.id}", json={"lawyer_ids": ids, "version": version}
    )
    assert response.status_code == 200, response.get_json()
    (notice,) = _notices(newcomer)
    assert (notice.kind, notice.object_type, notice.object_id) == (
        "assigned_to_project",
        "project",
        world.project.id,
    )
    assert _notices(world.users["lawyer"]) == []  # already assigned: nothing new


def test_a_follow_up_owned_by_an_account_tells_its_owner(world, api_as):
    company = world.users["company"]
    body = session_body(
        follow_ups=[
            {
                "title": "Send the drawings list",
                "owner": company.email.upper(),
                "due_on": "2026-10-15",
            },
            {"title": "Call the partner", "owner": "the partner's CTO", "due_on": "2026-10-16"},
            {
                "title": "Outsider's task",
                "owner": world.outsiders["company"].email,
                "due_on": "2026-10-16",
            },
        ]
    )
    response = api_as(world.users["lawyer"]).post(
        f"/api/v1/projects/{world.project.id}/sessions", json=body
    )
    assert response.status_code == 201, response.get_json()
    (notice,) = _notices(company)
    assert (notice.kind, notice.object_type) == ("follow_up_assigned", "follow_up")
    assert _notices(world.outsiders["company"]) == []  # out of the project's scope: not told


def test_a_refused_decision_tells_nobody(world, api_as):
    disclosure = make_disclosure(world.project, world.users["company"])
    db.session.commit()
    response = api_as(world.users["lawyer"]).post(
        f"/api/v1/disclosures/{disclosure.id}/decision", json={"decision": "reject", "note": ""}
    )
    assert response.status_code == 422
    assert _notices(world.users["company"]) == []


# --- the API --------------------------------------------------------------------------------


def test_the_api_lists_the_callers_notifications_newest_first(world, api_as):
    disclosure = _reject_disclosure(world, api_as)
    second = make_disclosure(world.project, world.users["company"], title="Second idea")
    db.session.commit()
    lawyer = api_as(world.users["lawyer"])
    assert (
        lawyer.post(
            f"/api/v1/disclosures/{second.id}/decision",
            json={"decision": "needs_info", "note": "x"},
        ).status_code
        == 200
    )
    api = api_as(world.users["company"])
    body = api.get("/api/v1/notifications").get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 50
    newest, older = body["items"]
    assert newest["object"] == {"type": "disclosure", "id": second.id, "label": "Second idea"}
    assert older["object"]["id"] == disclosure.id
    assert set(newest) == {"id", "kind", "object", "project_id", "created_at", "read"}
    assert newest["kind"] == "disclosure_decided" and newest["read"] is False
    assert newest["project_id"] == world.project.id
    assert "+00:00" in newest["created_at"] or newest["created_at"].endswith("Z")
    assert NOTE not in str(body)
    # every other user lists nothing
    for user in [*world.users.values(), *world.outsiders.values()]:
        if user is not world.users["company"]:
            assert api_as(user).get("/api/v1/notifications").get_json()["total"] == 0
    # read one, then the unread filter and the dashboard's count
    assert api.post(f"/api/v1/notifications/{older['id']}/read").status_code == 204
    assert api.post(f"/api/v1/notifications/{older['id']}/read").status_code == 204  # again: same
    unread = api.get("/api/v1/notifications?unread=true").get_json()
    assert [i["id"] for i in unread["items"]] == [newest["id"]] and unread["total"] == 1
    assert api.get("/api/v1/dashboard").get_json()["counts"]["unread_notifications"] == 1
    assert api.post("/api/v1/notifications/read").status_code == 204
    assert api.get("/api/v1/notifications?unread=true").get_json()["total"] == 0
    assert api.get("/api/v1/dashboard").get_json()["counts"]["unread_notifications"] == 0
    paged = api.get("/api/v1/notifications?per_page=1&page=2").get_json()
    assert [i["id"] for i in paged["items"]] == [older["id"]] and paged["total"] == 2


def test_another_users_notification_is_not_found(world, api_as):
    _reject_disclosure(world, api_as)
    (notice,) = _notices(world.users["company"])
    for user in [*world.users.values(), *world.outsiders.values()]:
        if user is world.users["company"]:
            continue
        api = api_as(user)
        assert api.post(f"/api/v1/notifications/{notice.id}/read").status_code == 404
        assert api.post("/api/v1/notifications/read").status_code == 204  # only their own
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is None


def test_the_label_follows_what_the_reader_may_see(world, api_as, make_user):
    """An operator assigned nothing, but a notice of a disclosure (whose title operators may
    not read) sent to an operator would show no title: the label is decided when read."""
    _reject_disclosure(world, api_as)
    (notice,) = _notices(world.users["company"])
    disclosure = db.session.get(Disclosure, notice.object_id)
    notify(world.users["operator"].id, "disclosure_decided", disclosure, world.project.id)
    db.session.commit()
    item = api_as(world.users["operator"]).get("/api/v1/notifications").get_json()["items"][0]
    assert item["object"]["label"] != "Gallium-nitride DC converter topology"
    assert "Gallium" not in item["object"]["label"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/notifications?page=0",
        "/api/v1/notifications?per_page=201",
        "/api/v1/notifications?unread=maybe",
        "/api/v1/notifications?page=abc",
    ],
)
def test_bad_list_arguments_are_422(world, api_as, path):
    response = api_as(world.users["company"]).get(path)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("ident", ["0", "99999999999999999999", "-1", "abc", "1%00"])
def test_hostile_ids_are_not_found(world, api_as, ident):
    response = api_as(world.users["company"]).post(f"/api/v1/notifications/{ident}/read")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_no_credentials_no_notifications(client):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read").status_code == 401


def test_a_body_is_refused_or_ignored_never_a_500(world, api_as):
    api = api_as(world.users["company"])
    response = api.client.post(
        "/api/v1/notifications/read",
        data="{not json",
        headers={**api._headers(None), "Content-Type": "application/json"},
    )
    assert response.status_code in (204, 400)


# --- e-mail -----------------------------------------------------------------------------------


def test_a_decision_is_emailed_in_the_recipients_language(world, api_as, mailbox):
    company = world.users["company"]
    company.locale = "ko"
    db.session.commit()
    disclosure = _reject_disclosure(world, api_as)
    (msg,) = mailbox.messages()
    assert msg["To"] == company.email and msg["From"] == SENDER
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "발명 신고가 반려되었습니다." in plain  # the outcome, in Korean
    assert "Gallium-nitride DC converter topology" in plain  # the filer may read the title
    assert f"/disclosures/{disclosure.id}" in plain
    for part in (plain, html, msg["Subject"]):
        assert NOTE not in part and CANARY not in part


def test_the_english_mail_and_nothing_for_an_assignment(world, api_as, mailbox, make_user):
    company = world.users["company"]
    company.locale = "en"
    db.session.commit()
    _reject_disclosure(world, api_as)
    (msg,) = mailbox.messages()
    assert "The disclosure was rejected." in msg.get_body(("plain",)).get_content()
    newcomer = make_user("lawyer")
    db.session.commit()
    api = api_as(world.users["admin"])
    version = api.get(f"/api/v1/projects/{world.project.id}").get_json()["version"]
    api.patch(
        f"/api/v1/projects/{world.project.id}",
        json={"lawyer_ids": [world.users["lawyer"].id, newcomer.id], "version": version},
    )
    assert len(mailbox.messages()) == 1  # assignments are listed, not e-mailed


def test_a_rolled_back_decision_sends_no_mail(world, api_as, mailbox):
    disclosure = make_disclosure(world.project, world.users["company"])
    db.session.commit()
    response = api_as(world.users["lawyer"]).post(
        f"/api/v1/disclosures/{disclosure.id}/decision",
        json={"decision": "accept", "note": "ok", "asset": {"kind": "nonsense"}},
    )
    assert response.status_code == 422
    assert mailbox.messages() == []


# --- the pages --------------------------------------------------------------------------------


def test_the_header_counts_and_the_start_page_lists_and_marks_read(world, api_as, browser_as):
    company = world.users["company"]
    company.locale = "ko"
    db.session.commit()
    disclosure = _reject_disclosure(world, api_as)
    browser = browser_as(company)
    page = browser.get("/").get_data(as_text=True)
    assert "알림 1건" in page
    assert 'id="notifications"' in page
    assert f'href="/disclosures/{disclosure.id}"' in page
    assert NOTE not in page
    (notice,) = _notices(company)
    token = csrf_token(browser, "/")
    # another user's notice: 404 on the page too
    other = browser_as(world.users["lawyer"])
    other_token = csrf_token(other, "/")
    assert (
        other.post(f"/notifications/{notice.id}/read", data={"csrf_token": other_token}).status_code
        == 404
    )
    assert browser.post(f"/notifications/{notice.id}/read", data={}).status_code == 400  # no CSRF
    done = browser.post(f"/notifications/{notice.id}/read", data={"csrf_token": token})
    assert done.status_code == 302
    page = browser.get("/").get_data(as_text=True)
    assert "알림 1건" not in page
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is not None


def test_mark_all_read_on_the_page(world, api_as, browser_as):
    _reject_disclosure(world, api_as)
    browser = browser_as(world.users["company"])
    token = csrf_token(browser, "/")
    assert browser.post("/notifications/read", data={"csrf_token": token}).status_code == 302
    assert (
        api_as(world.users["company"]).get("/api/v1/notifications?unread=true").get_json()["total"]
        == 0
    )


def test_no_link_to_a_record_the_reader_may_not_open(world, browser_as):
    """A notice of a disclosure shown to an operator (who may not read disclosures) names
    no title and links nowhere."""
    disclosure = make_disclosure(world.project, world.users["company"])
    notify(world.users["operator"].id, "disclosure_decided", disclosure, world.project.id)
    db.session.commit()
    page = browser_as(world.users["operator"]).get("/").get_data(as_text=True)
    assert 'id="notifications"' in page
    assert f"/disclosures/{disclosure.id}" not in page
    assert disclosure.title not in page
