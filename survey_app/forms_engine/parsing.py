"""Reading numbers the way people type them: Thai and full-width digits, thousands separators. Shared by the
question types; every failure is a Thai message, never an exception. (Dates: core.thai.parse_be_date.)

static/js/form.js `parseNumber` mirrors parse_number for show_if in the browser; change both together
(tests/e2e/test_answering_fixes.py compares them)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from survey_app.core.i18n import gettext
from survey_app.core.thai import arabic_digits

_NUMBER_JUNK = re.compile(r"[,\s\u00a0_]")


def parse_number(text: str, *, integer: bool) -> tuple[Decimal | None, str | None]:
    """A typed number (Thai or full-width digits, thousands separators allowed) or a Thai error."""
    cleaned = _NUMBER_JUNK.sub("", arabic_digits(text))
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None, gettext("กรุณากรอกเป็นตัวเลข")
    if not number.is_finite() or abs(number) > Decimal("1e15"):
        return None, gettext("ตัวเลขนี้ใหญ่เกินไปหรือไม่ใช่ตัวเลขที่ใช้ได้")
    if integer and number != number.to_integral_value():
        return None, gettext("กรุณากรอกเป็นจำนวนเต็ม")
    return number, None
