"""Web plumbing shared by every feature: template filters, error pages and the home-page panel registry."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import SecurityError
from wtforms.fields.choices import SelectChoice

from survey_app.core import replay, thai
from survey_app.core.db import write_intent
from survey_app.core.i18n import N_, gettext
from survey_app.core.permissions import ScopedUser


@dataclass(frozen=True)
class HomePanel:
    """A block on the home page, rendered by the feature that owns it (keeps imports one-way)."""

    order: int
    render: Callable[[ScopedUser], Markup | str | None]


_HOME_PANELS: list[HomePanel] = []


def register_home_panel(order: int, render: Callable[[ScopedUser], Markup | str | None]) -> None:
    """Features call this at import time to add their block to every user's home page."""
    _HOME_PANELS.append(HomePanel(order, render))
    _HOME_PANELS.sort(key=lambda p: p.order)


def home_panels(user: ScopedUser) -> list[Markup]:
    """The rendered panels that have something to show this user."""
    rendered = (panel.render(user) for panel in _HOME_PANELS)
    # panels come from render_template with autoescaping on, so their HTML is already safe
    return [Markup(html) for html in rendered if html]  # noqa: S704


@dataclass(frozen=True)
class NavItem:
    """A link in the top bar, shown to the roles that may use it."""

    order: int
    label: str
    endpoint: str
    roles: frozenset[str]


_NAV: list[NavItem] = []


def register_nav(order: int, label: str, endpoint: str, roles: set[str] | frozenset[str]) -> None:
    """Features add their top-bar links here; the base layout shows those the user's role may use."""
    if not any(item.endpoint == endpoint for item in _NAV):
        _NAV.append(NavItem(order, label, endpoint, frozenset(roles)))
        _NAV.sort(key=lambda item: item.order)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str


def nav_items(user: object) -> list[NavLink]:
    role = getattr(user, "role", None)
    return [NavLink(item.label, url_for(item.endpoint)) for item in _NAV if role in item.roles]


def select_choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute address to hand to the public (survey links, QR codes, e-mails): from PUBLIC_BASE_URL
    when configured, never from whatever Host header a request carried (see ALLOWED_HOSTS in config)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


_PROVIDERS: dict[str, Callable[..., object]] = {}


def provide(name: str, function: Callable[..., object]) -> None:
    """A later feature offers data to an earlier one (e.g. review comments shown on the answer page),
    so imports keep flowing one way."""
    _PROVIDERS[name] = function


def provided(name: str, *args: object, default: object = None) -> object:
    """What the provider registered under `name` returns for these arguments, or the default."""
    function = _PROVIDERS.get(name)
    return function(*args) if function is not None else default


@lru_cache(maxsize=256)
def _static_stamp(folder: str, filename: str) -> str:
    try:
        return str(int(os.path.getmtime(os.path.join(folder, filename))))
    except OSError:
        return "0"


