"""Password hashing (argon2id), the password policy and random initial passwords."""

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from survey_app.core.i18n import gettext

MIN_LENGTH = 10
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I to read off paper
_PRODUCTION = PasswordHasher()
_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only: PASSWORD_HASH_FAST
# A fixed hash of a throw-away password: verifying against it costs what a real check costs. Computed once
# offline, not at import (hashing allocates 64 MiB and takes a tenth of a second in every process).
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$R4eSV8bTOZ8k+ZxUpwpaqA$mMPUk7wo3Ut+vHccvLlzcLZlN2Acp/i605VByoqH39Y"
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "1234567890",
        "12345678",
        "qwertyuiop",
        "admin12345",
        "0123456789",
        "1111111111",
    }
)


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"):
        return _FAST
    return _PRODUCTION


def hash_password(password: str) -> str:
    """An argon2id hash carrying its own parameters."""
    return _hasher().hash(password)


@cache
def _fast_dummy_hash() -> str:
    return _FAST.hash("not-a-password")


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; with no hash, still spends the time of a real check (with the
    hasher real hashes use) so usernames cannot be probed."""
    hasher = _hasher()
    dummy = _fast_dummy_hash() if hasher is _FAST else _DUMMY_HASH
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def policy_problems(password: str, username: str) -> list[str]:
    """Messages (in the reader's language) for every rule the new password breaks (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(gettext("รหัสผ่านต้องยาวอย่างน้อย {n} ตัวอักษร", n=MIN_LENGTH))
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append(gettext("รหัสผ่านนี้เดาง่ายเกินไป"))
    if username and username.lower() in password.lower():
        problems.append(gettext("รหัสผ่านต้องไม่มีชื่อผู้ใช้อยู่ในนั้น"))
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        problems.append(gettext("รหัสผ่านต้องมีทั้งตัวอักษรและตัวเลข"))
    return problems


def random_password(length: int = 12) -> str:
    """An initial password that is easy to copy from a printed sheet and satisfies the policy."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if not policy_problems(candidate, ""):
            return candidate
