"""HTTP hardening: security headers on every response, no `Server` header naming the software, and the
check for safe `next` redirects."""

import sys
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from flask import Flask, Response, request
from werkzeug.serving import WSGIRequestHandler

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; frame-src 'self'; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only local paths are followed after login; `//host`, `\\\\host` and absolute URLs are refused."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        headers.setdefault("Cache-Control", "no-store")
    return response


def hide_server_software() -> None:
    """Neither server that runs the app sends a `Server` header (it names the software and its version, which
    only helps someone matching known flaws).

    The header is written by the HTTP server below WSGI, after the app returns, so no after_request hook
    or middleware can remove it; each server's own header writer is replaced instead, in this process:
    Werkzeug's (`flask run`, `make run`) and gunicorn's (docs/deploy.md). Both are checked against a real
    server process by tests/security/test_refused_access.py. Behind nginx, nginx writes its own header
    (see docs/deploy.md: `server_tokens off`)."""
    WSGIRequestHandler.send_response = _send_response_without_server  # type: ignore[method-assign,assignment]
    gunicorn_wsgi = sys.modules.get("gunicorn.http.wsgi")
    if gunicorn_wsgi is not None and not getattr(gunicorn_wsgi.Response.default_headers, "quiet", False):
        gunicorn_wsgi.Response.default_headers = _without_server_line(gunicorn_wsgi.Response.default_headers)


def _send_response_without_server(self: WSGIRequestHandler, code: int, message: str | None = None) -> None:
    """http.server's send_response without its `Server: Werkzeug/… Python/…` line."""
    self.log_request(code)
    self.send_response_only(code, message)
    self.send_header("Date", self.date_time_string())


def _without_server_line(default_headers: Any) -> Any:
    """gunicorn's status line and default headers ("Server: gunicorn", Date, Connection) minus Server."""

    def quiet_default_headers(response: Any) -> list[str]:
        return [line for line in default_headers(response) if not line.lower().startswith("server:")]

    quiet_default_headers.quiet = True  # type: ignore[attr-defined]
    return quiet_default_headers


def init_app(app: Flask) -> None:
    """Register the header hook and silence the servers' own `Server` header."""
    app.after_request(_add_headers)
    hide_server_software()
