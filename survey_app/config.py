"""Settings, read from the environment with safe defaults for one machine.

| variable | meaning | default |
|---|---|---|
| DATABASE_URL | SQLAlchemy URL; `postgresql://…` in production | SQLite `instance/survey.db` (WAL) |
| SECRET_KEY | signs sessions and CSRF tokens; set it in production | random, kept in `instance/secret_key` |
| SESSION_COOKIE_SECURE | `1` when served over HTTPS | off |
| UPLOAD_DIR | where uploaded files are stored | `instance/uploads` |
| EXPORT_DIR | where CLI reports are written | `exports/` in the project |
| MAX_UPLOAD_MB | largest request body accepted | 25 |
| UPLOAD_QUOTA_PER_LINK_MB / UPLOAD_QUOTA_PER_LINK_FILES | files all the answers through one unit's public person link may hold together (a public link cannot fill the disk) | 500 / 2000 |
| SMTP_HOST / SMTP_PORT / SMTP_FROM | reminder e-mail; unset means no e-mail | unset |
| PUBLIC_BASE_URL | the address people use, e.g. `https://survey.example.go.th`; survey links and QR codes are built from it | unset |
| ALLOWED_HOSTS | comma-separated host names the app answers to (others get 400); needed when PUBLIC_BASE_URL is unset | `localhost,127.0.0.1,::1` when PUBLIC_BASE_URL is unset |
| TRUST_PROXY | number of proxies in front (nginx) whose X-Forwarded-* are trusted | 0 |
| DB_LOCK_TIMEOUT_MS | how long a save waits for another writer's lock before "busy, press save again" | 5000 |
| EXPORT_WORKERS | exports built at the same time per app process (each holds at most two DB connections) | 2 |
| EXPORT_JOBS_PER_USER | exports one user may have queued or running at once | 5 |
| REMINDER_CHECK_SECONDS | how often a serving process checks for scheduled reminders that are due | 300 |
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


def _allowed_hosts() -> list[str] | None:
    """Host names the app answers to. Unset: any, when PUBLIC_BASE_URL fixes the public links; else only
    this machine's own names (a request claiming another Host gets 400, so no link can point elsewhere)."""
    if os.environ.get("ALLOWED_HOSTS"):
        return [h.strip() for h in os.environ["ALLOWED_HOSTS"].split(",") if h.strip()]
    return None if os.environ.get("PUBLIC_BASE_URL") else ["localhost", "127.0.0.1", "::1"]


def build_config(instance_path: Path) -> dict[str, object]:
    """The app's configuration for this environment, group by group."""
    instance_path.mkdir(parents=True, exist_ok=True)
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'survey.db'}"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(db_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        **_session_settings(),
        **_public_settings(),
        **_file_settings(instance_path),
        **_work_settings(),
        **_static_settings(),
        "SMTP_HOST": os.environ.get("SMTP_HOST"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "no-reply@localhost"),
        "DEFAULT_LANGUAGE": "th",
        "PRIVACY_MIN_RESPONDENTS": int(os.environ.get("PRIVACY_MIN_RESPONDENTS", "5")),
    }


def _session_settings() -> dict[str, object]:
    """Cookies, sessions, CSRF tokens and sign-in."""
    return {
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
        "PASSWORD_HASH_FAST": False,
        # Every failed sign-in answers after at least this long (unknown name, wrong password, slowed
        # down), longer than one password check, so timing tells nobody which usernames exist.
        "LOGIN_FAILURE_SECONDS": float(os.environ.get("LOGIN_FAILURE_SECONDS", "0.4")),
    }


def _public_settings() -> dict[str, object]:
    """How the app is reached: proxies in front, and the address public links are built from.

    Links handed to the public (survey links, QR codes, e-mails) never follow the request's Host header:
    they come from PUBLIC_BASE_URL, or the app answers only to the hosts it was told about."""
    return {
        "TRUST_PROXY": int(os.environ.get("TRUST_PROXY", "0")),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").rstrip("/") or None,
        "TRUSTED_HOSTS": _allowed_hosts(),
    }


def _file_settings(instance_path: Path) -> dict[str, object]:
    """Where files go, and the largest request body."""
    return {
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "25")) * 1024 * 1024,
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(instance_path / "uploads")),
        "UPLOAD_QUOTA_PER_LINK_MB": int(os.environ.get("UPLOAD_QUOTA_PER_LINK_MB", "500")),
        "UPLOAD_QUOTA_PER_LINK_FILES": int(os.environ.get("UPLOAD_QUOTA_PER_LINK_FILES", "2000")),
        "EXPORT_DIR": os.environ.get("EXPORT_DIR", str(PROJECT_ROOT / "exports")),
        "FORM_DEFINITIONS_DIR": os.environ.get("FORM_DEFINITIONS_DIR", str(PROJECT_ROOT / "form_definitions")),
    }


def _work_settings() -> dict[str, object]:
    """Locks and background work."""
    return {
        # Long jobs commit in short batches, so a save waits milliseconds; this bounds the wait when
        # something holds a lock anyway (SQLite busy_timeout, PostgreSQL lock_timeout).
        "DB_LOCK_TIMEOUT_MS": int(os.environ.get("DB_LOCK_TIMEOUT_MS", "5000")),
        # Export builders share the web workers' connection pool: bounded, so pages keep their connections.
        "EXPORT_WORKERS": int(os.environ.get("EXPORT_WORKERS", "2")),
        "EXPORT_JOBS_PER_USER": int(os.environ.get("EXPORT_JOBS_PER_USER", "5")),
        # Scheduled reminders: each serving process wakes this often; a claim in the database sends each once.
        "REMINDER_CHECK_SECONDS": int(os.environ.get("REMINDER_CHECK_SECONDS", "300")),
    }


def _static_settings() -> dict[str, object]:
    """Compression and browser caching of what the app serves."""
    return {
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
    }
