"""A unit in a form: added, edited (its old names kept in its history), moved (never into its own subtree or
under a kind that may not hold it), deactivated and reactivated; every refusal beside its field with the typing
kept; scoped (404 outside, the parent must be in scope); audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import District, OrgUnit, OrgUnitChange
from survey_app.core.audit import AuditEvent
from survey_app.core.scope import Role
from survey_app.extensions import db
from tests.factories import make_unit, make_user, province_with_users
from tests.fixtures.app import csrf_token
from tests.security.world import client_for


@pytest.fixture
def world(app, db):  # type: ignore[no-untyped-def]
    """small_province with its users, a district, and a province admin who acts for agency X only."""
    units = province_with_users()
    db.session.add(District(code="1001", name_th="เมืองทดสอบ"))
    units["admin_x"] = make_user(units["x"], Role.PROVINCE_ADMIN, "admin_x")
    db.session.commit()
    return units


def _post(client, path: str, data: dict | None = None, page: str = "/"):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})})


def _unit(code: str) -> OrgUnit | None:
    db.session.expire_all()
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _error_of(html: str, field: str) -> str:
    """The message shown beside one field (empty when there is none)."""
    found = re.search(rf'<small id="{field}-error" class="field-error" role="alert">(.*?)</small>', html, re.S)
    return found.group(1) if found else ""


NEW_SCHOOL = {
    "code": "D0000001",
    "parent_code": "X0000001",
    "kind": "basic_school",
    "name_th": "โรงเรียนดี",
    "name_en": "Dee School",
    "district_code": "1001",
}


def test_a_province_admin_adds_a_unit_with_its_path_history_and_audit(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    response = _post(client, "/units/new", NEW_SCHOOL, page="/units/new")
    unit = _unit("D0000001")
    assert unit is not None
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/units/{unit.id}")
    x = world["x"]
    assert unit.path == f"/{_unit('P0000001').id}/{x.id}/{unit.id}/"
    assert (unit.kind, unit.name_th, unit.name_en, unit.district_code, unit.active) == (
        OrgKind.BASIC_SCHOOL, "โรงเรียนดี", "Dee School", "1001", True,
    )  # fmt: skip
    history = db.session.scalars(select(OrgUnitChange).where(OrgUnitChange.org_unit_id == unit.id)).all()
    assert [(h.field, h.old_value, h.new_value) for h in history] == [("name_th", None, "โรงเรียนดี")]
    [event] = _events("unit.create")
    assert (event.object_id, event.org_unit_id, event.actor_id) == (unit.id, unit.id, world["province"].id)
    assert "โรงเรียนดี" in client.get(f"/units/{unit.id}/history").get_data(as_text=True)


def test_the_new_unit_page_fills_in_the_parent_and_offers_the_kinds(app, world):  # type: ignore[no-untyped-def]
    html = client_for(app, "province").get(f"/units/new?parent={world['x'].id}").get_data(as_text=True)
    assert 'value="X0000001"' in html
    assert '<option value="basic_school">โรงเรียนการศึกษาขั้นพื้นฐาน</option>' in html
    assert "เมืองทดสอบ (1001)" in html


def test_a_duplicate_code_is_refused_beside_the_code_with_the_typing_kept(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    response = _post(client, "/units/new", {**NEW_SCHOOL, "code": "A0000001"}, page="/units/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "มีหน่วยงานรหัสนี้อยู่แล้ว" in _error_of(html, "code")
    assert 'value="A0000001"' in html and 'value="Dee School"' in html
    assert _unit("A0000001").name_th == "โรงเรียนเอ"  # the existing unit is not overwritten
    assert _events("unit.create") == []


def test_a_bad_kind_a_bad_code_and_a_formula_name_are_refused_beside_their_fields(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    typed = {**NEW_SCHOOL, "code": "D 01!", "kind": "dragon", "name_th": "=cmd()", "district_code": "9999"}
    response = _post(client, "/units/new", typed, page="/units/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ไม่รู้จักประเภทหน่วยงาน &#39;dragon&#39;" in _error_of(html, "kind")
    assert "มีอักขระที่ไม่อนุญาต" in _error_of(html, "code")
    assert "ขึ้นต้นด้วย = + - หรือ @ ไม่ได้" in _error_of(html, "name_th")
    assert "กรุณาเลือกอำเภอจากรายการ" in _error_of(html, "district_code")
    assert 'value="=cmd()"' in html and 'value="D 01!"' in html
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.name_th == "=cmd()")) is None


def test_a_school_under_a_school_and_a_second_province_are_refused(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    html = _post(client, "/units/new", {**NEW_SCHOOL, "parent_code": "A0000001"}, "/units/new").get_data(as_text=True)
    assert "อยู่ภายใต้" in _error_of(html, "parent_code")
    top = {**NEW_SCHOOL, "parent_code": "", "kind": "provincial_office"}
    html = _post(client, "/units/new", top, "/units/new").get_data(as_text=True)
    assert "หน่วยงานระดับบนสุดเพิ่มได้เฉพาะผู้ดูแลระบบ" in _error_of(html, "parent_code")
    assert _unit("D0000001") is None


def test_an_edit_keeps_the_old_names_in_the_history_and_is_audited(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    a = world["a"]
    form = f"/units/{a.id}/edit"
    assert 'value="โรงเรียนเอ"' in client.get(form).get_data(as_text=True)
    for name in ("โรงเรียนเอ วิทยา", "โรงเรียนเอ ประชาสรรค์"):
        edit = {"parent_code": "X0000001", "kind": "basic_school", "name_th": name, "district_code": "1001"}
        assert _post(client, form, edit, page=form).status_code == 302
    assert _unit("A0000001").name_th == "โรงเรียนเอ ประชาสรรค์"
    names = db.session.execute(
        select(OrgUnitChange.old_value, OrgUnitChange.new_value)
        .where(OrgUnitChange.org_unit_id == a.id, OrgUnitChange.field == "name_th")
        .order_by(OrgUnitChange.id)
    ).all()
    assert [tuple(n) for n in names] == [
        ("โรงเรียนเอ", "โรงเรียนเอ วิทยา"), ("โรงเรียนเอ วิทยา", "โรงเรียนเอ ประชาสรรค์"),
    ]  # fmt: skip
    assert len(_events("unit.edit")) == 2 and _events("unit.move") == []
    history = client.get(f"/units/{a.id}/history").get_data(as_text=True)
    assert "โรงเรียนเอ วิทยา" in history and "แบบฟอร์มบนเว็บ (province)" in history
    # the same values again: nothing changes, nothing is recorded
    same = {
        "parent_code": "X0000001",
        "kind": "basic_school",
        "name_th": "โรงเรียนเอ ประชาสรรค์",
        "district_code": "1001",
    }
    assert _post(client, form, same, page=form).status_code == 302
    assert len(_events("unit.edit")) == 2


def test_a_move_recomputes_the_paths_keeps_the_old_parent_and_is_audited(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    a, y = world["a"], world["y"]
    edit = {"parent_code": "Y0000001", "kind": "basic_school", "name_th": "โรงเรียนเอ"}
    assert _post(client, f"/units/{a.id}/edit", edit, page=f"/units/{a.id}/edit").status_code == 302
    assert _unit("A0000001").path == f"/{_unit('P0000001').id}/{y.id}/{a.id}/"
    [event] = _events("unit.move")
    assert (event.from_state, event.to_state, event.object_id) == ("X0000001", "Y0000001", a.id)
    assert _events("unit.edit") == []
    parent_change = db.session.scalars(
        select(OrgUnitChange).where(OrgUnitChange.org_unit_id == a.id, OrgUnitChange.field == "parent")
    ).one()
    assert (parent_change.old_value, parent_change.new_value) == ("X0000001", "Y0000001")


def test_moves_into_its_own_subtree_or_under_a_wrong_kind_are_refused(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    x = world["x"]
    z = make_unit(OrgKind.LOCAL_GOVERNMENT, x, "อบต.ทดสอบ", "Z0000001")
    db.session.commit()
    form = f"/units/{x.id}/edit"
    into_own = {"parent_code": "Z0000001", "kind": "primary_esa", "name_th": "สพป.ทดสอบ เขต 1"}
    response = _post(client, form, into_own, page=form)
    assert response.status_code == 422
    assert "วงวน" in _error_of(response.get_data(as_text=True), "parent_code")
    under_school = {**into_own, "parent_code": "A0000001"}
    assert "อยู่ภายใต้" in _error_of(_post(client, form, under_school, page=form).get_data(as_text=True), "parent_code")
    under_itself = {**into_own, "parent_code": "X0000001"}
    assert "ตัวเอง" in _error_of(_post(client, form, under_itself, page=form).get_data(as_text=True), "parent_code")
    # a change of kind that would leave its schools under a school is refused too, naming the child
    as_school = {"parent_code": "P0000001", "kind": "basic_school", "name_th": "สพป.ทดสอบ เขต 1"}
    message = _error_of(_post(client, form, as_school, page=form).get_data(as_text=True), "kind")
    assert "A0000001" in message and "B0000001" in message
    assert _unit("X0000001").parent_id == _unit("P0000001").id and _unit("X0000001").kind == OrgKind.PRIMARY_ESA
    assert _unit("Z0000001").path == f"/{_unit('P0000001').id}/{x.id}/{z.id}/"
    assert _events("unit.move") == [] and _events("unit.edit") == []


def test_deactivate_and_reactivate_are_audited_and_said_on_the_page(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    a = world["a"]
    page = client.get(f"/units/{a.id}").get_data(as_text=True)
    assert "ไม่ถูกนับเป็นผู้ต้องส่งในรอบการรายงานที่เปิดใหม่" in page and "ผู้ใช้เดิมยังเข้าสู่ระบบได้" in page
    assert _post(client, f"/units/{a.id}/deactivate", page=f"/units/{a.id}").status_code == 302
    assert _unit("A0000001").active is False
    assert "ปิดใช้งาน" in client.get(f"/units/{a.id}").get_data(as_text=True)
    assert _post(client, f"/units/{a.id}/deactivate", page=f"/units/{a.id}").status_code == 302  # again: no-op
    assert len(_events("unit.deactivate")) == 1
    assert client_for(app, "school_a").get("/").status_code == 200  # its users still sign in, as before
    assert _post(client, f"/units/{a.id}/reactivate", page=f"/units/{a.id}").status_code == 302
    assert _unit("A0000001").active is True and len(_events("unit.reactivate")) == 1


def test_a_post_without_its_csrf_token_changes_nothing(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "province")
    a = world["a"]
    assert client.post(f"/units/{a.id}/deactivate").status_code == 400
    assert client.post("/units/new", data=NEW_SCHOOL).status_code in (200, 400, 422)
    assert _unit("A0000001").active is True and _unit("D0000001") is None


def test_an_agency_admin_works_only_inside_its_own_subtree(app, world):  # type: ignore[no-untyped-def]
    client = client_for(app, "admin_x")
    c = world["c"]
    assert client.get(f"/units/{c.id}/edit").status_code == 404
    assert _post(client, f"/units/{c.id}/deactivate").status_code == 404
    edit = {"parent_code": "Y0000001", "kind": "basic_school", "name_th": "โรงเรียนซี"}
    assert _post(client, f"/units/{c.id}/edit", edit).status_code == 404
    assert client.get(f"/units/new?parent={world['y'].id}").status_code == 404
    html = _post(client, "/units/new", {**NEW_SCHOOL, "parent_code": "Y0000001"}, "/units/new").get_data(as_text=True)
    assert "นอกขอบเขต" in _error_of(html, "parent_code")
    a = world["a"]
    moved = {"parent_code": "Y0000001", "kind": "basic_school", "name_th": "โรงเรียนเอ"}
    html = _post(client, f"/units/{a.id}/edit", moved, f"/units/{a.id}/edit").get_data(as_text=True)
    assert "นอกขอบเขต" in _error_of(html, "parent_code")
    assert _unit("A0000001").parent_id == world["x"].id and _unit("C0000001").active is True
    assert _post(client, "/units/new", NEW_SCHOOL, "/units/new").status_code == 302  # under its own X: fine
    cert = client_for(app, "cert_x")
    assert cert.get("/units/new").status_code == 403
    assert cert.get(f"/units/{a.id}/edit").status_code == 403
    assert "unit-actions" not in cert.get(f"/units/{a.id}").get_data(as_text=True)
