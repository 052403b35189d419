"""The hand-out workbook of new accounts' one-time passwords, made in the browser: kept in a private folder
(never under the exports or uploads), downloadable once and only by the admin who made it, then deleted; a
workbook nobody fetched is deleted an hour after it was made.

The file's name is `<admin id>-<random token>.xlsx`, so nothing but the folder holds the state: a download
first renames the file (atomic, so two simultaneous downloads cannot both get it), reads it and deletes it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from flask import current_app

from survey_app.accounts.export import write_accounts_workbook
from survey_app.accounts.operations import IssuedAccount

LIFETIME_SECONDS = 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def handout_dir() -> Path:
    """HANDOUT_DIR when configured, else `instance/handouts`; created private (0700)."""
    folder = Path(current_app.config.get("HANDOUT_DIR") or Path(current_app.instance_path) / "handouts")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def keep(owner_id: int, issued: list[IssuedAccount]) -> str:
    """Write the workbook for its owner; returns the token that names it."""
    folder = handout_dir()
    sweep(folder)
    token = secrets.token_urlsafe(24)
    scratch = Path(tempfile.mkdtemp(dir=folder))
    try:
        written = write_accounts_workbook(issued, scratch)
        written.rename(folder / f"{owner_id}-{token}.xlsx")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return token


def take(owner_id: int, token: str, now: float | None = None) -> bytes | None:
    """The workbook's bytes, once: the file is gone from the server afterwards. None when the token is not
    the owner's, was fetched already, or expired."""
    folder = handout_dir()
    sweep(folder, now)
    if not _TOKEN.fullmatch(token):
        return None
    claimed = folder / f"{owner_id}-{token}.taken"
    try:
        (folder / f"{owner_id}-{token}.xlsx").rename(claimed)
    except FileNotFoundError:
        return None
    try:
        return claimed.read_bytes()
    finally:
        claimed.unlink(missing_ok=True)


def sweep(folder: Path, now: float | None = None) -> int:
    """Delete workbooks (and stray scratch folders) older than the lifetime; returns how many went."""
    cutoff = (now or time.time()) - LIFETIME_SECONDS
    removed = 0
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime > cutoff:
                continue
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            removed += 1
        except FileNotFoundError:  # taken or swept by another request meanwhile
            continue
    return removed


def exists(owner_id: int, token: str) -> bool:
    """Whether the owner's workbook is still waiting (for the page that offers it)."""
    return bool(_TOKEN.fullmatch(token)) and os.path.exists(handout_dir() / f"{owner_id}-{token}.xlsx")
