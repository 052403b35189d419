"""A person round built by hand for the signed-figures and privacy tests.

Directory: province P; agency X (primary ESA) with schools A (8 teachers), B (6) and G (3, a special-education
school); agency Y (secondary ESA) with school C (4); agency Z (primary ESA) with school F (7). Districts: A, B, C,
G in 6701, F in 6702. Every figure the tests expect is worked out by hand in their comments, never by the app.
"""

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import District
from survey_app.extensions import db
from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer
from survey_app.responses.models import ResponseStatus
from tests.factories import make_unit, make_user, province_with_users
from tests.reports.handmade import open_hand_round, publish_text, put

SIGNED = """
schema_version: 1
key: signed
title: แบบทดสอบตัวเลขที่ลงนาม
respondent: person
audience: [all]
allow_na: true
scales:
  l5: {min: 1, max: 5, labels: {1: น้อยที่สุด, 5: มากที่สุด}}
sections:
  - key: dim_a
    title: ด้าน ก
    questions:
      - {key: r, code: "1", type: rating, label: ความพึงพอใจ, scale: l5}
      - {key: c, code: "2", type: single_choice, label: ใช้หรือไม่, options: [{value: yes, label: ใช้}, {value: no, label: ไม่ใช้}], none_option: true}
      - {key: d, code: "3", type: decimal, label: ชั่วโมง, allow_none: true}
      - {key: p1, code: "4", type: paired_rating, label: การนำ, scale: l5, ratings: [{key: current, label: สภาพ}, {key: importance, label: ความสำคัญ}], gap: [importance, current]}
      - {key: p2, code: "5", type: paired_rating, label: การสื่อสาร, scale: l5, ratings: [{key: current, label: สภาพ}, {key: importance, label: ความสำคัญ}], gap: [importance, current]}
  - key: dim_b
    title: ด้าน ข
    questions:
      - {key: p3, code: "6", type: paired_rating, label: แผน, scale: l5, ratings: [{key: current, label: สภาพ}, {key: importance, label: ความสำคัญ}], gap: [importance, current]}
      - {key: s, code: "7", type: long_text, label: ข้อเสนอแนะ, allow_none: true}
"""
V = Answer.of
SIZES = {"a": 8, "b": 6, "c": 4, "f": 7, "g": 3}
# Ratings of r per school (None = N/A).
R = {"a": [5, 5, 5, 5, 5, 5, 4, 3], "b": [4, 4, 4, 4, 4, None], "c": [3, 3, 2, 1], "f": [5, 5, 5, 5, 5, 4, 4],
     "g": [None, None, None]}  # fmt: skip
C = {"a": ["yes"] * 8, "b": ["yes"] * 3 + ["no"] * 3, "c": ["no"] * 4, "f": ["yes"] * 6 + [None], "g": ["yes"] * 3}
D = {"a": [130.12] * 4 + [130.13] * 4, "b": [None] * 6, "c": [130.12, 130.13, 130.12, 130.13],
     "f": [130.12, 130.13, 130.12, 130.13, 130.12, 130.13, "na"], "g": [130.12, 130.13, None]}  # fmt: skip
TEXTS = {("a", 0): "ขอแท็บเล็ตเพิ่ม", ("c", 0): "ครูซีขออบรม", ("f", 1): "ไม่มี"}


def paired_answers(index: int) -> dict[str, Answer]:
    """p1: 20 people rate (3, 5), 5 rate (4, 4); p2: 5 rate, 4 × (1, 5) and 1 × (2, 4), the rest N/A; p3: 15 rate
    (2, 4) and 10 rate (3, 4) for the first 25 people; everyone after the 25th: p1 (3, 5), p2 N/A, p3 (2, 4)."""
    p1 = {"current": 4, "importance": 4} if index % 5 == 4 and index < 25 else {"current": 3, "importance": 5}
    p2 = {"current": 1, "importance": 5} if index < 4 else {"current": 2, "importance": 4} if index == 4 else None
    p3 = {"current": 3, "importance": 4} if index % 5 in (0, 1) and index < 25 else {"current": 2, "importance": 4}
    return {"p1": V(p1), "p2": V(p2) if p2 else NA_ANSWER, "p3": V(p3)}


def signed_world(db_):  # type: ignore[no-untyped-def]
    world = province_with_users()
    world["g"] = make_unit(OrgKind.SPECIAL_EDUCATION_SCHOOL, world["x"], "โรงเรียนจี", "G0000001")
    world["z"] = make_unit(OrgKind.PRIMARY_ESA, world["x"].parent, "สพป.ทดสอบ เขต 2", "Z0000001")
    world["f"] = make_unit(OrgKind.BASIC_SCHOOL, world["z"], "โรงเรียนเอฟ", "F0000001")
    world["cert_z"] = make_user(world["z"], username="cert_z")
    db.session.add_all([District(code="6701", name_th="เมืองเพชรบูรณ์"), District(code="6702", name_th="ชนแดน")])
    db.session.flush()
    for key in ("a", "b", "c", "g"):
        world[key].district_code = "6701"
    world["f"].district_code = "6702"
    db.session.flush()
    rnd = open_hand_round(publish_text(SIGNED, "signed"))
    index = 0
    for key in ("a", "b", "c", "f", "g"):
        for i in range(SIZES[key]):
            answers = {"r": V(R[key][i]) if R[key][i] is not None else NA_ANSWER,
                       "c": V(C[key][i]) if C[key][i] is not None else NONE_ANSWER,
                       "d": NONE_ANSWER if D[key][i] is None else NA_ANSWER if D[key][i] == "na" else V(D[key][i]),
                       "s": V(TEXTS[(key, i)]) if (key, i) in TEXTS else NONE_ANSWER, **paired_answers(index)}  # fmt: skip
            put(rnd, world[key], answers, ResponseStatus.SUBMITTED, slot=None)
            index += 1
    db.session.commit()
    return world, rnd
