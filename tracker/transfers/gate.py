"""The six checks a request must pass before technology leaves the country (docs/product.md).

The rules are plain functions of the facts `tracker.transfers.facts` loads, for one request
(`evaluate_gate`) or many at once (`evaluate_many`, the zone page): one set of rules, one
loader. They return codes and parameters only; `check_detail` turns one into a sentence in
the reader's language, so a stored result reads right for a Korean and an English reader alike.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.auth.models import Organization
from tracker.cases.assets.models import IpAsset
from tracker.cases.labels import label
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.cases.reviews.models import RiskReview
from tracker.i18n import format_day
from tracker.transfers.facts import GateFacts, GateInput, load_facts

CHECK_CODES = (
    "nda_active",
    "nda_covers_assets",
    "risk_review_current",
    "core_tech_approval",
    "export_licence",
    "partner_on_project",
)
Check = dict[str, Any]


def _check(code: str, ok: bool, reason: str, **params: Any) -> Check:
    return {"code": code, "ok": ok, "params": {"reason": reason, **params}}


def _titles(assets: Sequence[IpAsset]) -> list[str]:
    return [a.title for a in assets]


def _choose_nda(
    facts: GateFacts, asset_ids: set[int], planned_on: dt.date, today: dt.date
) -> tuple[Nda | None, bool]:
    """The partner's NDA the request rests on, and whether it lasts past the planned date.

    Among NDAs in force today, prefer one that lasts and covers every asset, then one that
    lasts, then the one that expires last (so each check fails on its own facts)."""
    live = [n for n in facts.ndas if n.effective_status(today) == "active"]
    if not live:
        return None, False

    def lasts(n: Nda) -> bool:
        return n.effective_on <= planned_on < n.expires_on

    def covers(n: Nda) -> bool:
        return asset_ids <= facts.covered[n.id]

    best = max(live, key=lambda n: (lasts(n), lasts(n) and covers(n), covers(n), n.expires_on))
    return best, lasts(best)


def _nda_checks(facts: GateFacts, request: GateInput, today: dt.date) -> list[Check]:
    assets, planned_on = request.assets, request.planned_on
    nda, lasts = _choose_nda(facts, {a.id for a in assets}, planned_on, today)
    base = {"partner": request.partner.name, "planned_on": planned_on.isoformat()}
    if nda is None:
        lapsed = [n for n in facts.ndas if n.effective_status(today) in ("expired", "terminated")]
        reason = "none" if not lapsed else lapsed[-1].effective_status(today)
        first = _check("nda_active", False, reason, **base)
        second = _check("nda_covers_assets", False, "no_nda", **base)
        return [first, second]
    ref = {"nda_id": nda.id, "expires_on": nda.expires_on.isoformat(), **base}
    if lasts:
        first = _check("nda_active", True, "ok", **ref)
    elif nda.effective_on > planned_on:
        first = _check(
            "nda_active", False, "not_yet", effective_on=nda.effective_on.isoformat(), **ref
        )
    else:
        first = _check("nda_active", False, "expires", **ref)
    missing = [a for a in assets if a.id not in facts.covered[nda.id]]
    if missing:
        second = _check("nda_covers_assets", False, "missing", assets=_titles(missing), **ref)
    else:
        second = _check("nda_covers_assets", True, "ok", **ref)
    return [first, second]


def _review_check(review: RiskReview | None, planned_on: dt.date) -> Check:
    planned = {"planned_on": planned_on.isoformat()}
    if review is None or review.valid_until is None:
        return _check("risk_review_current", False, "none", **planned)
    ref = {"review_id": review.id, "level": review.level, **planned}
    ref["valid_until"] = review.valid_until.isoformat()
    if review.level == "critical":
        return _check("risk_review_current", False, "critical", **ref)
    if review.valid_until <= planned_on:
        return _check("risk_review_current", False, "expires", **ref)
    return _check("risk_review_current", True, "ok", **ref)


def _has(reference: str | None) -> bool:
    """Whether a reference (approval, report, licence) is given: blank does not count."""
    return bool(reference and reference.strip())


#: the national core technology statuses a lawyer has determined; anything else (unset,
#: "unknown") fails the check rather than passing as "not core technology"
_NCT_KNOWN = frozenset({"not_nct", "pending", "nct_funded", "nct_private"})


def _core_tech_check(assets: Sequence[IpAsset]) -> Check:
    pending = [a for a in assets if a.nct_status == "pending"]
    unapproved = [
        a for a in assets if a.nct_status in ("nct_funded", "nct_private") and not _has(a.nct_ref)
    ]
    undetermined = [a for a in assets if a.nct_status not in _NCT_KNOWN]
    if undetermined:
        return _check("core_tech_approval", False, "unknown", assets=_titles(undetermined))
    if pending:
        return _check("core_tech_approval", False, "pending", assets=_titles(pending))
    if unapproved:
        return _check("core_tech_approval", False, "no_ref", assets=_titles(unapproved))
    nct = [a for a in assets if a.nct_status in ("nct_funded", "nct_private")]
    return _check("core_tech_approval", True, "ok" if nct else "none", assets=_titles(nct))


def _licence_check(assets: Sequence[IpAsset], planned_on: dt.date) -> Check:
    # an unset or "unknown" classification counts as a strategic item (needs a licence)
    strategic = [a for a in assets if a.strategic_item != "no"]
    unlicensed = [
        a
        for a in strategic
        if not _has(a.export_licence_ref)
        or a.export_licence_until is None
        or a.export_licence_until < planned_on
    ]
    planned = {"planned_on": planned_on.isoformat()}
    unclassified = [a for a in unlicensed if a.strategic_item != "yes"]
    if unclassified:
        return _check("export_licence", False, "unknown", assets=_titles(unclassified), **planned)
    if unlicensed:
        return _check("export_licence", False, "missing", assets=_titles(unlicensed), **planned)
    return _check(
        "export_licence", True, "ok" if strategic else "none", assets=_titles(strategic), **planned
    )


def _partner_check(on_project: bool, partner: Organization) -> Check:
    reason = "ok" if on_project else "absent"
    return _check("partner_on_project", on_project, reason, partner=partner.name)


def evaluate(facts: GateFacts, request: GateInput, today: dt.date) -> list[Check]:
    """The six checks of one request on its loaded facts, in the order of CHECK_CODES; each
    is `{"code", "ok", "params"}`. Runs no SQL."""
    checks = _nda_checks(facts, request, today)
    checks.append(_review_check(facts.review, request.planned_on))
    checks.append(_core_tech_check(request.assets))
    checks.append(_licence_check(request.assets, request.planned_on))
    checks.append(_partner_check(facts.partner_on_project, request.partner))
    return checks


def evaluate_many(requests: Sequence[GateInput], today: dt.date) -> list[list[Check]]:
    """The checks of each request, in order, in a fixed number of statements (the facts of all
    of them are loaded at once; the requests' assets must be loaded already)."""
    return [
        evaluate(f, r, today) for f, r in zip(load_facts(requests, today), requests, strict=True)
    ]


def evaluate_gate(
    project: Project,
    partner: Organization,
    assets: Sequence[IpAsset],
    planned_on: dt.date,
    today: dt.date,
) -> list[Check]:
    """Run the six checks of one request, in the order of CHECK_CODES."""
    return evaluate_many([GateInput(project.id, partner, assets, planned_on)], today)[0]


def all_pass(checks: Sequence[Check]) -> bool:
    return all(c["ok"] for c in checks)


# --- the sentences -------------------------------------------------------------------------------


#: (code, reason) -> the sentence; placeholders are the check's stored parameters
_DETAILS: dict[tuple[str, str], Any] = {
    ("nda_active", "ok"): _l(
        "The NDA with %(partner)s is active and runs until %(expires_on)s, after the planned "
        "date %(planned_on)s."
    ),
    ("nda_active", "none"): _l("There is no active NDA with %(partner)s on this project."),
    ("nda_active", "expired"): _l("The NDA with %(partner)s has expired; there is no active one."),
    ("nda_active", "terminated"): _l(
        "The NDA with %(partner)s was terminated; there is no active one."
    ),
    ("nda_active", "expires"): _l(
        "The NDA with %(partner)s expires on %(expires_on)s, before the planned date "
        "%(planned_on)s."
    ),
    ("nda_active", "not_yet"): _l(
        "The NDA with %(partner)s takes effect only on %(effective_on)s, after the planned "
        "date %(planned_on)s."
    ),
    ("nda_covers_assets", "ok"): _l("The NDA with %(partner)s covers every requested asset."),
    ("nda_covers_assets", "no_nda"): _l(
        "No active NDA with %(partner)s covers the requested assets."
    ),
    ("nda_covers_assets", "missing"): _l("The NDA with %(partner)s does not cover: %(assets)s."),
    ("risk_review_current", "ok"): _l(
        "The current risk review (level %(level)s) is approved and valid until "
        "%(valid_until)s, after the planned date %(planned_on)s."
    ),
    ("risk_review_current", "none"): _l("The project has no approved risk review in force."),
    ("risk_review_current", "critical"): _l("The current risk review rates the project critical."),
    ("risk_review_current", "expires"): _l(
        "The current risk review is valid only until %(valid_until)s, before the planned "
        "date %(planned_on)s."
    ),
    ("core_tech_approval", "ok"): _l(
        "Every national core technology asset has its approval or report reference: %(assets)s."
    ),
    ("core_tech_approval", "none"): _l("No requested asset is national core technology."),
    ("core_tech_approval", "pending"): _l(
        "A national core technology determination is pending for: %(assets)s."
    ),
    ("core_tech_approval", "no_ref"): _l(
        "National core technology without the ministry's approval or export report: %(assets)s."
    ),
    ("core_tech_approval", "unknown"): _l(
        "Whether these assets are national core technology has not been determined: "
        "%(assets)s. A lawyer sets the status on the asset."
    ),
    ("export_licence", "unknown"): _l(
        "These assets are not yet classified as strategic items or not, and have no export "
        "licence valid on %(planned_on)s: %(assets)s. A lawyer sets the classification on "
        "the asset."
    ),
    ("export_licence", "ok"): _l(
        "Every strategic item has an export licence valid on %(planned_on)s: %(assets)s."
    ),
    ("export_licence", "none"): _l("No requested asset is a strategic item."),
    ("export_licence", "missing"): _l(
        "No export licence valid on %(planned_on)s for these strategic (or unclassified) "
        "items: %(assets)s."
    ),
    ("partner_on_project", "ok"): _l("%(partner)s is a partner of this project."),
    ("partner_on_project", "absent"): _l("%(partner)s is not a partner of this project."),
}

CHECK_LABELS: dict[str, Any] = {
    "nda_active": _l("Active NDA"),
    "nda_covers_assets": _l("NDA covers the assets"),
    "risk_review_current": _l("Current risk review"),
    "core_tech_approval": _l("National core technology approval"),
    "export_licence": _l("Export licence"),
    "partner_on_project": _l("Partner on the project"),
}


#: the stored parameters that are dates (ISO 8601 in the stored check)
_DATE_PARAMS = {"planned_on", "expires_on", "effective_on", "valid_until"}


def check_detail(check: Check, *, readable_dates: bool = True) -> str:
    """The check's finding as a sentence in the current locale; its dates as the reader writes
    them (`readable_dates`), else ISO 8601 (the API's sentence, unchanged)."""
    params = dict(check.get("params") or {})
    template = _DETAILS.get((check["code"], params.get("reason", "")))
    if template is None:
        return str(check["code"])
    params["assets"] = ", ".join(params.get("assets") or [])
    if "level" in params:  # stored as the code ("high"), read in the reader's language
        params["level"] = label(params["level"])
    # stored ISO; read as the reader writes dates
    for key in _DATE_PARAMS & params.keys() if readable_dates else ():
        params[key] = format_day(params[key])
    return str(template) % params


#: flask.g: the glance texts of the checks a page has shown, by the check's content
_GLANCES = "tracker_check_glances"


def check_glance(check: Check) -> tuple[str, str]:
    """(label and result, finding) of a check as a list row shows it, in the current locale:
    worded once per page for every row with the same check (a list of 50 requests shows about
    300 checks, mostly alike)."""
    key = json.dumps([check["code"], check["ok"], check.get("params")], sort_keys=True)
    seen: dict[str, tuple[str, str]] = g.setdefault(_GLANCES, {})
    if key not in seen:
        result = _("passes") if check["ok"] else _("fails")
        seen[key] = (f"{check_label(check['code'])}: {result}", check_detail(check))
    return seen[key]


def check_label(code: str) -> str:
    return str(CHECK_LABELS.get(code, code))


def rendered(checks: Sequence[Check] | None) -> list[dict[str, Any]]:
    """The checks as the API shows them: `{"code", "ok", "detail"}` in the caller's locale."""
    return [
        {"code": c["code"], "ok": c["ok"], "detail": check_detail(c, readable_dates=False)}
        for c in (checks or [])
    ]
