def test_health(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok"}


def test_login_page_korean_by_default(client):
    r = client.get("/login")
    assert r.status_code == 200
    assert "csrf_token" in r.get_data(as_text=True)


def test_sign_in_and_me(make_user, browser_as, api_as):
    user = make_user("admin")
    c = browser_as(user)
    assert c.get("/api/v1/me").get_json()["email"] == user.email
    api = api_as(user)
    assert api.get("/api/v1/me").status_code == 200


def test_korean_then_english(client):
    assert "로그인" in client.get("/login").get_data(as_text=True)
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sign in" in page
