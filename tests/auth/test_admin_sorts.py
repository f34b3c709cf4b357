"""Sortable columns on the admin's lists (issue 19): accounts, organisations and zones. Each
heading sorts its column in SQL (`sort=name` ascending, `sort=-name` descending, the id breaking
ties, empty values last), an unknown sort is ignored, and the lists stay closed to the roles
without `accounts.view` whatever the sort."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import ROLES, assert_sorted_heading
from tracker.db import db


@pytest.fixture
def admin_rows(make_user: Any, make_org: Any, make_zone: Any) -> Any:
    """Three accounts, three organisations and three zones, in a different order for each
    column (the other rows of the database are left out of the comparisons)."""

    class Rows:
        pass

    r = Rows()
    # zones: codes B C A; Korean names 나 가 다; English names C A B; industries Bio, Auto, none
    r.zones = [
        make_zone(code=code, name_ko=f"정렬 {ko}", name_en=f"Sortzone {en}", industry=industry)
        for code, ko, en, industry in (
            ("SZ-B", "나", "C", "Bio"),
            ("SZ-C", "가", "A", "Auto"),
            ("SZ-A", "다", "B", None),
        )
    ]
    # organisations: names B C A; kinds partner, law firm, company; countries DE KR FR
    r.orgs = [
        make_org(kind, name=f"Sortorg {name}", country=country)
        for name, kind, country in (
            ("B", "partner", "DE"),
            ("C", "law_firm", "KR"),
            ("A", "company", "FR"),
        )
    ]
    # accounts: e-mails b c a; names C A B; roles auditor, lawyer, company; organisations
    # B A C (by name); zones C B A (by code); active, disabled, active
    org_by_name = {o.name[-1]: o for o in r.orgs}
    zone_by_code = {z.code[-1]: z for z in r.zones}
    r.users = [
        make_user(
            role,
            email=f"sort-{mail}@example.test",
            name=f"Sortname {name}",
            organization=org_by_name[org],
            zone=zone_by_code[zone],
            active=active,
        )
        for mail, name, role, org, zone, active in (
            ("b", "C", "auditor", "B", "C", True),
            ("c", "A", "lawyer", "A", "B", False),
            ("a", "B", "company", "C", "A", True),
        )
    ]
    r.admin = make_user("admin")
    db.session.commit()
    return r


def _order(response: Any, markers: list[str]) -> list[int]:
    """The indexes of `markers` in the order the page's table shows them."""
    assert response.status_code == 200
    html: str = response.get_data(as_text=True)
    table = html[html.index("<tbody") : html.index("</tbody>")]
    return sorted(range(len(markers)), key=lambda i: table.index(markers[i]))


def _emails(rows: Any) -> list[str]:
    return [u.email for u in rows.users]


# --- accounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("email", (2, 0, 1)),
        ("-email", (1, 0, 2)),
        ("name", (1, 2, 0)),
        ("-name", (0, 2, 1)),
        # the stored role: auditor, company, lawyer (see docs/decisions.md)
        ("role", (0, 2, 1)),
        ("-role", (1, 2, 0)),
        ("organization", (1, 0, 2)),
        ("-organization", (2, 0, 1)),
        ("zone", (2, 1, 0)),
        ("-zone", (0, 1, 2)),
        # disabled first, then the active by id; the reverse the other way
        ("active", (1, 0, 2)),
        ("-active", (2, 0, 1)),
    ],
)
def test_the_accounts_page_sorts_by_its_headings(
    admin_rows: Any, browser_as: Any, sort: str, order: tuple[int, ...]
) -> None:
    client = browser_as(admin_rows.admin)
    response = client.get(f"/admin/users?sort={sort}")
    assert _order(response, _emails(admin_rows)) == list(order)
    assert_sorted_heading(response.get_data(as_text=True), "/admin/users", sort)


@pytest.mark.parametrize("sort", ["", "password_hash", "-locale", "email;drop", "--email"])
def test_an_unknown_sort_of_the_accounts_is_ignored(
    admin_rows: Any, browser_as: Any, sort: str
) -> None:
    """The page keeps its own order (by e-mail, that heading marked)."""
    response = browser_as(admin_rows.admin).get(f"/admin/users?sort={sort}")
    assert _order(response, _emails(admin_rows)) == [2, 0, 1]
    assert 'aria-sort="ascending"' in response.get_data(as_text=True)


