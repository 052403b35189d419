"""Reading numbers and dates the way people type them: Thai and full-width digits, thousands separators,
Buddhist-Era years. Shared by the question types; every failure is a Thai message, never an exception."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from survey_app.core.thai import arabic_digits

_NUMBER_JUNK = re.compile(r"[,\s\u00a0_]")


def parse_number(text: str, *, integer: bool) -> tuple[Decimal | None, str | None]:
    """A typed number (Thai or full-width digits, thousands separators allowed) or a Thai error."""
    cleaned = _NUMBER_JUNK.sub("", arabic_digits(text))
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None, "กรุณากรอกเป็นตัวเลข"
    if not number.is_finite() or abs(number) > Decimal("1e15"):
        return None, "ตัวเลขนี้ใหญ่เกินไปหรือไม่ใช่ตัวเลขที่ใช้ได้"
    if integer and number != number.to_integral_value():
        return None, "กรุณากรอกเป็นจำนวนเต็ม"
    return number, None


_THAI_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(text: str) -> date | None:
    """ISO (from the date picker) or d/m/yyyy typed by hand; a year above 2400 is Buddhist Era."""
    text = arabic_digits(text.strip())
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _THAI_DATE.match(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if year > 2400:
        year -= 543
    try:
        return date(year, month, day)
    except ValueError:
        return None
