"""Thai-first interface text with an English switch.

Templates and code write the Thai text and wrap it in `_()`; `translations/en.json` maps Thai to English.
A missing English entry falls back to Thai, so the Thai interface is always complete.
"""

import json
from functools import cache
from pathlib import Path

from flask import Flask, g, request

LANGUAGES = ("th", "en")
LANG_COOKIE = "lang"
_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@cache
def _catalog(lang: str) -> dict[str, str]:
    path = _TRANSLATIONS / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def current_language() -> str:
    """The language of this request: the cookie when valid, else Thai."""
    lang = getattr(g, "lang", None)
    if lang is None:
        lang = request.cookies.get(LANG_COOKIE, "th")
        g.lang = lang if lang in LANGUAGES else "th"
    return g.lang


def gettext(text: str, **values: object) -> str:
    """The text in the current language, with `{name}` placeholders filled."""
    lang = current_language()
    translated = text if lang == "th" else _catalog(lang).get(text, text)
    return translated.format(**values) if values else translated


def pick(th: str, en: str | None) -> str:
    """Choose between a Thai and an optional English label (definitions carry both)."""
    return en if en and current_language() == "en" else th


def init_app(app: Flask) -> None:
    """Expose `_`, `pick` and the language to templates."""
    app.jinja_env.globals.update(_=gettext, pick=pick, current_language=current_language)
