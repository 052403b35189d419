"""Thai-first interface text with an English switch, through Flask-Babel's gettext catalogues.

The Thai text is the msgid. Templates wrap it in `_()`; Python code calls `gettext()` in a request and
`lazy_gettext()` at module level (form labels, choices); Thai kept as data but shown on pages (enum labels,
error titles passed to a template that translates them) is marked with `N_()`, so that extraction finds it and
the template's `_()` translates it. Placeholders are `{name}`, filled after translation:
`gettext("บันทึกแล้ว {n} ข้อ", n=3)`.

The English catalogue is `translations/en/LC_MESSAGES/messages.po`; its `.mo` is compiled when the app starts
(when missing or older than the `.po`), so a fresh clone needs no extra step. `make translations` extracts the
msgids from Python and templates (`babel.cfg`) and merges them into the catalogue. A msgid without English
falls back to Thai, so the Thai interface is always complete; a test fails while any msgid lacks English.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path

import flask_babel
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel
from flask_babel.speaklater import LazyString

LANGUAGES = ("th", "en")
LANG_COOKIE = "lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

log = logging.getLogger(__name__)
babel = Babel(configure_jinja=False)  # templates get our `_` below: `{name}` placeholders, and no Markup


def current_language() -> str:
    """The language of this request: the cookie when valid, else Thai (Thai outside a request, e.g. the CLI)."""
    if not has_request_context():
        return "th"
    lang = getattr(g, "lang", None)
    if lang is None:
        lang = request.cookies.get(LANG_COOKIE, "th")
        g.lang = lang = lang if lang in LANGUAGES else "th"
    return str(lang)


def gettext(text: str, **values: object) -> str:
    """The text in the current language, with `{name}` placeholders filled after translation."""
    translated = flask_babel.gettext(str(text)) if current_language() != "th" else str(text)
    return translated.format(**values) if values else translated


_ = gettext


def lazy_gettext(text: str, **values: object) -> LazyString:
    """`gettext` evaluated when shown, for text defined at import time (form labels, choices, enum labels)."""
    return LazyString(gettext, text, **values)


def N_(text: str) -> str:  # noqa: N802 (the gettext convention for "mark only")
    """Mark Thai text for extraction without translating it here: it is kept as data (an enum's Thai label,
    an error title handed to a template) and translated by `_()` where it is shown."""
    return text


def pick(th: str, en: str | None) -> str:
    """Choose between a Thai and an optional English text (definitions and units carry both)."""
    return en if en and current_language() == "en" else th


@cache
def script_msgids(folder: str) -> tuple[str, ...]:
    """The Thai texts the scripts in `folder` pass to `gettext(…)`, read once per process (as babel.cfg
    extracts them), so each page carries the English of those texts only."""
    found = {
        str(message)
        for path in sorted(Path(folder).glob("*.js"))
        for _line, message, _comments, _context in extract_from_file(
            "javascript", str(path), keywords={"gettext": None}
        )
        if isinstance(message, str)
    }
    return tuple(sorted(found))


def js_texts() -> dict[str, str]:
    """The scripts' texts in the current language, for the JSON block that js/i18n.js reads (empty in Thai)."""
    if current_language() == "th":
        return {}
    return {text: gettext(text) for text in script_msgids(os.path.join(current_app.static_folder or "", "js"))}


def compile_catalogues(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile each `.po` whose `.mo` is missing or older, so a fresh clone and an edited catalogue just work.
    Written to a temporary file and renamed, so workers starting together never read half a file."""
    compiled = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        tmp = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as target:
                write_mo(target, catalog)
            os.replace(tmp, mo)
        except OSError as exc:  # a read-only install: English falls back to Thai rather than failing to start
            log.warning("cannot compile %s: %s", po, exc)
            continue
        compiled.append(mo)
    return compiled


def init_app(app: Flask) -> None:
    """Flask-Babel with the `lang` cookie as locale selector; `_`, `pick` and the language for templates."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "th")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    compile_catalogues()
    babel.init_app(app, locale_selector=current_language)
    app.jinja_env.globals.update(
        _=gettext, gettext=gettext, pick=pick, current_language=current_language, js_texts=js_texts
    )
