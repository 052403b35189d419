"""The audit trail page: Thai wording for every recorded action, scope (an agency sees its own subtree only, a
school nothing), filters, the CSV, and the settings page that never shows a secret."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from survey_app.core import audit
from survey_app.core.audit import AuditEvent
from survey_app.extensions import db
from survey_app.responses.models import TRANSITIONS
from survey_app.review.models import SET_TRANSITIONS
from tests.factories import province_with_users

SOURCE = Path(__file__).resolve().parents[2] / "survey_app"
# record("x.y", …) or audit.record(f"x.{action}", …): the first argument of every call that writes the trail
CALL = re.compile(r"\b(?:audit\.)?record\(\s*(f?)\"([^\"]+)\"", re.S)
# record(action, …) with the name in a variable: the literals assigned to that variable in the same file
NAMED = re.compile(r"\b(?:audit\.)?record\(\s*([a-z_]+)\s*,")
# prefix of an f-string action → the actions its placeholder takes
EXPANSIONS = {
    "response.": {action for _status, action in TRANSITIONS},
    "set.": {action for _status, action in SET_TRANSITIONS},
}


def recorded_actions() -> set[str]:
    """Every action name the code records, f-strings expanded through the status machines."""
    found: set[str] = {audit.REFUSED}
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for variable in set(NAMED.findall(text)):
            assigned = re.findall(rf"\b{variable}\s*=\s*([^\n]+)", text)
            assert assigned, f"{path}: record({variable}, …) — say in this test where its action names come from"
            found |= {name for line in assigned for name in re.findall(r"\"([a-z_]+\.[a-z_]+)\"", line)}
        for is_f, name in CALL.findall(text):
            if not is_f:
                found.add(name)
                continue
            prefix = name.split("{")[0]
            assert prefix in EXPANSIONS, f"{path}: add how {name!r} expands to EXPANSIONS in this test"
            found |= {prefix + action for action in EXPANSIONS[prefix]}
    return found


def test_every_recorded_action_has_thai_wording():
    actions = recorded_actions()
    assert {"response.submit", "set.certify", "user.login", "directory.import", "round.open"} <= actions
    missing = sorted(a for a in actions if a not in audit.ACTION_LABELS)
    assert missing == [], "add a Thai phrase to core/audit.py ACTION_LABELS"
    assert audit.action_label("response.submit") == "ส่งแบบสอบถาม"


def _event(action, unit, actor=None, when=(2026, 11, 20, 3, 0), **kw) -> AuditEvent:  # type: ignore[no-untyped-def]
    event = audit.record(
        action, actor_id=actor.id if actor else None, object_type=kw.pop("object_type", "user"),
        org_unit_id=unit.id if unit else None, **kw,
    )  # fmt: skip
    event.created_at = datetime(*when, tzinfo=UTC)
    return event


@pytest.fixture
def trail(db):  # type: ignore[no-untyped-def]
    """Seven events (besides the logins of users the tests make): 2 on X, 1 on school A (under X), 1 on Y,
    1 on school C (under Y), 1 on no unit, and 1 refusal on A; dates 20 Nov 2569 except where told."""
    u = province_with_users()
    db.session.query(AuditEvent).delete()  # the factories' user.create rows: start from a known trail
    _event("user.password_reset", u["x"], u["province"], comment='=HYPERLINK("http://x")')
    _event("set.certify", u["x"], u["cert_x"], object_type="agency_certification", object_id=1,
           from_state=None, to_state="certified")  # fmt: skip
    _event(
        "response.return",
        u["a"],
        u["cert_x"],
        object_type="response",
        object_id=5,
        from_state="submitted",
        to_state="returned",
        comment="แก้ข้อ 3",
        when=(2026, 11, 25, 18, 30),
    )  # 26 Nov 01:30 Bangkok
    _event("response.submit", u["y"], u["cert_y"], object_type="response", object_id=6)
    _event("user.login", u["c"], u["school_c"])
    _event("form.publish", None, u["province"], object_type="form_version", object_id=2)
    _event(audit.REFUSED, u["a"], u["school_b"], object_type="response", object_id=5,
           details={"attempts_this_minute": 1, "method": "GET", "path": "/responses/5"})  # fmt: skip
    db.session.commit()
    return u


def _login(client, name):  # type: ignore[no-untyped-def]
    """Sign in as `name` (signing out whoever was signed in on this client first)."""
    from tests.fixtures.app import csrf_token

    if client.get("/login").status_code == 302:
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    token = csrf_token(client, "/login")
    client.post("/login", data={"username": name, "password": "Secret-pass-123", "csrf_token": token})


def _actions(client, query=""):  # type: ignore[no-untyped-def]
    html = client.get(f"/admin/audit{query}").get_data(as_text=True)
    return sorted(re.findall(r'data-action="([^"]+)"', html)), html


def test_agency_sees_its_subtree_only_and_the_province_sees_all(client, trail):
    _login(client, "cert_x")
    actions, html = _actions(client, "?action=")
    # X's two, A's return and the refusal on A, and cert_x's own login (on X) just now: 5; not Y, C or no-unit
    assert actions == sorted(["user.password_reset", "set.certify", "response.return", "access.refused", "user.login"])
    assert "ถูกปฏิเสธการเข้าถึง" in html and "GET /responses/5" in html
    _login(client, "province")
    actions, _ = _actions(client)
    # all seven, the logout of cert_x (on X) and both logins since (cert_x, province)
    assert len(actions) == 7 + 3
    assert "form.publish" in actions and "response.submit" in actions


def test_a_school_gets_404_and_certifier_gets_no_settings(client, trail):
    _login(client, "school_a")
    assert client.get("/admin/audit").status_code == 404
    assert client.get("/admin/audit.csv").status_code == 404
    _login(client, "cert_x")
    assert client.get("/admin/settings").status_code == 403


def test_filters_by_action_unit_user_and_buddhist_era_dates(client, trail):
    _login(client, "province")
    assert _actions(client, "?action=response.return")[0] == ["response.return"]
    # unit by code: X's own events (2) and cert_x's... no: only events *on* X; province logs in on P
    assert _actions(client, "?unit=X0000001")[0] == sorted(["user.password_reset", "set.certify"])
    # with its subtree: X's two, A's return and the refusal on A
    assert len(_actions(client, "?unit=X0000001&subtree=y")[0]) == 4
    assert _actions(client, "?unit=โรงเรียนซี")[0] == ["user.login"]
    assert _actions(client, "?user=cert_y")[0] == ["response.submit"]
    # 26/11/2569 in Bangkok is only the return (18:30 UTC on the 25th)
    assert _actions(client, "?date_from=26/11/2569&date_to=26/11/2569")[0] == ["response.return"]
    actions, html = _actions(client, "?date_from=2026-13-40")
    assert "วันที่ไม่ถูกต้อง" in html and 'value="2026-13-40"' in html  # the message beside what was typed
    assert len(actions) == 8  # a wrong date filters nothing out: 7 + the province's login


def test_csv_has_the_filtered_rows_in_thai_and_neutralises_formulas(client, trail):
    _login(client, "cert_x")
    response = client.get("/admin/audit.csv?unit=X0000001")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["วันเวลา (พ.ศ. เวลาไทย)", "การกระทำ", "รหัสการกระทำ"]
    by_action = {row[2]: row for row in rows[1:]}
    assert set(by_action) == {"user.password_reset", "set.certify", "user.login"}  # cert_x's login is on X
    reset = by_action["user.password_reset"]
    assert reset[0] == "20/11/2569 10:00:00"  # 03:00 UTC is 10:00 in Bangkok
    assert reset[1] == "ตั้งรหัสผ่านใหม่ให้ผู้ใช้" and reset[4] == "province"
    assert reset[12] == '\'=HYPERLINK("http://x")'
    assert by_action["set.certify"][10:12] == ["", "หน่วยงานรับรองแล้ว"]  # from nothing → a set status in Thai


def test_round_filter_keeps_the_round_and_what_belongs_to_it(client, world):
    from survey_app.rounds.models import RoundUnit
    from tests.fixtures.answering import make_round

    admin = world["sysadmin"]
    first, second = make_round(world), make_round(world, "tablet_satisfaction")
    unit_of_first = db.session.query(RoundUnit).filter_by(round_id=first.id).first()
    _event("round.extend", world["a"], admin, object_type="round_unit", object_id=unit_of_first.id)
    db.session.commit()
    _login(client, "sysadmin")
    actions, _ = _actions(client, f"?round={first.id}")
    assert actions == ["round.extend", "round.open"]
    assert _actions(client, f"?round={second.id}")[0] == ["round.open"]


def test_settings_page_shows_sources_and_never_a_secret(client, trail, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "mail.example.go.th")
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "smtp-pass-zzz")
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://survey:db-pass-qqq@db:5432/s")
    monkeypatch.setenv("SMTP_HOST", "mail.example.go.th")
    _login(client, "sysadmin")
    html = client.get("/admin/settings").get_data(as_text=True)
    for secret in ("test-secret", "smtp-pass-zzz", "db-pass-qqq"):
        assert secret not in html
    assert "mail.example.go.th" in html and "ตัวแปรสภาพแวดล้อม SMTP_HOST" in html
    assert "survey:***@db:5432/s" in html and "PostgreSQL" in html
    assert "กำหนดตอนสร้างแอป (instance config)" in html  # SECRET_KEY given to create_app by the suite
    _login(client, "province")
    assert client.get("/admin/settings").status_code == 403
