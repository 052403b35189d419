"""Driving answer pages the way a clerk does: pick "ไม่มี" where nothing was done, attach files, rate."""

from __future__ import annotations

import os
from pathlib import Path

from tests.factories import PASSWORD

PHONE = {"width": 360, "height": 740}
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/e2e-screens"))


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep a screenshot of what the user saw, for people to look at (not asserted on)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{base}/")


def logout(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("details.dropdown summary").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{base}/login")


def answer_visible_questions(page, pdf: Path | None = None, rating: str = "last") -> None:  # type: ignore[no-untyped-def]
    """Answer every question shown on the page: "none" where offered, a file where asked, a rating."""
    for box in page.locator("#answer-form .q").all():
        if not box.is_visible():
            continue
        none_choice = box.locator('input[value="__none__"]')
        none_flag = box.locator("input[data-none-for]")
        if none_choice.count():
            none_choice.first.check()
        elif box.locator("input[type=file]").count():
            if pdf is not None:
                box.locator("input[type=file]").set_input_files(str(pdf))
        elif none_flag.count():
            none_flag.first.check()
        elif box.locator("select").count():
            box.locator("select").select_option(index=1)
        elif box.locator("input[type=checkbox]").count():
            box.locator("input[type=checkbox]").first.check()
        elif box.locator("input[type=radio]").count():
            _rate(box, rating)
        elif box.locator("textarea, input[type=text]").count():
            box.locator("textarea, input[type=text]").first.fill("ข้อเสนอแนะทดสอบ")


def _rate(box, rating: str) -> None:  # type: ignore[no-untyped-def]
    groups: dict[str, list] = {}
    for radio in box.locator("input[type=radio]").all():
        groups.setdefault(radio.get_attribute("name"), []).append(radio)
    for radios in groups.values():
        (radios[-1] if rating == "last" else radios[0]).check()
