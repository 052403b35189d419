"""CSRF on every state change, no GET that writes, security headers, no inline script."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy import text

from survey_app.extensions import db
from tests.security.test_access_matrix import RULES
from tests.security.world import PERSONAS, build, client_for, restore_passwords

TEMPLATES = Path(__file__).resolve().parents[2] / "survey_app"


def _world(app, db):  # type: ignore[no-untyped-def]
    from tests.security.test_access_matrix import _world as world

    return world(app, db)


# The one write a GET may make: a refused GET is recorded (tests/security/test_refused_access.py).
REFUSAL_RECORDS = {
    "audit_event": "WHERE action <> 'access.refused'",
    "rate_limit_hit": "WHERE key NOT LIKE 'refused:%'",
}


def snapshot() -> dict[str, str]:
    """Every table's rows, hashed: any write anywhere changes it (records of refused access aside)."""
    result = {}
    for table in db.metadata.sorted_tables:
        where = REFUSAL_RECORDS.get(table.name, "")
        rows = db.session.execute(text(f'SELECT * FROM "{table.name}" {where} ORDER BY 1')).all()
        result[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    db.session.rollback()
    return result


def test_no_get_changes_the_database(app, db):
    units, o = _world(app, db)
    clients = {p: client_for(app, p) for p in PERSONAS}
    before = snapshot()
    for rule in RULES.values():
        if rule.get:
            for persona in rule.get:
                clients[persona].get(rule.path(o))
    assert snapshot() == before
    restore_passwords(units)


def test_every_post_needs_a_valid_csrf_token(app, db):
    units, o = _world(app, db)
    clients = {p: client_for(app, p) for p in ("anon", "sysadmin", "school_a")}
    before = snapshot()
    for endpoint, rule in RULES.items():
        if not rule.post:
            continue
        for persona, client in clients.items():
            for token in (None, "forged-token"):
                data = rule.data(o) | ({"csrf_token": token} if token else {})
                response = client.post(rule.path(o), data=data)
                assert response.status_code == 400, (endpoint, persona, token, response.status_code)
    assert snapshot() == before
    restore_passwords(units)


def test_security_headers_on_pages_and_no_store_on_exports(app, db):
    units, o = _world(app, db)
    client = client_for(app, "province")
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    for path in (f"/reports/exports/{o.job}/file", f"/review/rounds/{o.round_id}/chase.xlsx", f"/uploads/{o.upload_a}"):
        response = client.get(path)
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"], path
        assert "attachment" in response.headers["Content-Disposition"]
    restore_passwords(units)


def test_templates_have_no_inline_script_or_handlers():
    """CSP forbids inline script; a template that needs one would break silently in the browser."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        if (
            re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", html)  # data blocks never run
            or re.search(r"\son[a-z]+\s*=", html)
            or "javascript:" in html
        ):
            offenders.append(str(path))
    assert offenders == []


def test_cookie_flags_and_secure_when_configured(app, db):
    from survey_app.config import build_config

    units, _o = _world(app, db)
    client = app.test_client()
    response = client.get("/login")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    import os

    os.environ["SESSION_COOKIE_SECURE"] = "1"
    try:
        assert build_config(Path(app.instance_path))["SESSION_COOKIE_SECURE"] is True
    finally:
        del os.environ["SESSION_COOKIE_SECURE"]
    restore_passwords(units)


def test_world_builder_is_usable(app, db):
    units, o = _world(app, db)
    assert o.response_a and build  # the matrix and these tests share one world
    restore_passwords(units)
