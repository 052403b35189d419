"""Keeping what a user typed through an expired session, and nothing a forger sent.

A page that saves a draft carries a signed marker saying whose page it is and which address it posts to.
When the session or the CSRF token has gone, the posted fields are offered again (one click, with a fresh
token) only when the marker is valid for this address, belongs to the user who is (or then signs) in, and
the request came from our own origin. A forged request has no such marker: certify, return, accept,
submit and every other state change simply fail, with nothing carried.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

MARKER_FIELD = "draft_marker"
MARKER_MAX_AGE = 14 * 24 * 3600  # a draft page may stay open for days; the session lasts 12 hours
MAX_REPLAY_FIELDS = 2000
MAX_REPLAY_CHARS = 500_000

Fields = list[tuple[str, str]]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="draft-replay")


def draft_marker(path: str, user_id: int) -> str:
    """The marker a draft form carries: this user's page, posting to this path."""
    return _serializer().dumps({"u": user_id, "p": path})


def marker_for_this_page() -> str:
    """Template helper: the marker for the signed-in user's form that posts to the current address."""
    return draft_marker(request.path, int(current_user.id)) if current_user.is_authenticated else ""


def marker_owner(fields: Iterable[tuple[str, str]], path: str) -> int | None:
    """The user id a valid marker among the fields names for this path, or None."""
    value = next((v for k, v in fields if k == MARKER_FIELD), None)
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=MARKER_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != path or not isinstance(data.get("u"), int):
        return None
    return int(data["u"])


def from_own_origin() -> bool:
    """False when the browser says the request came from another origin (Sec-Fetch-Site, Origin, or
    Referer); a browser that sends none of them is judged by the marker alone."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return True
    if source == "null":  # an opaque origin: a sandboxed frame or a data: page, never ours
        return False
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def posted_fields() -> Fields:
    """The posted text fields (not the old token, not files); empty when too many or too large."""
    if request.method != "POST" or not request.form:
        return []
    fields = [(k, v) for k, values in request.form.lists() if k != "csrf_token" for v in values]
    if len(fields) > MAX_REPLAY_FIELDS or sum(len(k) + len(v) for k, v in fields) > MAX_REPLAY_CHARS:
        return []
    return fields


def replayable(fields: Fields, path: str, user_id: int | None) -> bool:
    """May these fields be offered again for `path`? Only the marked draft form of this very user (when
    nobody is signed in yet, the owner is checked again at sign-in), sent from our own origin."""
    owner = marker_owner(fields, path)
    return owner is not None and (user_id is None or owner == user_id) and from_own_origin()


def fields_to_replay() -> Fields:
    """This request's fields when they may be carried through a new token or a sign-in, else nothing."""
    fields = posted_fields()
    user_id = int(current_user.id) if current_user.is_authenticated else None
    return fields if fields and replayable(fields, request.path, user_id) else []
