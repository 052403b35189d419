"""Directory upload in the browser: every row error shown beside what was typed, a preview of what would be
added, changed and moved, an apply of exactly that file (audited), the unit's history; hostile files never 500."""

from __future__ import annotations

import io
import re
import zipfile

import xlsxwriter
from sqlalchemy import select

from survey_app.accounts.models import OrgUnit
from survey_app.core.audit import AuditEvent
from tests.factories import province_with_users
from tests.fixtures.app import csrf_token

HEADER = "code,parent_code,kind,name_th\n"
# against small_province: one new school under X, B renamed, C moved from Y to X, A unchanged
GOOD = HEADER + (
    "D0000001,X0000001,basic_school,โรงเรียนดี\n"
    "B0000001,X0000001,basic_school,โรงเรียนบีใหม่\n"
    "C0000001,X0000001,basic_school,โรงเรียนซี\n"
    "A0000001,X0000001,basic_school,โรงเรียนเอ\n"
)


def _signed_in(client, name="province"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    client.post("/login", data={"username": name, "password": "Secret-pass-123", "csrf_token": token})


def _upload(client, data: bytes, name: str = "dir.csv"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/directory/import")
    return client.post(
        "/directory/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _ticket(html: str) -> str:
    return re.search(r'name="ticket" type="hidden" value="([^"]+)"|id="ticket" name="ticket" type="hidden" value="([^"]+)"',
                     html).group(0).split('value="')[1].rstrip('"')  # fmt: skip


def test_row_errors_are_listed_with_what_was_typed_and_nothing_changes(client, db):
    province_with_users()
    _signed_in(client)
    bad = HEADER + "D0000001,ZZZ,basic_school,โรงเรียนดี\nB0000001,X0000001,spaceship,=cmd|' /C calc'!A0\n"
    response = _upload(client, bad.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "พบข้อผิดพลาด 3 รายการ" in html
    assert "ไม่พบหน่วยงานต้นสังกัดรหัส ZZZ" in html and "<code>ZZZ</code>" in html  # row 2, parent, as typed
    assert "ไม่รู้จักประเภทหน่วยงาน &#39;spaceship&#39;" in html  # row 3, kind
    assert "ขึ้นต้นด้วย = + - หรือ @ ไม่ได้" in html  # row 3, a formula for a name
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "D0000001")) is None


def test_preview_then_apply_adds_changes_moves_and_is_audited(client, db):
    province_with_users()
    _signed_in(client)
    response = _upload(client, GOOD.encode("utf-8-sig"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    counts = re.search(r'data-testid="plan-counts">(.*?)</dl>', html, re.S).group(1)
    assert [int(n) for n in re.findall(r"<dd>(\d+)", counts)] == [1, 1, 1, 1]  # added, changed, moved, unchanged
    assert "โรงเรียนบีใหม่" in html and "Y0000001" in html  # B's new name; C's old parent
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "D0000001")) is None  # nothing yet

    ticket = _ticket(html)
    done = client.post("/directory/import/apply", data={"csrf_token": csrf_token(client, "/"), "ticket": ticket})
    assert done.status_code == 302
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    assert units["B0000001"].name_th == "โรงเรียนบีใหม่"
    assert units["C0000001"].parent_id == units["X0000001"].id
    assert units["C0000001"].path == f"{units['X0000001'].path}{units['C0000001'].id}/"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "directory.import"))
    assert {k: event.details[k] for k in ("added", "changed", "moved", "unchanged", "file")} == {
        "added": 1, "changed": 1, "moved": 1, "unchanged": 1, "file": "dir.csv"}  # fmt: skip

    again = client.post("/directory/import/apply", data={"csrf_token": csrf_token(client, "/"), "ticket": ticket})
    assert again.status_code == 302 and "/directory/import" in again.headers["Location"]  # used up: not applied twice
    assert db.session.query(AuditEvent).filter_by(action="directory.import").count() == 1

    history = client.get(f"/units/{units['B0000001'].id}/history").get_data(as_text=True)
    assert "โรงเรียนบี" in history and "โรงเรียนบีใหม่" in history and "dir.csv" in history


def test_a_forged_ticket_applies_nothing(client, db):
    province_with_users()
    _signed_in(client)
    forged = client.post("/directory/import/apply", data={"csrf_token": csrf_token(client, "/"), "ticket": "x.y.z"})
    assert forged.status_code == 302
    assert db.session.query(AuditEvent).filter_by(action="directory.import").count() == 0


def test_hostile_files_are_refused_with_a_thai_message(client, db):
    province_with_users()
    _signed_in(client)
    big = _upload(client, b"code,kind,name_th\n" + b"x" * (20 * 1024 * 1024), "big.csv")
    assert big.status_code == 422 and "ไฟล์ใหญ่เกิน 5 MB" in big.get_data(as_text=True)

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (80 * 1024 * 1024))
    bombed = _upload(client, bomb.getvalue(), "bomb.xlsx")
    assert bombed.status_code == 422 and "ขยายแล้วใหญ่ผิดปกติ" in bombed.get_data(as_text=True)

    for data, name in ((b"\x00\x01garbage", "dir.xlsx"), (b"\xff\xfe\x00bad", "dir.csv"), (b"a,b", "dir.exe")):
        response = _upload(client, data, name)
        assert response.status_code == 422, name
        assert 'class="field-error"' in response.get_data(as_text=True)


def test_formulas_in_an_xlsx_are_row_errors_not_values(client, db):
    province_with_users()
    _signed_in(client)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["code", "parent_code", "kind", "name_th"])
    sheet.write_row(1, 0, ["D0000001", "X0000001", "basic_school"])
    sheet.write_formula(1, 3, '=HYPERLINK("http://evil","x")', None, "=HYPERLINK")
    book.close()
    html = _upload(client, buffer.getvalue(), "dir.xlsx").get_data(as_text=True)
    assert "ขึ้นต้นด้วย = + - หรือ @ ไม่ได้" in html or "ไม่มีชื่อหน่วยงาน" in html
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "D0000001")) is None


def test_only_the_province_uploads(client, db):
    province_with_users()
    _signed_in(client, "cert_x")
    assert client.get("/directory/import").status_code == 403
