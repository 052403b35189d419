"""Issue 14 item 28: a school and a teacher get through their surveys with the keyboard alone.

No clicks: Tab and Shift+Tab move, Enter and Space act, text is typed, and the one <select> is changed with the
arrow key as a keyboard user does. At every stop the focused control must show where the focus is (its outline or
box-shadow differs from how it looks unfocused) and must have a name a screen reader reads out. Errors must be
announced (role=alert) and tied to their field (aria-describedby). axe checks every page on the way (conftest)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus
from survey_app.rounds.models import RoundUnit
from tests.e2e.axe import check_now, report
from tests.e2e.helpers import shot
from tests.factories import PASSWORD
from tests.fixtures.answering import MINIMAL, make_round, published_world

pytestmark = pytest.mark.e2e

# What the focused element looks like now, and (on the next call) what the element focused before looks like
# now that the focus has left it. Only outline and box-shadow count: they are what a focus ring is drawn with.
FOCUS_STEP = """() => {
  const look = (el) => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : '';
    return outline + ' | ' + (s.boxShadow === 'none' ? '' : s.boxShadow);
  };
  const prev = window.__kbPrev || null;
  const el = document.activeElement;
  const left = prev && prev.el !== el && prev.el.isConnected ? {what: prev.what, focused: prev.look, unfocused: look(prev.el)} : null;
  const what = el === document.body ? 'body' : el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.name ? `[name=${el.name}]` : '') + (el.value && el.type === 'radio' ? `[value=${el.value}]` : '');
  window.__kbPrev = el === document.body ? null : {el: el, what: what, look: look(el)};
  return {left: left, what: what, tag: el.tagName.toLowerCase(), type: el.type || '', checked: !!el.checked,
          value: el.value || '', testid: el.dataset ? (el.dataset.testid || '') : ''};
}"""


@dataclass
class Keyboard:
    """Drives one page by keys and keeps what it saw at each stop: where the focus was not visible, and
    which controls had no accessible name."""

    page: object
    unseen: list[str] = field(default_factory=list)
    nameless: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def press(self, key: str) -> dict:  # type: ignore[type-arg]
        self.page.keyboard.press(key)  # type: ignore[attr-defined]
        return self.stop()

    def go(self, key: str) -> None:
        """A key that leaves the page (Enter on a link or a submit button): nothing to look at until it loads."""
        with self.page.expect_navigation():  # type: ignore[attr-defined]
            self.page.keyboard.press(key)  # type: ignore[attr-defined]

    def stop(self) -> dict:  # type: ignore[type-arg]
        """Look at the focused element: its name now, and whether the one before showed its focus."""
        now = self.page.evaluate(FOCUS_STEP)  # type: ignore[attr-defined]
        left = now["left"]
        if left and left["focused"] == left["unfocused"]:
            self.unseen.append(f"{left['what']}: looks the same focused and unfocused ({left['focused']!r})")
        if now["tag"] in ("input", "select", "textarea", "button", "a", "summary"):
            name = accessible_name(self.page)
            self.names.append(f"{now['what']}: {name}")
            if not name:
                self.nameless.append(now["what"])
        return now  # type: ignore[no-any-return]

    def tab_to(self, selector: str, *, back: bool = False, limit: int = 120) -> dict:  # type: ignore[type-arg]
        """Tab (or Shift+Tab) until the element is focused; fails if the keyboard cannot reach it."""
        target = self.page.locator(selector)  # type: ignore[attr-defined]
        for _ in range(limit):
            now = self.press("Shift+Tab" if back else "Tab")
            if target.evaluate("el => el === document.activeElement"):
                return now
        raise AssertionError(f"{selector} cannot be reached with {'Shift+Tab' if back else 'Tab'}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)  # type: ignore[attr-defined]

    def answer_until(self, stop_selector: str, *, limit: int = 200) -> int:
        """Tab through a form answering each control on the way the way a person would; returns how many."""
        answered = 0
        stop = self.page.locator(stop_selector)  # type: ignore[attr-defined]
        for _ in range(limit):
            now = self.press("Tab")
            if stop.evaluate("el => el === document.activeElement"):
                return answered
            answered += self._answer(now)
        raise AssertionError(f"{stop_selector} not reached by Tab")

    def _answer(self, now: dict) -> int:  # type: ignore[type-arg]
        page = self.page
        kind = now["type"]
        if now["tag"] == "select":
            if page.evaluate("document.activeElement.selectedIndex") <= 0:  # type: ignore[attr-defined]
                page.keyboard.press("ArrowDown")  # type: ignore[attr-defined]
                return 1
        elif kind in ("radio", "checkbox") and not now["checked"]:
            special = page.evaluate(  # type: ignore[attr-defined]
                "() => { const el = document.activeElement; return !!(el.dataset.noneFor || el.dataset.exclusive"
                " || el.getAttribute('role') === 'switch' || el.closest('.choice-special')"
                " || el.form && [...el.form.elements].some(o => o.name === el.name && o.checked)); }"
            )
            if not special:
                page.keyboard.press("Space")  # type: ignore[attr-defined]
                return 1
        elif (now["tag"] == "textarea" or kind == "text") and not now["value"]:
            typed = page.evaluate(  # type: ignore[attr-defined]
                "() => { const el = document.activeElement; return el.dataset.beDate !== undefined ? '15/01/2564'"
                " : el.dataset.number ? '1200' : 'ทดสอบด้วยแป้นพิมพ์'; }"
            )
            self.type(typed)
            return 1
        return 0

    def assert_clean(self) -> None:
        assert not self.unseen, "focus not visible:\n" + "\n".join(self.unseen)
        assert not self.nameless, "controls without an accessible name:\n" + "\n".join(self.nameless)


def accessible_name(page) -> str:  # type: ignore[no-untyped-def]
    """The focused control's accessible name as the browser's accessibility tree gives it (what is read out)."""
    snapshot = page.locator(":focus").aria_snapshot()
    match = re.match(r'-\s+[\w-]+\s+"((?:[^"\\]|\\.)*)"', snapshot.strip())
    if match:
        return match.group(1)
    match = re.match(r"-\s+[\w-]+\s*(?:\[[^\]]*\]\s*)*:\s*(.+)", snapshot.strip().splitlines()[0])
    return match.group(1).strip() if match else ""


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """The usual province, with the minimal form published too."""
    return published_world(MINIMAL)


def test_a_school_signs_in_answers_meets_an_error_and_submits_by_keyboard(live_server, desktop, world):
    make_round(world, "minimal")  # every question type once, over two sections
    page, base = desktop, live_server
    page.emulate_media(reduced_motion="reduce")  # focus rings drawn at once, not mid-transition
    keys = Keyboard(page)

    page.goto(f"{base}/login")
    keys.tab_to("#username")
    assert accessible_name(page) == "ชื่อผู้ใช้"
    keys.type("school_a")
    keys.press("Tab")
    assert accessible_name(page) == "รหัสผ่าน"
    keys.type(PASSWORD)
    keys.go("Enter")
    page.wait_for_url(f"{base}/")

    keys.tab_to("a:has-text('เริ่มตอบ')")
    keys.go("Enter")
    page.wait_for_url(re.compile(r".*/rounds/\d+.*"))
    keys.tab_to("[data-testid=start]")
    keys.go("Space")
    page.wait_for_url(re.compile(r".*/responses/\d+/s/0$"))
    rid = int(re.search(r"/responses/(\d+)/", page.url).group(1))

    # section 1: every question answered on the way to the save button, then one number made wrong
    assert keys.answer_until("[data-testid=save]") >= 6
    keys.tab_to("#budget_received", back=True)  # back up with Shift+Tab
    assert accessible_name(page).endswith("งบประมาณที่ได้รับ")
    page.keyboard.press("Control+A")
    keys.type("หนึ่งพัน")
    keys.tab_to("[data-testid=save]")
    keys.go("Enter")

    # the error is announced and tied to its field
    field = page.locator("#budget_received")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby").split()
    assert "err-budget_received" in described
    message = page.locator("#err-budget_received")
    assert message.get_attribute("role") == "alert" and message.inner_text().strip()
    assert page.get_by_role("alert").filter(has_text="ยังไม่ได้บันทึก").count() == 1  # the save summary
    shot(page, "a11y-keyboard-error")
    assert not check_now(page), report(check_now(page))  # the page with its errors shown passes axe too

    # the summary's link takes the keyboard to the question; the field is fixed and the section left
    keys.tab_to("[data-testid=save-summary] a[href='#q-budget_received']")
    keys.press("Enter")
    keys.tab_to("#budget_received")
    page.keyboard.press("Control+A")
    keys.type("50000")
    keys.tab_to("[data-testid=next]")
    keys.go("Enter")
    page.wait_for_url(re.compile(r".*/s/1$"))
    assert not page.locator(".field-error").count()

    # section 2: ratings by Space; Shift+Tab goes back a group; Enter in a group saves and stays here
    assert keys.answer_until("[data-testid=save]") == 3
    assert keys.press("Shift+Tab")["type"] == "submit"  # "previous section"
    back = keys.press("Shift+Tab")  # into the last rating group, at its chosen point
    assert back["type"] == "radio" and back["checked"], back
    keys.go("Enter")
    assert page.url.endswith("/s/1"), page.url  # not sent to another section by the implicit submission
    keys.tab_to("[data-testid=to-submit]")
    keys.go("Enter")
    page.wait_for_url(re.compile(r".*/submit$"))
    assert page.get_by_test_id("complete").is_visible()
    keys.tab_to("[data-testid=submit]")
    keys.go("Enter")
    page.wait_for_url(re.compile(r".*/responses/\d+$"))
    assert "ส่งแล้ว" in page.get_by_test_id("status").inner_text()
    keys.assert_clean()

    db.session.rollback()
    response = db.session.get(Response, rid)
    assert response.status == ResponseStatus.SUBMITTED
    answers = response.answer_map()
    assert answers["budget_received"].value == 50000
    assert answers["satisfaction"].value is not None


def test_a_teacher_answers_every_question_of_the_public_survey_by_keyboard(live_server, phone, world):
    rnd = make_round(world, "tablet_satisfaction")
    token = db.session.scalar(
        select(RoundUnit.link_token).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id == world["a"].id)
    )
    page = phone
    page.emulate_media(reduced_motion="reduce")
    keys = Keyboard(page)
    page.goto(f"{live_server}/s/{token}")

    answered = keys.answer_until("[data-testid=send]")
    names = "\n".join(keys.names)
    assert "select#tb_subject_group[name=tb_subject_group]: " in names
    subject = next(n for n in keys.names if n.startswith("select#tb_subject_group"))
    assert "กลุ่มสาระ" in subject, subject  # the select is read out with its question
    questions = page.locator("#answer-form .q:visible").count()
    assert answered >= questions, (answered, questions)
    keys.go("Enter")
    page.wait_for_url(re.compile(r".*/thanks$"))
    assert page.get_by_test_id("thanks").is_visible()
    keys.assert_clean()

    db.session.rollback()
    response = db.session.scalar(select(Response).where(Response.round_id == rnd.id))
    assert response is not None
    assert response.answer_map()["tb_subject_group"].has_value