def _error(code: int, title: str, message: str) -> ResponseReturnValue:
    return render_template("error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    """Filters for Thai dates and numbers, and Thai error pages."""
    app.add_template_filter(thai.display_date, "thai_date")  # Buddhist Era; English adds the Gregorian year
    app.add_template_filter(lambda v: thai.display_date(v, with_time=True), "thai_datetime")
    app.add_template_filter(thai.thai_digits, "thai_digits")
    app.add_template_filter(thai.format_number, "number")
    app.jinja_env.globals.update(
        nav_items=nav_items,
        today_be=lambda: thai.display_date(thai.today_bangkok()),
        draft_marker=replay.marker_for_this_page,
        draft_marker_field=replay.MARKER_FIELD,
    )
    _register_error_pages(app)
    _register_request_hooks(app)


# The plain Thai error pages: (title, message) by status code; the special ones are functions below.
_ERROR_PAGES = {
    400: (N_("คำขอไม่ถูกต้อง"), N_("กรุณากลับไปหน้าก่อนหน้าแล้วลองอีกครั้ง")),  # never echoes what was sent
    403: (N_("ไม่มีสิทธิ์"), N_("บทบาทของคุณไม่สามารถทำรายการนี้ได้")),
    404: (N_("ไม่พบหน้าที่ต้องการ"), N_("หน้านี้ไม่มีอยู่ หรือคุณไม่มีสิทธิ์เข้าถึง")),
    500: (N_("ระบบขัดข้อง"), N_("เกิดข้อผิดพลาดภายในระบบ กรุณาลองใหม่อีกครั้ง")),
}


def _register_error_pages(app: Flask) -> None:
    """Thai error pages; a form whose CSRF token expired is shown again with what was typed."""
    for code, (title, message) in _ERROR_PAGES.items():
        app.register_error_handler(code, lambda _exc, c=code, t=title, m=message: _error(c, t, m))
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(CSRFError, _csrf_failed)


def _untrusted_host(_exc: Exception) -> tuple[str, int, dict[str, str]]:
    """A Host the app was not told to answer to (ALLOWED_HOSTS): no page can be built for it (every link
    would name that host), so a plain answer that does not repeat it."""
    return "400 คำขอไม่ถูกต้อง (Bad Request)\n", 400, {"Content-Type": "text/plain; charset=utf-8"}


def _too_large(_exc: Exception) -> tuple[str, int]:
    """The body was over the limit, so none of it was read: say so, and lead back to the form (answers
    saved before, by hand or autosave, are all there; the page's own size check usually stops this)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    message = gettext(
        "ข้อมูลที่ส่งครั้งนี้ใหญ่เกิน {limit} MB (มักเป็นเพราะไฟล์แนบ) ระบบจึงยังไม่ได้รับข้อมูลชุดนี้ "
        "คำตอบที่บันทึกไว้ก่อนหน้า รวมทั้งที่บันทึกอัตโนมัติ ยังอยู่ครบ กรุณากลับไปที่แบบฟอร์ม "
        "เลือกไฟล์ที่เล็กลง แล้วบันทึกอีกครั้ง",
        limit=limit,
    )
    back = request.path if request.method == "POST" else None  # forms post to their own page
    return render_template("error.html", code=413, title=N_("ข้อมูลใหญ่เกินไป"), message=message, back=back), 413


def _csrf_failed(_exc: Exception) -> ResponseReturnValue:
    """An expired or missing token. A draft the user typed on their own page is offered again (with a
    fresh token, or through the sign-in page when the session has gone); anything else just fails."""
    fields = replay.fields_to_replay()
    if fields and current_user.is_authenticated:
        return render_template("replay.html", fields=fields, target=request.path, expired=True), 400
    if fields:  # the session has gone: sign in first, and the draft comes along
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]  # set by Flask-Login
    return _error(400, N_("แบบฟอร์มหมดอายุ"), N_("กรุณากลับไปหน้าก่อนหน้า โหลดหน้าใหม่ แล้วลองอีกครั้ง"))


def _register_request_hooks(app: Flask) -> None:
    """Versioned static URLs, refusal of NUL bytes, the SQLite write intent, the request path for templates."""

    @app.url_defaults
    def _static_version(endpoint: str, values: dict[str, object]) -> None:
        """Static URLs carry the file's modification time, so browsers may cache them long and still
        fetch a changed file after a deployment."""
        if endpoint == "static" and "filename" in values:
            values.setdefault("v", _static_stamp(app.static_folder or "", str(values["filename"])))

    app.before_request(refuse_nul)

    @app.before_request
    def _declare_write_intent() -> None:
        """Reads begin deferred on SQLite; anything that may change data takes the write lock up front."""
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.context_processor
    def _request_path() -> dict[str, object]:
        return {"request_path": request.path}


def refuse_nul() -> None:
    """A NUL byte in the path or query string is never meaningful; PostgreSQL refuses it in text, which
    would surface as a 500. Answer "not found" before any query sees it."""
    if "\x00" in request.path or b"%00" in request.query_string or b"\x00" in request.query_string:
        abort(404)
