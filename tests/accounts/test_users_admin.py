"""People run from the browser: the users page is scoped, roles are never raised above the admin's own, a
deactivated user is signed out everywhere at once, contacts are set by the admin, the user and the import
file, and the bulk hand-out workbook can be downloaded once, by its maker, within the hour."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import User, UserSession
from survey_app.accounts.passwords import verify_password
from survey_app.core.audit import AuditEvent
from survey_app.core.scope import Role
from survey_app.extensions import db
from tests.factories import PASSWORD, make_unit, make_user, province_with_users
from tests.fixtures.app import csrf_token
from tests.security.world import client_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(app, db):  # type: ignore[no-untyped-def]
    """The small province with its users, plus an admin who acts for agency X only (a province admin
    account placed at the agency: `accounts create-admin --unit X --role province_admin`)."""
    units = province_with_users()
    units["admin_x"] = make_user(units["x"], Role.PROVINCE_ADMIN, "admin_x")
    db.session.commit()
    return units


def _post(client, path: str, data: dict | None = None, page: str = "/"):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})})


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_an_agency_admin_sees_and_touches_only_its_own_subtree(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "admin_x")
    html = client.get("/users/").get_data(as_text=True)
    for name in ("school_a", "school_b", "cert_x"):
        assert f"<code>{name}</code>" in html
    for name in ("school_c", "cert_y", "sysadmin"):
        assert f"<code>{name}</code>" not in html
    other = world["school_c"].id
    assert client.get(f"/users/{other}").status_code == 404
    assert _post(client, f"/users/{other}/deactivate").status_code == 404
    assert _post(client, f"/users/{other}", {"display_name": "x", "role": "respondent"}).status_code == 404
    assert db.session.get(User, other).is_enabled is True
    created = _post(client, "/users/new", {"unit_code": "C0000001", "username": "intruder", "role": "respondent"})
    assert created.status_code == 422
    assert "ไม่พบหน่วยงานรหัสนี้ในขอบเขตของคุณ" in created.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "intruder")) is None


def test_the_province_sees_everyone_and_search_filters(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    html = client.get("/users/").get_data(as_text=True)
    assert "พบ 8 คน" in html  # 7 personas + admin_x
    found = client.get("/users/?q=โรงเรียนซี").get_data(as_text=True)
    assert "<code>school_c</code>" in found and "<code>school_a</code>" not in found
    certs = client.get("/users/?role=certifier").get_data(as_text=True)
    assert "พบ 2 คน" in certs


@pytest.mark.parametrize("persona", ["school_a", "cert_x"])
def test_respondents_and_certifiers_have_no_users_page(app, world, persona):  # type: ignore[no-untyped-def]
    client = client_for(app, persona)
    assert client.get("/users/").status_code == 403
    assert client.get(f"/users/{world['school_a'].id}").status_code == 403


def test_a_role_above_the_admins_own_is_refused(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    school_a = world["school_a"].id
    raised = _post(client, f"/users/{school_a}", {"display_name": "A", "role": "system_admin"})
    assert raised.status_code == 422
    assert db.session.get(User, school_a).role == Role.RESPONDENT
    new = _post(client, "/users/new", {"unit_code": "A0000001", "username": "boss", "role": "system_admin"})
    assert new.status_code == 422
    assert db.session.scalar(select(User).where(User.username == "boss")) is None
    # a system admin's account is not the province admin's to change or switch off
    sysadmin = world["sysadmin"].id
    assert _post(client, f"/users/{sysadmin}", {"display_name": "x", "role": "system_admin"}).status_code == 403
    assert _post(client, f"/users/{sysadmin}/deactivate").status_code == 403
    assert db.session.get(User, sysadmin).is_enabled is True
    assert _events("user.role") == []


def test_a_role_change_within_the_admins_own_is_audited(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    school_a = world["school_a"].id
    response = _post(client, f"/users/{school_a}", {"display_name": "ครูเอ", "role": "certifier"})
    assert response.status_code == 302
    user = db.session.get(User, school_a)
    assert (user.role, user.display_name) == (Role.CERTIFIER, "ครูเอ")
    [event] = _events("user.role")
    assert (event.from_state, event.to_state, event.actor_id) == ("respondent", "certifier", world["province"].id)


def test_deactivation_ends_every_session_at_once(app, world):  # type: ignore[no-untyped-def]
    school = client_for(app, "school_a")
    assert school.get("/").status_code == 200
    admin = client_for(app, "province")
    school_a = world["school_a"].id
    assert _post(admin, f"/users/{school_a}/deactivate").status_code == 302
    assert "/login" in school.get("/").headers["Location"]
    live = select(UserSession).where(UserSession.user_id == school_a, UserSession.revoked_at.is_(None))
    assert db.session.scalars(live).all() == []
    again = app.test_client()
    refused = again.post(
        "/login", data={"username": "school_a", "password": PASSWORD, "csrf_token": csrf_token(again, "/login")}
    )
    assert refused.status_code == 422
    [event] = _events("user.deactivate")
    assert (event.object_id, event.actor_id) == (school_a, world["province"].id)
    assert _post(admin, f"/users/{school_a}/reactivate").status_code == 302
    assert client_for(app, "school_a").get("/").status_code == 200
    assert len(_events("user.reactivate")) == 1
    assert _post(admin, f"/users/{world['province'].id}/deactivate").status_code == 403  # not oneself


def test_a_second_user_for_a_unit_gets_a_one_time_password(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "admin_x")
    data = {"unit_code": "A0000001", "username": "head_a", "role": "certifier", "display_name": "ผอ.โรงเรียนเอ",
            "email": "head@a.example.go.th", "phone": "056-123456"}  # fmt: skip
    response = _post(client, "/users/new", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "head_a"))
    assert (user.org_unit_id, user.role, user.email, user.phone) == (
        world["a"].id, Role.CERTIFIER, "head@a.example.go.th", "056-123456")  # fmt: skip
    assert user.must_change_password is True
    password = html.split('data-testid="new-password">')[1].split("<")[0]
    assert verify_password(user.password_hash, password)
    [event] = [e for e in _events("user.create") if e.object_id == user.id]
    assert event.actor_id == world["admin_x"].id
    again = _post(client, "/users/new", {**data, "email": "not-an-email"})
    assert again.status_code == 422
    text = again.get_data(as_text=True)
    assert "มีผู้ใช้ชื่อนี้แล้ว" in text or "อีเมลไม่ถูกต้อง" in text
    assert 'value="not-an-email"' in text


def test_the_user_edits_their_own_profile(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "school_a")
    page = client.get("/profile")
    assert "ข้อมูลของฉัน" in page.get_data(as_text=True)
    bad = _post(client, "/profile", {"display_name": "ครูเอ", "email": "a@b", "phone": "12ab"}, "/profile")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "อีเมลไม่ถูกต้อง" in text and "เบอร์โทรศัพท์ไม่ถูกต้อง" in text and 'value="a@b"' in text
    assert db.session.get(User, world["school_a"].id).email is None
    good = _post(client, "/profile", {"display_name": "ครูเอ", "email": "kru.a@school.ac.th", "phone": "081-234-5678"},
                 "/profile")  # fmt: skip
    assert good.status_code == 302
    me = db.session.get(User, world["school_a"].id)
    assert (me.display_name, me.email, me.phone) == ("ครูเอ", "kru.a@school.ac.th", "081-234-5678")
    [event] = _events("user.contact")
    assert event.actor_id == me.id and event.details == {"fields": ["display_name", "email", "phone"]}


def test_the_import_file_sets_email_and_phone_and_creates_users(app, world, runner, tmp_path):  # type: ignore[no-untyped-def]
    good = tmp_path / "users.csv"
    good.write_text(
        "username,unit_code,role,email,phone\n"
        "school_a,,,a@school.ac.th,056-111111\n"
        "clerk_b,B0000001,respondent,b@school.ac.th,\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("username,email\nschool_b,b@\n", encoding="utf-8")
    refused = runner.invoke(args=["accounts", "import", str(bad), "--out", str(tmp_path / "out")])
    assert refused.exit_code != 0 and "แถว 2" in refused.output
    assert db.session.get(User, world["school_b"].id).email is None
    result = runner.invoke(args=["accounts", "import", str(good), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    school_a = db.session.get(User, world["school_a"].id)
    assert (school_a.email, school_a.phone) == ("a@school.ac.th", "056-111111")
    clerk = db.session.scalar(select(User).where(User.username == "clerk_b"))
    assert (clerk.org_unit_id, clerk.role, clerk.email, clerk.phone) == (
        world["b"].id,
        Role.RESPONDENT,
        "b@school.ac.th",
        None,
    )
    [sheet] = list((tmp_path / "out").glob("accounts-*.xlsx"))
    rows = [r for r in load_workbook(sheet).active.iter_rows(min_row=4, values_only=True) if r[4]]
    assert [r[4] for r in rows] == ["clerk_b"] and verify_password(clerk.password_hash, rows[0][5])


@pytest.fixture
def handout_dir(app, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    folder = tmp_path / "handouts"
    monkeypatch.setitem(app.config, "HANDOUT_DIR", str(folder))
    return folder


def _new_schools(world) -> None:  # type: ignore[no-untyped-def]
    make_unit(OrgKind.BASIC_SCHOOL, world["x"], "โรงเรียนใหม่หนึ่ง", "N0000001")
    make_unit(OrgKind.BASIC_SCHOOL, world["y"], "โรงเรียนใหม่สอง", "N0000002")
    db.session.commit()


def _token(html: str) -> str:
    return html.split('action="/users/handouts/')[1].split('"')[0]


def test_bulk_accounts_hand_out_once_then_gone(app, world, handout_dir):  # type: ignore[no-untyped-def]
    _new_schools(world)
    admin = client_for(app, "admin_x")
    page = admin.get("/users/batch").get_data(as_text=True)
    assert "ดาวน์โหลดได้ครั้งเดียว" in page and "ครบ 1 ชั่วโมง" in page
    made = _post(admin, "/users/batch", {"kind": "basic_school"}, "/users/batch")
    assert made.status_code == 200
    # only X's new school: Y's is outside admin_x's scope
    assert [u.username for u in db.session.scalars(select(User).where(User.username.like("n000%")))] == ["n0000001"]
    [batch] = _events("accounts.batch")
    assert batch.details == {"created": 1, "kind": "basic_school"}
    token = _token(made.get_data(as_text=True))
    [kept] = list(handout_dir.iterdir())
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    assert _post(client_for(app, "province"), f"/users/handouts/{token}").status_code == 404  # not its maker
    got = _post(admin, f"/users/handouts/{token}")
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    rows = [r for r in load_workbook(io.BytesIO(got.data)).active.iter_rows(min_row=4, values_only=True) if r[4]]
    assert [r[4] for r in rows] == ["n0000001"]
    stored = db.session.scalar(select(User.password_hash).where(User.username == "n0000001"))
    assert verify_password(stored, rows[0][5])
    assert list(handout_dir.iterdir()) == []
    assert _post(admin, f"/users/handouts/{token}").status_code == 404


def test_an_unfetched_hand_out_expires_after_an_hour(app, world, handout_dir):  # type: ignore[no-untyped-def]
    _new_schools(world)
    admin = client_for(app, "province")
    token = _token(_post(admin, "/users/batch", {"kind": "basic_school"}, "/users/batch").get_data(as_text=True))
    [kept] = list(handout_dir.iterdir())
    hour_ago = time.time() - 3601
    os.utime(kept, (hour_ago, hour_ago))
    assert _post(admin, f"/users/handouts/{token}").status_code == 404
    assert list(handout_dir.iterdir()) == []
    assert sorted(db.session.scalars(select(User.username).where(User.username.like("n000%")))) == [
        "n0000001",
        "n0000002",
    ]


def test_the_migration_leaves_no_model_change_behind(tmp_path):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
        "SECRET_KEY": "x",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SURVEY_TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "survey_app", "db"]
    for command in ("upgrade", "check"):
        done = subprocess.run([*flask, command], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
