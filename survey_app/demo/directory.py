"""The demo Phetchabun directory and its accounts: the real agency structure and districts, with ~700 schools
marked as demo, and loading both (`load_demo_directory`).

Agency names follow the province's real structure (domain.md); every school name is generated and carries
"(สาธิต)" so nobody mistakes it for real data. The output is rows in the import format, so the demo goes
through exactly the same checks as a real directory file.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from survey_app.accounts import operations
from survey_app.accounts.cli import import_rows
from survey_app.accounts.models import OrgUnit, User
from survey_app.core.scope import Role
from survey_app.extensions import db

DISTRICTS = {
    "6701": "เมืองเพชรบูรณ์", "6702": "ชนแดน", "6703": "หล่มสัก", "6704": "หล่มเก่า",
    "6705": "วิเชียรบุรี", "6706": "ศรีเทพ", "6707": "หนองไผ่", "6708": "บึงสามพัน",
    "6709": "น้ำหนาว", "6710": "วังโป่ง", "6711": "เขาค้อ",
}  # fmt: skip
PEO = "67000000"
AGENCIES = [
    # code, parent, kind, Thai name, English name, district
    (
        PEO,
        "",
        "provincial_office",
        "สำนักงานศึกษาธิการจังหวัดเพชรบูรณ์",
        "Phetchabun Provincial Education Office",
        "6701",
    ),
    (
        "67010000",
        PEO,
        "primary_esa",
        "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเพชรบูรณ์ เขต 1",
        "Phetchabun PESA 1",
        "6701",
    ),
    (
        "67020000",
        PEO,
        "primary_esa",
        "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเพชรบูรณ์ เขต 2",
        "Phetchabun PESA 2",
        "6703",
    ),
    (
        "67030000",
        PEO,
        "primary_esa",
        "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเพชรบูรณ์ เขต 3",
        "Phetchabun PESA 3",
        "6705",
    ),
    ("67400000", PEO, "secondary_esa", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษา เขต 40", "Secondary ESA 40", "6701"),
    ("67500000", PEO, "nfe_office", "สำนักงาน กศน.จังหวัดเพชรบูรณ์", "Phetchabun NFE Office", "6701"),
    (
        "67600000",
        PEO,
        "vocational_office",
        "สำนักงานอาชีวศึกษาจังหวัดเพชรบูรณ์",
        "Phetchabun Vocational Office",
        "6701",
    ),
    (
        "67700000",
        PEO,
        "buddhism_office",
        "สำนักงานพระพุทธศาสนาจังหวัดเพชรบูรณ์",
        "Phetchabun Buddhism Office",
        "6701",
    ),
    ("67800000", PEO, "local_admin_office", "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดเพชรบูรณ์", None, "6701"),
    ("67810000", "67800000", "local_government", "องค์การบริหารส่วนจังหวัดเพชรบูรณ์", None, "6701"),
    ("67820000", "67800000", "local_government", "เทศบาลเมืองเพชรบูรณ์", None, "6701"),
    ("67830000", "67800000", "local_government", "เทศบาลเมืองหล่มสัก", None, "6703"),
    ("67840000", "67800000", "local_government", "เทศบาลตำบลวิเชียรบุรี", None, "6705"),
    ("67900000", PEO, "private_school_office", "กลุ่มส่งเสริมการศึกษาเอกชน ศธจ.เพชรบูรณ์", None, "6701"),
]
PRIMARY_DISTRICTS = {
    "67010000": ("6701", "6702", "6710"),
    "67020000": ("6703", "6704", "6709", "6711"),
    "67030000": ("6705", "6706", "6707", "6708"),
}
PRIMARY_COUNTS = {"67010000": 200, "67020000": 190, "67030000": 170}
_PLACE_A = (
    "หนอง", "โคก", "นา", "ห้วย", "วัง", "ดง", "ซับ", "บ่อ", "น้ำ", "ท่า", "โนน", "เขา", "ป่า", "คลอง", "ทุ่ง", "ศรี",
)  # fmt: skip
_PLACE_B = (
    "ไผ่", "แดง", "ใหญ่", "กลาง", "ทอง", "สะแก", "บัว", "ยาง", "ขาม", "เต่า", "มะค่า", "ตะเคียน", "สมอ", "ชุมแสง",
    "หิน", "ทราย", "พยอม", "จันทร์", "สว่าง", "งาม", "เจริญ", "สำราญ", "มน", "กระทิง", "ปรง", "ผักหวาน",
)  # fmt: skip


def _place(rng: random.Random) -> str:
    return rng.choice(_PLACE_A) + rng.choice(_PLACE_B)


def _row(code, parent, kind, name, name_en=None, district="", **alt) -> dict[str, str]:
    row = {"code": code, "parent_code": parent, "kind": kind, "name_th": name, "name_en": name_en or ""}
    row |= {"district_code": district, "district_name": DISTRICTS.get(district, "")}
    return row | {f"{k}_code": v for k, v in alt.items()}


def demo_rows(seed: int = 67) -> list[dict[str, str]]:
    """The demo directory as import rows (deterministic for a given seed)."""
    rng = random.Random(seed)
    rows = [_row(*agency) for agency in AGENCIES]
    rows += _primary_schools(rng)
    rows += _other_schools(rng)
    return rows


def _primary_schools(rng: random.Random) -> list[dict[str, str]]:
    rows = []
    for esa, count in PRIMARY_COUNTS.items():
        prefix = esa[:4]
        for n in range(1, count + 1):
            smis = f"{prefix}{n:04d}"
            district = rng.choice(PRIMARY_DISTRICTS[esa])
            name = f"โรงเรียนบ้าน{_place(rng)} (สาธิต {smis})"
            obec = f"{670000 + int(prefix[2:]) * 1000 + n:06d}"
            rows.append(
                _row(
                    smis,
                    esa,
                    "basic_school",
                    name,
                    None,
                    district,
                    smis=smis,
                    obec=obec,
                    ministry=f"10{smis}",
                )
            )
    return rows


def _other_schools(rng: random.Random) -> list[dict[str, str]]:
    rows = []
    for n in range(1, 36):
        smis = f"6740{n:04d}"
        district = rng.choice(list(DISTRICTS))
        name = f"โรงเรียน{_place(rng)}วิทยา (สาธิต {smis})"
        rows.append(_row(smis, "67400000", "basic_school", name, None, district, smis=smis, ministry=f"10{smis}"))
    for n, (district, district_name) in enumerate(DISTRICTS.items(), start=1):
        code = f"1267{n:06d}"
        rows.append(
            _row(
                code,
                "67500000",
                "nfe_district_centre",
                f"ศูนย์ กศน.อำเภอ{district_name} (สาธิต)",
                None,
                district,
            )
        )
    groups = [
        (6, "67600000", "vocational_college", "13", "วิทยาลัยการอาชีพ{place} (สาธิต)"),
        (40, "67900000", "private_school", "11", "โรงเรียนเอกชน{place}ศึกษา (สาธิต)"),
        (8, "67700000", "monastic_school", "70", "โรงเรียนพระปริยัติธรรมวัด{place} (สาธิต)"),
        (10, "67810000", "local_government_school", "30", "โรงเรียน อบจ.{place} (สาธิต)"),
        (7, "67820000", "local_government_school", "30", "โรงเรียนเทศบาล {n} (สาธิต)"),
        (5, "67830000", "local_government_school", "30", "โรงเรียนเทศบาลหล่มสัก {n} (สาธิต)"),
        (3, "67840000", "local_government_school", "30", "โรงเรียนเทศบาลวิเชียรบุรี {n} (สาธิต)"),
        (1, PEO, "special_education_school", "10", "ศูนย์การศึกษาพิเศษ ประจำจังหวัดเพชรบูรณ์ (สาธิต)"),
        (1, PEO, "higher_education", "14", "มหาวิทยาลัยตัวอย่างเพชรบูรณ์ (สาธิต)"),
    ]
    serial = 0
    for count, parent, kind, affiliation, pattern in groups:
        for n in range(1, count + 1):
            serial += 1
            code = f"{affiliation}67{serial:06d}"
            name = pattern.format(place=_place(rng), n=n)
            rows.append(_row(code, parent, kind, name, None, rng.choice(list(DISTRICTS)), ministry=code))
    return rows


DEMO_PASSWORD = "Demo2563pass"
DEMO_ACCOUNTS = [
    # username, unit code, role, what to try
    ("admin", PEO, "system_admin", "ผู้ดูแลระบบ"),
    ("province", PEO, "province_admin", "ศธจ.เพชรบูรณ์ (ผู้ดูแลระดับจังหวัด)"),
    ("esa1", "67010000", "respondent", "สพป.เพชรบูรณ์ เขต 1 (ผู้ตอบ)"),
    ("esa1-cert", "67010000", "certifier", "สพป.เพชรบูรณ์ เขต 1 (ผู้รับรอง)"),
    ("school1", "67010001", "respondent", "โรงเรียนสาธิต 67010001"),
    ("school2", "67010002", "respondent", "โรงเรียนสาธิต 67010002"),
    ("esa2-cert", "67020000", "certifier", "สพป.เพชรบูรณ์ เขต 2 (ผู้รับรอง: ข้อมูลครบ แนบหนังสือรับรองทั้งชุดได้)"),
    ("sec40-cert", "67400000", "certifier", "สพม.เขต 40 (ผู้รับรอง: รับรองทั้งชุดแล้ว รอจังหวัดรับ)"),
    ("esa3-cert", "67030000", "certifier", "สพป.เพชรบูรณ์ เขต 3 (ผู้รับรอง: จังหวัดรับข้อมูลแล้ว)"),
]
RESPONDENT_LOGINS = frozenset(code for _user, code, role, _label in DEMO_ACCOUNTS if role == "respondent")
"""Units a demo login answers for: left unanswered so a newcomer can fill them in (the ESA 1 story)."""

# The certification story of every organisation round (domain: schools answer, the agency certifies each
# response, its head certifies the whole set with a signed letter, the province accepts the set).
SET_READY = "67020000"  # every unit certified, set not yet: esa2-cert uploads the letter and certifies it
SET_CERTIFIED = "67400000"  # certified with a letter by sec40-cert: the province accepts or returns it
SET_ACCEPTED = "67030000"  # certified by esa3-cert and accepted by the province


def load_demo_directory() -> tuple[operations.ImportSummary, int]:
    """The demo Phetchabun directory and demo accounts (safe to run again)."""
    summary = import_rows(demo_rows(), source="demo")
    return summary, _demo_accounts()


def _demo_accounts() -> int:
    """The demo logins that do not exist yet (a unit missing from the directory is skipped); how many were made."""
    created = 0
    for username, code, role, _label in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if unit is not None:
            operations.create_user(username, DEMO_PASSWORD, Role(role), unit, must_change_password=False)
            created += 1
    return created
