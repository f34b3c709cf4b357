"""IP assets as a record kind (`tracker.records`): label, page, files, deadlines, search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.cases.assets.models import AssetDeadline, DerivedDeadline, IpAsset
from tracker.cases.projects.models import Project
from tracker.records import DeadlineSource, Files, Label, Page, RecordKind, SearchText
from tracker.records.deadlines import due_by, plus_days, row, text

#: the ministry decides on a national-core-technology export approval or report in 45 days
#: (Industrial Technology Protection Act, Enforcement Decree art. 18-2, 18-3)
NCT_REVIEW_DAYS = 45


def _entered(visible: sa.ColumnElement[bool], _today: dt.date, _until: Any) -> sa.Select[Any]:
    """The deadlines entered by hand on an asset."""
    kind = sa.literal_column("'ip_'", sa.String) + AssetDeadline.kind
    key = sa.literal_column("'entered:'", sa.String) + sa.cast(AssetDeadline.id, sa.String)
    return (
        sa.select(
            *row(
                kind,
                AssetDeadline.due_on,
                IpAsset.title,
                IpAsset.project_id,
                "asset",
                IpAsset.id,
                AssetDeadline.done,
                key=key,
            )
        )
        .join(IpAsset, IpAsset.id == AssetDeadline.asset_id)
        .join(Project, Project.id == IpAsset.project_id)
        .where(visible)
    )


def _derived(visible: sa.ColumnElement[bool], _today: dt.date, _until: Any) -> sa.Select[Any]:
    """The docketing rules' deadlines."""
    d = DerivedDeadline
    return (
        sa.select(
            *row(
                d.kind,
                d.due_on,
                IpAsset.title,
                IpAsset.project_id,
                "asset",
                IpAsset.id,
                d.done,
                derived=True,
                rule=d.rule,
                key=d.key,
            )
        )
        .join(IpAsset, IpAsset.id == d.asset_id)
        .join(Project, Project.id == IpAsset.project_id)
        .where(visible)
    )


def _nct_review(
    visible: sa.ColumnElement[bool], _today: dt.date, until: dt.date | None
) -> sa.Select[Any]:
    """The ministry's answer on a filed NCT approval or report; done once it is recorded."""
    recorded = sa.and_(IpAsset.nct_ref.is_not(None), IpAsset.nct_ref != "")
    return (
        sa.select(
            *row(
                "nct_review",
                plus_days(IpAsset.nct_filed_on, NCT_REVIEW_DAYS),
                IpAsset.title,
                IpAsset.project_id,
                "asset",
                IpAsset.id,
                sa.case((recorded, sa.true()), else_=sa.false()),
                key=text("nct_review"),
            )
        )
        .join(Project, Project.id == IpAsset.project_id)
        .where(visible, due_by(IpAsset.nct_filed_on, until, days=NCT_REVIEW_DAYS))
    )


def _licence(
    visible: sa.ColumnElement[bool], _today: dt.date, until: dt.date | None
) -> sa.Select[Any]:
    """The end of the asset's export licence."""
    return (
        sa.select(
            *row(
                "licence_expiry",
                IpAsset.export_licence_until,
                IpAsset.title,
                IpAsset.project_id,
                "asset",
                IpAsset.id,
                sa.false(),
                key=text("licence"),
            )
        )
        .join(Project, Project.id == IpAsset.project_id)
        .where(visible, due_by(IpAsset.export_licence_until, until))
    )


def _search(asset: IpAsset) -> Iterable[SearchText]:
    # the title, and the numbers for those who see the full record; never the description
    # (a trade secret's description is sealed at rest)
    numbers = (asset.application_no, asset.registration_no, asset.originality_cert_no)
    yield SearchText("asset", "asset.view", asset.title, asset.title)
    said = " ".join(n for n in numbers if n)
    # found by its numbers: they are what names this entry
    yield SearchText("asset_detail", "asset.view_full", said, asset.title, heading=said)


KIND = RecordKind(
    type="asset",
    model=IpAsset,
    name=_l("IP asset"),
    label=Label(IpAsset.title, "asset.view"),
    page=Page("assets.asset_detail", "asset_id"),
    api="api_assets.get_asset",
    view_action="asset.view",
    files=Files("asset", "asset.view"),
    deadlines=(
        DeadlineSource("asset.view_full", _entered),
        DeadlineSource("asset.view_full", _derived),
        DeadlineSource("asset.view", _nct_review),
        DeadlineSource("asset.view", _licence, zone_copy=IpAsset.zone_id),
    ),
    deadline_kinds={
        "ip_priority": _l("Priority deadline"),
        "ip_pct": _l("PCT filing"),
        "ip_national_phase": _l("National phase entry"),
        "ip_annuity": _l("Annuity"),
        "ip_other": _l("IP deadline"),
        "licence_expiry": _l("Export licence expiry"),
        "nct_review": _l("National core technology review"),
    },
    search=_search,
    references={"asset_id": "asset", "asset_ids": "assets"},
)
