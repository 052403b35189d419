"""English that is English: every interface msgid has English, and pages in EN show no Thai but data.

The catalogue test runs the same `pybabel extract` as `make translations`, so a Thai string added to code or a
template without an English entry fails here (run `make translations`, then fill its msgstr)."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from survey_app.accounts.models import OrgUnit
from survey_app.core import i18n, thai
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from tests.factories import PASSWORD
from tests.fixtures.answering import make_round, start
from tests.fixtures.app import csrf_token
from tests.responses.test_person_surveys import link_of

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "survey_app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
THAI = re.compile(r"[\u0E00-\u0E7F]+(?:[\s\d.,:()/-]*[\u0E00-\u0E7F]+)*")
PLACEHOLDER = re.compile(r"\{(\w*)(?::[^}]*)?\}")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The msgids in the source and templates today, as `make translations` extracts them."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-o", str(pot), "survey_app"],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as f:
        return [str(m.id) for m in read_po(f) if m.id]


def _catalogue() -> dict[str, str]:
    with PO.open("rb") as f:
        return {str(m.id): str(m.string or "") for m in read_po(f, locale="en") if m.id}


def test_extraction_finds_the_interface_text(extracted: list[str]) -> None:
    # a few strings from Python (flash, enum label, form label) and templates, so a broken babel.cfg fails
    for msgid in ("เข้าสู่ระบบ", "ฉบับร่าง", "รหัสผ่าน", "ไม่พบหน้าที่ต้องการ", "บันทึกร่าง"):
        assert msgid in extracted, msgid
    assert len(extracted) > 400


def test_every_interface_string_has_english(extracted: list[str]) -> None:
    catalogue = _catalogue()
    missing = [m for m in extracted if not catalogue.get(m, "").strip()]
    assert not missing, f"{len(missing)} msgids without English (run `make translations`):\n" + "\n".join(missing)


def test_english_is_english_and_keeps_the_placeholders() -> None:
    for msgid, english in _catalogue().items():
        if not english:
            continue
        assert not THAI.search(english.replace("ไม่มี", "")), (msgid, english)  # "ไม่มี" is a typed answer
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(english)), (msgid, english)


def test_language_switch_translates_python_text_and_fills_placeholders(app) -> None:
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert i18n.current_language() == "en"
        assert i18n.gettext("ฉบับร่าง") == "Draft"
        assert str(i18n.lazy_gettext("รหัสผ่าน")) == "Password"
        assert i18n.pick("ไทย", "English") == "English" and i18n.pick("ไทย", None) == "ไทย"
    with app.test_request_context():
        assert i18n.gettext("ฉบับร่าง") == "ฉบับร่าง"
        assert i18n.pick("ไทย", "English") == "ไทย"
    with app.test_request_context(headers={"Cookie": "lang=xx"}):
        assert i18n.current_language() == "th"


def test_dates_stay_buddhist_era_with_the_gregorian_year_in_english(app) -> None:
    day = date(2021, 1, 15)
    moment = datetime(2021, 1, 15, 9, 30, tzinfo=UTC)  # 16:30 in Bangkok
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert thai.display_date(day) == "15 Jan 2564 (2021)"
        assert thai.display_date(moment, with_time=True) == "15 Jan 2564 (2021) 16:30"
        assert thai.display_date(None) == "-"
    with app.test_request_context():
        assert thai.display_date(day) == "15 ม.ค. 2564"
        assert thai.display_date(moment, with_time=True) == "15 ม.ค. 2564 16:30 น."
    assert thai.thai_date(day) == "15 ม.ค. 2564"  # the Thai rendering itself is unchanged


def test_compile_writes_a_missing_or_stale_mo(tmp_path: Path) -> None:
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid "ก"\nmsgstr "A"\n', encoding="utf-8")
    assert i18n.compile_catalogues(tmp_path) == [folder / "messages.mo"]
    assert i18n.compile_catalogues(tmp_path) == []  # fresh: nothing to do


# ---- pages in English ------------------------------------------------------------------------------------


def _visible_text(html: str) -> str:
    """What a reader sees: the <main> and navigation text and the attributes read aloud, without scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<a [^>]*lang="th"[^>]*>[^<]*</a>', " ", html)  # the switch back to Thai says "ไทย"
    attrs = " ".join(re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', html))
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html) + " " + attrs)


def _thai_left(html: str, data: list[str]) -> list[str]:
    """Thai runs left on the page once the data (unit names, round titles, definition texts that have no
    English, answers) is taken out."""
    text = _visible_text(html)
    for item in sorted({d for d in data if d}, key=len, reverse=True):
        text = text.replace(item, " ")
    return THAI.findall(text)


def _untranslated_definition_texts(defn: s.FormDefinition) -> list[str]:
    """Definition texts without an `en`: shown in Thai by design (Thai fallback)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, s.LocalText):
            if not node.en:
                found.append(node.th)
        elif isinstance(node, s.BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(defn)
    return found


def _data(world, *rounds) -> list[str]:  # type: ignore[no-untyped-def]
    names = list(db.session.scalars(select(OrgUnit.name_th)))
    titles = [r.title for r in rounds]
    defn_texts = [t for r in rounds for t in _untranslated_definition_texts(r.form_version.parsed)]
    return names + titles + defn_texts


def _english(client) -> None:  # type: ignore[no-untyped-def]
    client.set_cookie("lang", "en")


def _login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})


def test_login_page_in_english_has_no_thai(client) -> None:
    _english(client)
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Sign in" in html
    left = _thai_left(html, [])
    assert left == [], left


def test_school_pages_in_english_have_no_thai_but_data(app, client, world) -> None:
    rnd = make_round(world)
    _english(client)
    _login(client, "school_a")
    data = _data(world, rnd)
    home = client.get("/").get_data(as_text=True)
    left = _thai_left(home, data)
    assert left == [], left
    response_id = start(client, rnd)
    section = client.get(f"/responses/{response_id}/s/0").get_data(as_text=True)
    assert "Save draft" in section
    assert rnd.form_version.parsed.sections[0].title.en in htmllib.unescape(section)
    left = _thai_left(section, data)
    assert left == [], left


def test_teacher_survey_in_english_has_no_thai_but_data(app, world) -> None:
    rnd = make_round(world, "tablet_satisfaction")
    url, _ = link_of(world, rnd)
    teacher = app.test_client()
    _english(teacher)
    html = teacher.get(url).get_data(as_text=True)
    assert rnd.form_version.parsed.title.en in htmllib.unescape(html)
    left = _thai_left(html, _data(world, rnd))
    assert left == [], left


def test_report_page_in_english_has_no_thai_but_data(app, client, world) -> None:
    rnd = make_round(world)
    _english(client)
    _login(client, "province")
    html = client.get(f"/reports/rounds/{rnd.id}").get_data(as_text=True)
    assert rnd.form_version.parsed.title.en in htmllib.unescape(html)
    left = _thai_left(html, _data(world, rnd))
    assert left == [], left
