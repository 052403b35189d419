"""Settings, read from the environment with safe defaults for one machine.

| variable | meaning | default |
|---|---|---|
| DATABASE_URL | SQLAlchemy URL; `postgresql://…` in production | SQLite `instance/survey.db` (WAL) |
| SECRET_KEY | signs sessions and CSRF tokens; set it in production | random, kept in `instance/secret_key` |
| SESSION_COOKIE_SECURE | `1` when served over HTTPS | off |
| UPLOAD_DIR | where uploaded files are stored | `instance/uploads` |
| EXPORT_DIR | where CLI reports are written | `exports/` in the project |
| MAX_UPLOAD_MB | largest request body accepted | 25 |
| SMTP_HOST / SMTP_PORT / SMTP_FROM | reminder e-mail; unset means no e-mail | unset |
| TRUST_PROXY | number of proxies in front (nginx) whose X-Forwarded-* are trusted | 0 |
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept beside the database."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres URLs (Heroku-style `postgres://` too)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_config(instance_path: Path) -> dict[str, object]:
    """The app's configuration for this environment."""
    instance_path.mkdir(parents=True, exist_ok=True)
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'survey.db'}"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(db_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_NAME": "survey_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # The cookie is signed again only when the session changes (sign-in, a message, a new CSRF token),
        # not on every request: a session lasts 12 hours from its last change, and a page view costs one
        # HMAC less. Revocation does not depend on it (the token is checked on every request).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session: a form left open for hours still saves
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "25")) * 1024 * 1024,
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(instance_path / "uploads")),
        "EXPORT_DIR": os.environ.get("EXPORT_DIR", str(PROJECT_ROOT / "exports")),
        "FORM_DEFINITIONS_DIR": os.environ.get("FORM_DEFINITIONS_DIR", str(PROJECT_ROOT / "form_definitions")),
        "SMTP_HOST": os.environ.get("SMTP_HOST"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "no-reply@localhost"),
        "TRUST_PROXY": int(os.environ.get("TRUST_PROXY", "0")),
        "PASSWORD_HASH_FAST": False,
        "DEFAULT_LANGUAGE": "th",
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],  # static files stream; browsers all take br
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "image/svg+xml",
        ],
        "SEND_FILE_MAX_AGE_DEFAULT": 7 * 24 * 3600,  # static assets: cached a week by browsers
        "PRIVACY_MIN_RESPONDENTS": int(os.environ.get("PRIVACY_MIN_RESPONDENTS", "5")),
    }
