"""A round's life from the browser: edit, close early, extend (round and unit), reopen, delete, archive —
each audited, each refusal in Thai beside its field, and an archived round out of respondents' sight."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.core.audit import AuditEvent
from survey_app.core.thai import BANGKOK, now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine.models import FormVersion
from survey_app.responses.models import Response
from survey_app.review.queries import summarise
from survey_app.review.sets import round_members
from survey_app.rounds.models import LatePolicy, Round, RoundPeriod, RoundUnit
from tests.fixtures.answering import fill_all, make_round, start, submit
from tests.fixtures.app import csrf_token


def _post(client, path: str, data: dict | None = None, page: str | None = None):
    token = csrf_token(client, page or "/")
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _edit_data(**changes) -> dict:
    data = {"title": "รอบแก้ชื่อ", "period": "month6", "opens_at": "01/10/2568 08:30",
            "closes_at": "30/04/2569 16:30", "late_policy": "refuse", "kinds": ["basic_school", "primary_esa"],
            "notes": "เปิดใหม่ตามหนังสือที่ ศธ 0293/123"}  # fmt: skip
    return data | changes


@pytest.fixture
def province(client, auth, world):
    auth.login("province")
    return world


def test_edit_changes_what_was_typed_in_the_buddhist_era_and_records_what_changed(client, province):
    rnd = make_round(province)
    form = client.get(f"/rounds/{rnd.id}/edit").get_data(as_text=True)
    opens = rnd.opens_at.astimezone(BANGKOK)
    assert f'value="{opens:%d/%m}/{opens.year + 543} {opens:%H:%M}"' in form  # shown as it is typed: พ.ศ.
    response = _post(client, f"/rounds/{rnd.id}/edit", _edit_data())
    assert response.status_code == 302
    db.session.expire_all()
    rnd = db.session.get(Round, rnd.id)
    assert rnd.title == "รอบแก้ชื่อ" and rnd.period == RoundPeriod.MONTH6 and rnd.late_policy == LatePolicy.REFUSE
    assert rnd.opens_at == datetime(2025, 10, 1, 8, 30, tzinfo=BANGKOK)  # 2568 BE − 543; Bangkok wall clock
    assert rnd.closes_at == datetime(2026, 4, 30, 16, 30, tzinfo=BANGKOK)
    assert rnd.notes == "เปิดใหม่ตามหนังสือที่ ศธ 0293/123"
    # every kind but basic schools and primary ESAs left (nobody answered): A, B, C and X stay, P and Y go
    assert db.session.scalar(select(func.count()).where(RoundUnit.round_id == rnd.id)) == 4
    (event,) = _events("round.edit")
    changed = event.details["changed"]
    assert set(changed) == {"title", "period", "opens_at", "closes_at", "late_policy", "notes", "kinds"}
    assert changed["period"] == ["annual", "month6"]
    assert changed["kinds"][1] == ["basic_school", "primary_esa"]


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("closes_at", "30/04/2026 16:30", "ปีต้องเป็นพุทธศักราช (พ.ศ.) เช่น 2569 ไม่ใช่ ค.ศ. 2026"),
    ("opens_at", "01/10/2025 08:30", "ปีต้องเป็นพุทธศักราช (พ.ศ.) เช่น 2568 ไม่ใช่ ค.ศ. 2025"),
    ("closes_at", "30/09/2568 16:30", "กำหนดส่งต้องอยู่หลังวันเปิดรับ"),  # before 1 Oct 2568
    ("closes_at", "31/02/2569 16:30", "ไม่มีวันที่ 31/02/2569 ในปฏิทิน"),
    ("closes_at", "30/04/2569 25:99", "เวลาไม่ถูกต้อง"),
    ("closes_at", "30/04/2569", "เวลาไม่ถูกต้อง"),
    ("closes_at", "", "กรอกวันเวลากำหนดส่ง"),
    ("closes_at", "<script>x</script>\x00", "วันที่ไม่ถูกต้อง"),
])  # fmt: skip
def test_hostile_dates_get_a_thai_message_beside_the_field_and_the_typing_is_kept(
    client, province, field, typed, message
):
    rnd = make_round(province)
    response = _post(client, f"/rounds/{rnd.id}/edit", _edit_data(**{field: typed}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    if typed and "<" not in typed:
        assert f'value="{typed}"' in html
    assert "&lt;script&gt;" in html or "<" not in typed  # kept, escaped
    assert db.session.get(Round, rnd.id).title == rnd.title and not _events("round.edit")


def test_a_gregorian_year_is_refused_when_opening_a_round_too(client, province):
    data = {"form_version": province["versions"]["phetchabun_plan"].id, "fiscal_year": "2569", "period": "month9",
            "title": "ทดสอบ", "opens_at": "01/10/2025 08:30", "closes_at": "30/07/2569 16:30",
            "late_policy": "accept", "kinds": ["basic_school"], "identity": "anonymous"}  # fmt: skip
    response = _post(client, "/rounds/new", data, page="/rounds/new")
    assert response.status_code == 422
    assert "ไม่ใช่ ค.ศ. 2025" in response.get_data(as_text=True)
    assert 'value="01/10/2025 08:30"' in response.get_data(as_text=True)


def _answer_as(client, auth, rnd, username: str, kind: str = "basic_school", *, send: bool = True) -> int:
    auth.logout()
    auth.login(username)
    rid = start(client, rnd)
    if send:
        fill_all(client, rid, kind)
        assert submit(client, rid).status_code == 302
    auth.logout()
    auth.login("province")
    return rid


def test_audience_may_grow_but_not_shrink_once_someone_answered(client, auth, province):
    rnd = make_round(province)  # all six units: P, X, Y, A, B, C
    _answer_as(client, auth, rnd, "school_a", send=False)  # a draft is an answer too
    shrink = _post(client, f"/rounds/{rnd.id}/edit", _edit_data(kinds=["basic_school"], period="annual"))
    assert shrink.status_code == 422
    assert "รอบนี้มีผู้ตอบแล้ว จึงนำประเภทหน่วยงานออกไม่ได้" in shrink.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(RoundUnit.round_id == rnd.id)) == 6
    final_to_interim = _post(client, f"/rounds/{rnd.id}/edit", _edit_data(kinds=[k.value for k in _kinds()]))
    assert final_to_interim.status_code == 422 and "กติกาการตอบ N/A ต่างกัน" in final_to_interim.get_data(as_text=True)
    same = _post(client, f"/rounds/{rnd.id}/edit", _edit_data(period="annual", kinds=[k.value for k in _kinds()]))
    assert same.status_code == 302


def _kinds():
    from survey_app.accounts.kinds import OrgKind

    return list(OrgKind)


def test_close_early_makes_every_unsent_unit_late_extensions_included(client, auth, province):
    rnd = make_round(province, days=10)  # P, X, Y, A, B, C expected
    _answer_as(client, auth, rnd, "school_a")  # A sends on time
    b = db.session.scalar(
        select(RoundUnit).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id == province["b"].id)
    )
    b.deadline_override = rnd.closes_at + timedelta(days=5)
    db.session.commit()
    before = summarise(round_members(province["province"], rnd.id), now_bangkok())
    assert (before.expected, before.received, before.overdue) == (6, 1, 0)
    response = _post(client, f"/rounds/{rnd.id}/close", {"reason": "เปิดผิดรอบ"}, page=f"/rounds/{rnd.id}")
    assert response.status_code == 302
    after = summarise(round_members(province["province"], rnd.id), now_bangkok() + timedelta(seconds=1))
    # by hand: 6 expected − 1 sent = 5 unsent, B's extension ended with the round, so all 5 are late; A on time
    assert (after.received, after.on_time, after.overdue) == (1, 1, 5)
    (event,) = _events("round.close")
    assert (event.from_state, event.to_state, event.comment) == ("open", "closed", "เปิดผิดรอบ")
    assert event.details["extensions_ended"] == 1
    # B sends after the close: accepted and marked late (the round accepts late answers)
    rid = _answer_as(client, auth, rnd, "school_b")
    assert db.session.get(Response, rid).is_late is True
    again = _post(client, f"/rounds/{rnd.id}/close", page=f"/rounds/{rnd.id}")
    assert "ปิดรอบก่อนกำหนดได้เฉพาะรอบที่เปิดรับคำตอบอยู่" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(_events("round.close")) == 1


def test_extend_the_round_then_one_unit_then_reopen_each_audited_and_on_the_timeline(client, province):
    rnd = make_round(province, days=10)
    old = rnd.closes_at
    early = _post(client, f"/rounds/{rnd.id}/extend", {"new_deadline": "01/10/2568 08:30"}, page=f"/rounds/{rnd.id}")
    assert early.status_code == 422 and "กำหนดส่งใหม่ต้องอยู่หลังกำหนดส่งเดิม" in early.get_data(as_text=True)
    ok = _post(client, f"/rounds/{rnd.id}/extend", {"new_deadline": "30/09/2580 16:30", "reason": "ระบบล่ม"},
               page=f"/rounds/{rnd.id}")  # fmt: skip
    assert ok.status_code == 302
    assert db.session.get(Round, rnd.id).closes_at == datetime(2037, 9, 30, 16, 30, tzinfo=BANGKOK)
    (extended,) = _events("round.extend")
    assert extended.object_type == "round" and extended.details["from"] == old.isoformat()
    unit = _post(client, f"/rounds/{rnd.id}", {"unit_code": "B0000001", "new_deadline": "15/10/2580 16:30",
                                              "reason": "น้ำท่วมโรงเรียน"})  # fmt: skip
    assert unit.status_code == 302
    (one,) = _events("round.extend_unit")
    assert one.object_type == "round_unit" and one.comment == "น้ำท่วมโรงเรียน"
    reopen_open = _post(
        client, f"/rounds/{rnd.id}/reopen", {"new_deadline": "30/10/2580 16:30"}, page=f"/rounds/{rnd.id}"
    )
    assert reopen_open.status_code == 422 and "เปิดรับอีกครั้งได้เฉพาะรอบที่ปิดรับแล้ว" in reopen_open.get_data(as_text=True)
    _post(client, f"/rounds/{rnd.id}/close", page=f"/rounds/{rnd.id}")
    past = _post(client, f"/rounds/{rnd.id}/reopen", {"new_deadline": "01/01/2560 08:00"}, page=f"/rounds/{rnd.id}")
    assert past.status_code == 422 and "กำหนดส่งใหม่ต้องอยู่ในอนาคต" in past.get_data(as_text=True)
    assert 'value="01/01/2560 08:00"' in past.get_data(as_text=True)
    reopened = _post(client, f"/rounds/{rnd.id}/reopen", {"new_deadline": "31/12/2580 16:30"}, page=f"/rounds/{rnd.id}")
    assert reopened.status_code == 302
    (event,) = _events("round.reopen")
    assert (event.from_state, event.to_state) == ("closed", "open")
    page = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    timeline = page[page.index('data-testid="timeline"') :]
    for text in ("เปิดรอบการรายงาน", "ขยายกำหนดส่งของรอบ", "30 ก.ย. 2580 16:30 น.", "ระบบล่ม",
                 "ขยายกำหนดส่งของหน่วยงาน", "โรงเรียนบี: กำหนดส่ง", "15 ต.ค. 2580 16:30 น.",
                 "ปิดรอบก่อนกำหนด", "เปิดรับคำตอบอีกครั้ง", "31 ธ.ค. 2580 16:30 น."):  # fmt: skip
        assert text in timeline, text
    assert timeline.index("ขยายกำหนดส่งของรอบ") < timeline.index("ปิดรอบก่อนกำหนด") < timeline.index("เปิดรับคำตอบอีกครั้ง")


def test_delete_an_unanswered_round_and_only_that(client, auth, province):
    gone = make_round(province).id
    response = _post(client, f"/rounds/{gone}/delete", {"reason": "เปิดซ้ำ"}, page=f"/rounds/{gone}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/rounds/")
    db.session.expire_all()
    assert db.session.get(Round, gone) is None
    assert db.session.scalar(select(func.count()).where(RoundUnit.round_id == gone)) == 0
    (event,) = _events("round.delete")
    assert event.object_id == gone and event.details["title"] == "รอบทดสอบ phetchabun_plan"
    answered = make_round(province)
    _answer_as(client, auth, answered, "school_a", send=False)  # a draft is enough to keep the round
    refused = _post(client, f"/rounds/{answered.id}/delete", page=f"/rounds/{answered.id}")
    assert "รอบนี้มีผู้ตอบแล้ว ลบไม่ได้" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert db.session.get(Round, answered.id) is not None and len(_events("round.delete")) == 1
    page = client.get(f"/rounds/{answered.id}").get_data(as_text=True)
    assert 'data-testid="archive-round"' in page and 'data-testid="delete-round"' not in page


def test_an_archived_round_leaves_the_school_home_page_and_its_person_link_answers_closed(client, auth, province):
    plan = make_round(province)
    person = make_round(province, "tablet_satisfaction")
    token = db.session.scalar(select(RoundUnit.link_token).where(RoundUnit.round_id == person.id,
                                                                 RoundUnit.org_unit_id == province["a"].id))  # fmt: skip
    _answer_as(client, auth, plan, "school_a", send=False)
    auth.logout()
    auth.login("school_a")
    assert plan.title in client.get("/").get_data(as_text=True)
    assert client.get(f"/s/{token}").status_code == 200
    auth.logout()
    auth.login("province")
    for rnd in (plan, person):
        assert (
            _post(client, f"/rounds/{rnd.id}/archive", {"reason": "ทดสอบ"}, page=f"/rounds/{rnd.id}").status_code == 302
        )
    assert len(_events("round.archive")) == 2
    index = client.get("/rounds/").get_data(as_text=True)
    archived = client.get("/rounds/archived").get_data(as_text=True)
    assert plan.title not in index and f"/rounds/{plan.id}" in archived and f"/rounds/{person.id}" in archived
    auth.logout()
    auth.login("school_a")
    assert plan.title not in client.get("/").get_data(as_text=True)
    assert client.get(f"/rounds/{plan.id}/respond").status_code == 404
    draft = db.session.scalar(select(Response.id).where(Response.round_id == plan.id))
    assert client.get(f"/responses/{draft}/s/0").status_code == 404  # its draft too, even by a direct link
    assert client.get(f"/responses/{draft}").status_code == 404
    closed = client.get(f"/s/{token}")
    assert closed.status_code == 410 and "ปิดรับคำตอบแล้ว" in closed.get_data(as_text=True)
    auth.logout()
    auth.login("province")
    back = _post(client, f"/rounds/{plan.id}/unarchive", {"back": "archived"}, page="/rounds/archived")
    assert back.headers["Location"].endswith("/rounds/archived") and len(_events("round.unarchive")) == 1
    auth.logout()
    auth.login("school_a")
    assert plan.title in client.get("/").get_data(as_text=True)


def test_round_page_shows_its_version_and_a_newer_one_without_offering_to_move(client, province):
    rnd = make_round(province)
    page = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    version = rnd.form_version
    published = version.published_at.astimezone(BANGKOK)
    assert f"phetchabun_plan · ฉบับที่ {version.version}" in page
    assert f"{published.day} " in page and str(published.year + 543) in page
    assert 'data-testid="newer-version"' not in page
    db.session.add(FormVersion(form_key=version.form_key, version=version.version + 1, content_hash="f" * 64,
                               title_th=version.title_th, respondent=version.respondent, definition={},
                               source_text="", source_name="x.yaml"))  # fmt: skip
    db.session.commit()
    page = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert f"มีแบบสอบถามฉบับใหม่กว่า (ฉบับที่ {version.version + 1}" in page


def test_only_the_province_changes_rounds(client, auth, world):
    rnd = make_round(world)
    auth.login("cert_x")
    for action in ("close", "archive", "delete", "unarchive"):
        assert _post(client, f"/rounds/{rnd.id}/{action}", page="/").status_code == 403
    assert client.get(f"/rounds/{rnd.id}/edit").status_code == 403
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("round.%"),
                                                           AuditEvent.action != "round.open")).all()  # fmt: skip
