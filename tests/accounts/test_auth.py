"""Login, throttling, forced password change, session revocation and safe redirects."""

import pytest
from sqlalchemy import select

from survey_app.accounts.models import User
from survey_app.core.scope import Role
from tests.factories import make_unit, make_user
from tests.fixtures.app import csrf_token


@pytest.fixture
def school(db):
    from survey_app.accounts.kinds import OrgKind

    province = make_unit(OrgKind.PROVINCIAL_OFFICE)
    unit = make_unit(OrgKind.BASIC_SCHOOL, province, "โรงเรียนทดสอบ")
    make_user(unit, Role.RESPONDENT, "school")
    db.session.commit()
    return unit


def test_login_shows_thai_home_and_logout_ends_it(client, auth, school):
    response = auth.login("school")
    assert response.status_code == 302
    home = client.get("/")
    assert "โรงเรียนทดสอบ" in home.get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302  # back to login


def test_wrong_password_and_unknown_user_get_the_same_message(client, auth, school):
    wrong = auth.login("school", "wrong-password-1").get_data(as_text=True)
    unknown = auth.login("nobody", "wrong-password-1").get_data(as_text=True)
    message = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
    assert message in wrong and message in unknown
    assert 'value="school"' in wrong  # what the user typed stays


def test_first_login_forces_password_change(client, auth, db):
    from survey_app.accounts.kinds import OrgKind

    unit = make_unit(OrgKind.PROVINCIAL_OFFICE)
    make_user(unit, Role.RESPONDENT, "fresh", must_change=True)
    db.session.commit()
    auth.login("fresh")
    assert client.get("/").headers["Location"].endswith("/password")
    token = csrf_token(client, "/password")
    weak = client.post(
        "/password",
        data={"current_password": "Secret-pass-123", "new_password": "short", "confirm": "short", "csrf_token": token},
    )
    assert "อย่างน้อย 10 ตัวอักษร" in weak.get_data(as_text=True)
    ok = client.post(
        "/password",
        data={
            "current_password": "Secret-pass-123",
            "new_password": "Phetchabun-2563x",
            "confirm": "Phetchabun-2563x",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    assert db.session.scalar(select(User).where(User.username == "fresh")).must_change_password is False


def test_logout_revokes_the_old_cookie(app, client, auth, school):
    auth.login("school")
    stolen = client.get_cookie("survey_session").value
    auth.logout()
    replay = app.test_client()
    replay.set_cookie("survey_session", stolen)
    assert replay.get("/").status_code == 302


def test_session_cookie_is_rotated_at_login_and_hardened(client, auth, school):
    client.get("/login")
    before = client.get_cookie("survey_session")
    response = auth.login("school")
    after = client.get_cookie("survey_session")
    assert before is None or before.value != after.value
    header = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_session_cookie_is_not_signed_again_for_a_page_view_and_ends_after_12_hours(client, auth, school, monkeypatch):
    """The cookie is re-signed only when the session changes, so its 12 hours run from the last change."""
    from itsdangerous.timed import TimestampSigner

    auth.login("school")
    client.get("/")  # the first page after sign-in may still settle the session
    assert "Set-Cookie" not in client.get("/").headers
    signed_at = TimestampSigner.get_timestamp(None)  # type: ignore[arg-type]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at + 11 * 3600)
    assert client.get("/").status_code == 200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at + 13 * 3600)
    assert client.get("/").status_code == 302  # back to the login page


def test_password_change_revokes_other_sessions(app, client, auth, school):
    auth.login("school")
    other = app.test_client()
    token = csrf_token(other, "/login")
    other.post("/login", data={"username": "school", "password": "Secret-pass-123", "csrf_token": token})
    assert other.get("/").status_code == 200
    token = csrf_token(client, "/password")
    client.post(
        "/password",
        data={
            "current_password": "Secret-pass-123",
            "new_password": "Another-pass-2564",
            "confirm": "Another-pass-2564",
            "csrf_token": token,
        },
    )
    assert client.get("/").status_code == 200  # the session that changed it continues
    assert other.get("/").status_code == 302  # the other one is logged out


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"])
def test_login_never_redirects_off_site(client, school, target):
    token = csrf_token(client, "/login")
    response = client.post(
        f"/login?next={target}", data={"username": "school", "password": "Secret-pass-123", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused(client, school):
    response = client.post("/login", data={"username": "school", "password": "Secret-pass-123"})
    assert response.status_code == 400


def test_security_headers(client, db):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_english_switch(client, db):
    client.get("/lang/en?next=/login")
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)