# --- organisations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", (2, 0, 1)),
        ("-name", (1, 0, 2)),
        # the stored kind: company, law_firm, partner (see docs/decisions.md)
        ("kind", (2, 1, 0)),
        ("-kind", (0, 1, 2)),
        # the stored country code: DE, FR, KR
        ("country", (0, 2, 1)),
        ("-country", (1, 2, 0)),
    ],
)
def test_the_organisations_page_sorts_by_its_headings(
    admin_rows: Any, browser_as: Any, sort: str, order: tuple[int, ...]
) -> None:
    response = browser_as(admin_rows.admin).get(f"/admin/organizations?sort={sort}")
    assert _order(response, [o.name for o in admin_rows.orgs]) == list(order)
    state = "descending" if sort.startswith("-") else "ascending"
    assert f'aria-sort="{state}"' in response.get_data(as_text=True)


def test_organisations_of_one_kind_are_by_name(
    admin_rows: Any, make_org: Any, browser_as: Any
) -> None:
    """The page's own order (by kind) and either way of the kind heading: by name within a
    kind (the name the other way round when the kind is)."""
    names = ["Sortpeer Y", "Sortpeer X", "Sortpeer Z"]
    for name in names:
        make_org("partner", name=name)
    db.session.commit()
    client = browser_as(admin_rows.admin)
    for path, order in (
        ("/admin/organizations", [1, 0, 2]),
        ("/admin/organizations?sort=kind", [1, 0, 2]),
        ("/admin/organizations?sort=-kind", [2, 0, 1]),
        ("/admin/organizations?sort=nonsense", [1, 0, 2]),
    ):
        assert _order(client.get(path), names) == order, path


# --- zones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("code", (2, 0, 1)),
        ("-code", (1, 0, 2)),
        ("name_ko", (1, 0, 2)),
        ("-name_ko", (2, 0, 1)),
        ("name_en", (1, 2, 0)),
        ("-name_en", (0, 2, 1)),
        # a zone without an industry comes last either way
        ("industry", (1, 0, 2)),
        ("-industry", (0, 1, 2)),
    ],
)
def test_the_zones_page_sorts_by_its_headings(
    admin_rows: Any, browser_as: Any, sort: str, order: tuple[int, ...]
) -> None:
    response = browser_as(admin_rows.admin).get(f"/admin/zones?sort={sort}")
    assert _order(response, [z.name_en for z in admin_rows.zones]) == list(order)
    state = "descending" if sort.startswith("-") else "ascending"
    assert f'aria-sort="{state}"' in response.get_data(as_text=True)


def test_an_unknown_sort_of_the_zones_is_ignored(admin_rows: Any, browser_as: Any) -> None:
    response = browser_as(admin_rows.admin).get("/admin/zones?sort=created_at")
    assert _order(response, [z.name_en for z in admin_rows.zones]) == [2, 0, 1]  # by code


# --- who may look -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_sort_opens_the_admin_lists_to_no_other_role(
    admin_rows: Any, make_user: Any, browser_as: Any, role: str
) -> None:
    """Admins and auditors read the sorted lists; the other roles are refused whatever the
    sort; only admins see the edit links."""
    client = browser_as(make_user(role))
    for path in (
        "/admin/users?sort=-role",
        "/admin/organizations?sort=country",
        "/admin/zones?sort=-industry",
    ):
        response = client.get(path)
        assert response.status_code == (200 if role in ("admin", "auditor") else 403), path
    if role == "auditor":
        html = client.get("/admin/users?sort=name").get_data(as_text=True)
        assert "/admin/users/" not in html and "sort-a@example.test" in html


@pytest.mark.parametrize("sort", ["organization", "-organization", "zone", "-zone"])
def test_an_account_without_an_organisation_or_zone_comes_last_either_way(
    admin_rows: Any, make_user: Any, browser_as: Any, sort: str
) -> None:
    """The organisation and the zone are reached through an outer join: an account without
    one (an admin, an auditor) has no value there, and sorts after the others both ways,
    though the joined column itself is NOT NULL."""
    loose = make_user("auditor", email="sort-none@example.test", organization=None, zone=None)
    db.session.commit()
    assert loose.organization_id is None and loose.zone_id is None
    client = browser_as(admin_rows.admin)
    response = client.get(f"/admin/users?sort={sort}&per_page=200")
    markers = [*_emails(admin_rows), loose.email]
    assert _order(response, markers)[-1] == 3
