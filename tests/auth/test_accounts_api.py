"""The account endpoints of the API: users, zones, organisations."""

import pytest
import sqlalchemy as sa

from tests.support import csrf_token, statements
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.db import db

GOOD_PASSWORD = "a long enough passphrase"


@pytest.fixture
def admin_api(make_user, api_as):
    return api_as(make_user("admin"))


def test_create_and_read_user(admin_api, make_org):
    company = make_org("company")
    response = admin_api.post(
        "/api/v1/users",
        json={
            "email": "Lee@Company.test",
            "name": "Lee",
            "role": "company",
            "password": GOOD_PASSWORD,
            "organization_id": company.id,
            "locale": "en",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["email"] == "lee@company.test"
    assert "password" not in body and "password_hash" not in body
    again = admin_api.get(f"/api/v1/users/{body['id']}").get_json()
    assert again == body
    listed = admin_api.get("/api/v1/users?role=company").get_json()
    assert listed["total"] >= 1 and listed["page"] == 1 and listed["per_page"] == 50
    assert all("password" not in u for u in listed["items"])
    # the audit event does not carry the password
    events = (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "user.created"))
        .scalars()
        .all()
    )
    assert events and all(GOOD_PASSWORD not in str(e.detail) for e in events)


def test_email_is_unique_case_insensitively(admin_api):
    body = {"email": "dup@example.test", "name": "A", "role": "auditor", "password": GOOD_PASSWORD}
    assert admin_api.post("/api/v1/users", json=body).status_code == 201
    again = admin_api.post("/api/v1/users", json=body | {"email": "DUP@example.TEST"})
    assert again.status_code == 422
    assert "email" in again.get_json()["errors"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"role": "superuser"}, "role"),
        ({"role": "company"}, "organization_id"),
        ({"role": "operator"}, "zone_id"),
        ({"password": "short"}, "password"),
        ({"password": "password1234"}, "password"),  # common
        ({"email": "not-an-email"}, "email"),
        ({"locale": "fr"}, "locale"),
    ],
)
def test_user_validation(admin_api, changes, field):
    before = db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()
    body = {
        "email": "new@example.test",
        "name": "New",
        "role": "auditor",
        "password": GOOD_PASSWORD,
    } | changes
    response = admin_api.post("/api/v1/users", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one() == before


def test_company_user_needs_a_company_not_a_partner(admin_api, make_org):
    partner = make_org("partner")
    response = admin_api.post(
        "/api/v1/users",
        json={
            "email": "p@example.test",
            "name": "P",
            "role": "company",
            "password": GOOD_PASSWORD,
            "organization_id": partner.id,
        },
    )
    assert response.status_code == 422
    assert "organization_id" in response.get_json()["errors"]


def test_operator_with_zone(admin_api, make_zone):
    zone = make_zone()
    response = admin_api.post(
        "/api/v1/users",
        json={
            "email": "op@example.test",
            "name": "Op",
            "role": "operator",
            "password": GOOD_PASSWORD,
            "zone_id": zone.id,
        },
    )
    assert response.status_code == 201
    assert response.get_json()["zone_id"] == zone.id


def test_password_length_up_to_at_least_128(admin_api):
    response = admin_api.post(
        "/api/v1/users",
        json={"email": "long@example.test", "name": "L", "role": "auditor", "password": "x1" * 64},
    )
    assert response.status_code == 201


def test_patch_user(admin_api, make_user):
    user = make_user("lawyer")
    response = admin_api.patch(f"/api/v1/users/{user.id}", json={"name": "Renamed", "locale": "ko"})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Renamed"
    bad = admin_api.patch(f"/api/v1/users/{user.id}", json={"role": "company"})
    assert bad.status_code == 422
    assert admin_api.patch("/api/v1/users/999999", json={"name": "x"}).status_code == 404


def test_zones(admin_api, make_user, api_as):
    response = admin_api.post(
        "/api/v1/zones",
        json={"code": "JN-X", "name_en": "Jeonnam", "name_ko": "전남", "industry": "DC"},
    )
    assert response.status_code == 201
    assert response.get_json()["name_ko"] == "전남"
    duplicate = admin_api.post(
        "/api/v1/zones", json={"code": "JN-X", "name_en": "Again", "name_ko": "다시"}
    )
    assert duplicate.status_code == 422
    for role in ("lawyer", "company", "operator", "auditor"):
        listed = api_as(make_user(role)).get("/api/v1/zones")
        assert listed.status_code == 200
        assert "JN-X" in [z["code"] for z in listed.get_json()["items"]]


def test_organizations(admin_api, make_user, api_as):
    ok = admin_api.post(
        "/api/v1/organizations",
        json={"name": "Fraunhofer ISIT", "kind": "partner", "country": "de"},
    )
    assert ok.status_code == 201 and ok.get_json()["country"] == "DE"
    for country in ("XX", "ZZ", "EU", "Germany", ""):
        bad = admin_api.post(
            "/api/v1/organizations", json={"name": "Bad", "kind": "partner", "country": country}
        )
        assert bad.status_code == 422, country
        assert "country" in bad.get_json()["errors"]
    bad_kind = admin_api.post(
        "/api/v1/organizations", json={"name": "Bad", "kind": "government", "country": "KR"}
    )
    assert bad_kind.status_code == 422
    listed = api_as(make_user("company")).get("/api/v1/organizations?kind=partner&country=DE")
    assert listed.status_code == 200
    assert [o["name"] for o in listed.get_json()["items"]] == ["Fraunhofer ISIT"]


def test_pagination_bounds(admin_api):
    assert admin_api.get("/api/v1/zones?per_page=200").status_code == 200
    assert admin_api.get("/api/v1/zones?per_page=201").status_code == 422
    assert admin_api.get("/api/v1/zones?page=0").status_code == 422
    assert admin_api.get("/api/v1/zones?page=abc").status_code == 422


def test_pagination_pages(admin_api, make_zone):
    for _ in range(5):
        make_zone()
    first = admin_api.get("/api/v1/zones?per_page=2&page=1").get_json()
    second = admin_api.get("/api/v1/zones?per_page=2&page=2").get_json()
    assert first["total"] == second["total"] >= 5
    assert len(first["items"]) == 2
    assert not {z["id"] for z in first["items"]} & {z["id"] for z in second["items"]}


def test_me_for_every_role(make_user, api_as):
    for role in ("admin", "lawyer", "company", "operator", "auditor"):
        user = make_user(role)
        body = api_as(user).get("/api/v1/me").get_json()
        assert body["role"] == role and body["id"] == user.id


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_admin_pages_refused(make_user, browser_as, role):
    client = browser_as(make_user(role))
    for path in ("/admin/users", "/admin/zones", "/admin/organizations"):
        assert client.get(path).status_code == 403


def test_auditor_views_admin_pages_but_cannot_write(make_user, browser_as):

    client = browser_as(make_user("auditor"))
    assert client.get("/admin/users").status_code == 200
    token = csrf_token(client, "/admin/zones")
    response = client.post(
        "/admin/zones", data={"csrf_token": token, "code": "AUD", "name_en": "x", "name_ko": "x"}
    )
    assert response.status_code == 403


def test_lists_run_a_fixed_number_of_statements(make_user, make_org, api_as, browser_as):

    admin = make_user("admin")
    api, browser = api_as(admin), browser_as(admin)

    def counts():
        with statements() as api_seen:
            assert api.get("/api/v1/users?per_page=200").status_code == 200
        with statements() as page_seen:
            assert browser.get("/admin/users").status_code == 200
        return len(api_seen), len(page_seen)

    few = counts()
    for _ in range(15):
        make_user("company")  # each with its own organisation
    assert counts() == few


def test_admin_adds_organisations_in_html(make_user, browser_as):
    from tracker.auth.models import Organization

    client = browser_as(make_user("admin"))
    token = csrf_token(client, "/admin/organizations")
    ok = client.post(
        "/admin/organizations",
        data={
            "csrf_token": token,
            "name": "University of Tartu",
            "kind": "partner",
            "country": "ee",
        },
    )
    assert ok.status_code == 302
    bad = client.post(
        "/admin/organizations",
        data={"csrf_token": token, "name": "Nowhere", "kind": "partner", "country": "XX"},
    )
    assert bad.status_code == 422
    names = db.session.execute(sa.select(Organization.name)).scalars().all()
    assert "University of Tartu" in names and "Nowhere" not in names
    assert "University of Tartu" in client.get("/admin/organizations").get_data(as_text=True)


def test_user_update_is_audited_with_field_names_only(admin_api, make_user):
    from tracker.audit.models import AuditEvent

    user = make_user("lawyer")
    response = admin_api.patch(
        f"/api/v1/users/{user.id}", json={"password": "another long passphrase", "active": False}
    )
    assert response.status_code == 200
    event = (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "user.updated"))
        .scalars()
        .all()[-1]
    )
    assert event.detail == {"fields": ["active", "password"]}
