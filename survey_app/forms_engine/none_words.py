"""Typed words that mean "none": a text answer of "ไม่มี", "-" or "ไม่ได้ดำเนินการ" is not a named project.

The language has an explicit none state (the "ไม่มี" switch); people still type the word. The save warns and
offers the switch, and reports count such text apart instead of as a named project. One list, used by both.
"""

from __future__ import annotations

import re
import unicodedata

NONE_WORDS = frozenset(
    {
        "ไม่มี",
        "ไม่มีครับ",
        "ไม่มีค่ะ",
        "ไม่มีคะ",
        "ไม่มีข้อมูล",
        "ไม่ได้ดำเนินการ",
        "ไม่ได้ทำ",
        "ไม่ดำเนินการ",
        "ไม่เกี่ยวข้อง",
        "ไม่เกี่ยวข้องกับหน่วยงาน",
        "ไม่มีโครงการ",
        "ไม่มีกิจกรรม",
        "ไม่ระบุ",
        "none",
        "no",
        "nil",
        "n/a",
        "na",
        "-",
        "--",
        "---",
        "–",
        "—",
        "0",
        "๐",
        ".",
        "x",
    }
)
_FOLD = re.compile(r"[\s\"'“”‘’()\[\]]+")


def looks_like_none(text: object) -> bool:
    """True when a typed answer only says "none" (ignoring spaces, quotes, brackets, case and a final dot)."""
    if not isinstance(text, str):
        return False
    folded = _FOLD.sub("", unicodedata.normalize("NFC", text)).casefold()
    if folded not in NONE_WORDS:
        folded = folded.rstrip(".")
    return folded in NONE_WORDS
