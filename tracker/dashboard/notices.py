"""The reader's notifications: the list (newest first), marking read, and the e-mail of each
decision in the recipient's language.

A notice is stored by the service that decided (`tracker.auth.notifications.notify`); this
module names its record as the reader may see it (`tracker.oversight.labels`: a label only
where the reader's role may see that field and the project is in their scope, never privileged
or disclosure text to those who may not read it), and links it only when the policy lets the
reader open the record's page. The e-mail of a decision is written in the recipient's locale
just before the decision commits and sent once it has (`tracker.mail`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from tracker import clock, mail, records
from tracker.auth.models import User
from tracker.auth.notifications import MAILED, Notification, created_in
from tracker.db import db
from tracker.i18n import letter_when, reading_as
from tracker.oversight.labels import labels, type_name
from tracker.web.ids import get_or_none
from tracker.web.links import absolute
from tracker.web.paging import paginate

#: what each kind of notice says, on the page and in the e-mail's subject
KIND_LABELS: dict[str, Any] = {
    "transfer_decided": _l("Your data-sharing request was decided"),
    "review_decided": _l("Your risk review was decided"),
    "disclosure_decided": _l("Your disclosure was decided"),
    "assigned_to_project": _l("You were assigned to a project"),
    "follow_up_assigned": _l("A follow-up was assigned to you"),
}

#: the outcome a decision e-mail states: (kind, the record's status) -> sentence
OUTCOMES: dict[tuple[str, str], Any] = {
    ("transfer_decided", "approved"): _l("The request was approved."),
    ("transfer_decided", "denied"): _l("The request was denied."),
    ("review_decided", "approved"): _l("The review was approved."),
    ("review_decided", "rejected"): _l("The review was rejected."),
    ("disclosure_decided", "accepted"): _l("The disclosure was accepted."),
    ("disclosure_decided", "rejected"): _l("The disclosure was rejected."),
    ("disclosure_decided", "needs_info"): _l("More information is needed for the disclosure."),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS[kind])


def _mine(user: User, unread: bool = False) -> sa.Select[Any]:
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def _link(notice: Notification, found: dict[tuple[str, int], Any]) -> str | None:
    """The record's page when the reader may see its label (its scope and that field) and
    open its page (`tracker.ui.record_link`, through the labels)."""
    return found.get((notice.object_type, notice.object_id), (None, None))[1]


def items(user: User, notices: list[Notification]) -> list[dict[str, Any]]:
    """The API's items of `notices`, with labels and links as `user` may see them (one
    statement for every label of the page)."""
    wanted: dict[str, set[int]] = {}
    for n in notices:
        wanted.setdefault(n.object_type, set()).add(n.object_id)
    found = labels(user, wanted) if wanted else {}
    result = []
    for n in notices:
        label = found.get((n.object_type, n.object_id), (type_name(n.object_type), None))[0]
        result.append(
            {
                "id": n.id,
                "kind": n.kind,
                "kind_label": kind_label(n.kind),
                "object": {"type": n.object_type, "id": n.object_id, "label": label},
                "project_id": n.project_id,
                "created_at": n.created_at,
                "read": n.read_at is not None,
                "url": _link(n, found),
            }
        )
    return result


def page_of_notices(user: User, args: dict[str, Any], unread: bool = False) -> dict[str, Any]:
    """One page of the user's notices, newest first: `{"items", "total", "page", "per_page"}`."""
    page = paginate(_mine(user, unread), args)
    page["items"] = items(user, page["items"])
    return page


def mark_read(user: User, notification_id: int) -> None:
    """Mark one of the user's notices read (NotFound for another user's or a missing one)."""
    notice = get_or_none(Notification, notification_id)
    if notice is None or notice.user_id != user.id:
        raise NotFound()
    if notice.read_at is None:
        notice.read_at = clock.now()
        db.session.flush()


def mark_all_read(user: User) -> None:
    """Mark every unread notice of the user read."""
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )


# --- e-mail ------------------------------------------------------------------------------------


def _absolute(path: str | None) -> str | None:
    if path is None or not has_request_context():
        return None
    return absolute(path)


def _decision_mail(settings: mail.MailSettings, notice: Notification) -> Any:
    recipient = db.session.get(User, notice.user_id)
    kind = records.find(notice.object_type)
    if recipient is None or not recipient.active or kind is None:
        return None
    # the record's name and the moment in the recipient's language and zone, not the decider's
    with force_locale(recipient.locale), reading_as(recipient):
        item = items(recipient, [notice])[0]
        record = db.session.get(kind.model, notice.object_id)
        outcome = OUTCOMES.get((notice.kind, str(getattr(record, "status", ""))))
        subject = _("Tracker: %(what)s", what=kind_label(notice.kind))
        hello = _("Hello %(name)s,", name=mail.one_line(recipient.name))
        about = mail.one_line(item["object"]["label"])
        said = str(outcome) if outcome is not None else kind_label(notice.kind)
        link = _absolute(item["url"])
        # when it was decided, in the recipient's zone and language (never the server's UTC)
        when = _("Decided: %(when)s", when=letter_when(notice.created_at, user=recipient))
        closing = _("Open Tracker to read the decision and any note.")
    text = f"{hello}\n\n{said}\n{about}\n{when}\n\n{link or ''}\n\n{closing}\n"
    html = f"<p>{escape(hello)}</p><p>{escape(said)}<br>{escape(about)}<br>{escape(when)}</p>"
    if link:
        html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
    html += f"<p>{escape(closing)}</p>"
    return mail.build_message(settings, recipient.email, subject, text, html)


def prepare_mail(session: Session) -> None:
    """Before a commit: write the e-mail of each decision notice created in the transaction
    (sent once it commits; nothing when no mail server is set up)."""
    session.flush()
    created = [n for n in created_in(session) if n.kind in MAILED]
    if not created:
        return
    settings = mail.current_settings()
    if settings is None:
        return
    for notice in created:
        msg = _decision_mail(settings, notice)
        if msg is not None:
            mail.send_after_commit(msg)


mail.BEFORE_SEND.append(prepare_mail)
