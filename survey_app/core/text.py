"""Cleaning of typed text before it is checked or stored: the same rules for every input of the app."""

import re
import unicodedata

# C0/C1 controls except tab and newline, and the bidi embedding/override/isolate marks that can disguise text.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str | None) -> str | None:
    """NFC-normalised text without control characters or bidi overrides, trimmed; None stays None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", text).strip()


def clean_line(value: str | None) -> str | None:
    """Like clean_text, and runs of white space (including newlines) folded to one space."""
    text = clean_text(value)
    return None if text is None else " ".join(text.split())
