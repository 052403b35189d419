"""The settings page's facts: the configuration that matters to an office, and where each value comes from.
Secrets are never shown: a password, key or DSN password is reported as set or not, nothing more."""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from survey_app.accounts.directory_changes import MAX_FILE_BYTES
from survey_app.core.i18n import N_, gettext

HIDDEN = "••••••"
FROM_ENVIRONMENT = N_("ตัวแปรสภาพแวดล้อม {name}")
FROM_APP = N_("กำหนดตอนสร้างแอป (instance config)")
FROM_DEFAULT = N_("ค่าเริ่มต้น")
FROM_CODE = N_("กำหนดในโปรแกรม")


@dataclass(frozen=True)
class Setting:
    label: str  # msgid
    value: str
    source: str  # already translated


@dataclass(frozen=True)
class _Spec:
    label: str
    key: str
    env: str | None
    show: str = "plain"  # plain | mb | secret | url | bool | list


SPECS = (
    _Spec(N_("จำนวนผู้ตอบขั้นต่ำที่แสดงผลแยกได้ (ความเป็นส่วนตัว)"), "PRIVACY_MIN_RESPONDENTS", "PRIVACY_MIN_RESPONDENTS"),
    _Spec(N_("ขนาดข้อมูลที่ส่งได้ต่อครั้ง (รวมไฟล์แนบ)"), "MAX_CONTENT_LENGTH", "MAX_UPLOAD_MB", "mb"),
    _Spec(N_("โควตาไฟล์ต่อลิงก์สาธารณะ (MB)"), "UPLOAD_QUOTA_PER_LINK_MB", "UPLOAD_QUOTA_PER_LINK_MB"),
    _Spec(N_("โควตาจำนวนไฟล์ต่อลิงก์สาธารณะ"), "UPLOAD_QUOTA_PER_LINK_FILES", "UPLOAD_QUOTA_PER_LINK_FILES"),
    _Spec(N_("เซิร์ฟเวอร์อีเมล (SMTP host)"), "SMTP_HOST", "SMTP_HOST"),
    _Spec(N_("พอร์ต SMTP"), "SMTP_PORT", "SMTP_PORT"),
    _Spec(N_("ผู้ส่งอีเมล"), "SMTP_FROM", "SMTP_FROM"),
    _Spec(N_("ชื่อผู้ใช้ SMTP"), "SMTP_USER", "SMTP_USER"),
    _Spec(N_("รหัสผ่าน SMTP"), "SMTP_PASSWORD", "SMTP_PASSWORD", "secret"),
    _Spec(N_("ที่อยู่เว็บสำหรับลิงก์ที่แจก (PUBLIC_BASE_URL)"), "PUBLIC_BASE_URL", "PUBLIC_BASE_URL"),
    _Spec(N_("ชื่อโฮสต์ที่ระบบตอบ (ALLOWED_HOSTS)"), "ALLOWED_HOSTS", "ALLOWED_HOSTS", "list"),
    _Spec(N_("จำนวน proxy ที่เชื่อถือ"), "TRUST_PROXY", "TRUST_PROXY"),
    _Spec(N_("คุกกี้เฉพาะ HTTPS"), "SESSION_COOKIE_SECURE", "SESSION_COOKIE_SECURE", "bool"),
    _Spec(N_("ฐานข้อมูล"), "SQLALCHEMY_DATABASE_URI", "DATABASE_URL", "url"),
    _Spec(N_("ที่เก็บไฟล์แนบ"), "UPLOAD_DIR", "UPLOAD_DIR"),
    _Spec(N_("โฟลเดอร์รายงานที่สั่งจากบรรทัดคำสั่ง"), "EXPORT_DIR", "EXPORT_DIR"),
    _Spec(N_("กุญแจลงนามเซสชัน (SECRET_KEY)"), "SECRET_KEY", "SECRET_KEY", "secret"),
)


def settings_of(app: Flask) -> list[Setting]:
    """Each setting's shown value and its source, in the reader's language."""
    overrides = app.extensions.get("config_overrides", frozenset())
    rows = [Setting(spec.label, _shown(spec, app.config.get(spec.key)), _source(spec, overrides)) for spec in SPECS]
    size = f"{MAX_FILE_BYTES // (1024 * 1024)} MB"
    return [
        *rows,
        Setting(N_("ชนิดฐานข้อมูล"), _database_kind(app), gettext(FROM_CODE)),
        Setting(N_("ระบบเก็บไฟล์"), _storage_kind(app), gettext(FROM_CODE)),
        Setting(N_("ขนาดไฟล์ทำเนียบหน่วยงานที่อัปโหลดได้"), size, gettext(FROM_CODE)),
    ]


def _source(spec: _Spec, overrides: frozenset[str]) -> str:
    if spec.key in overrides:
        return gettext(FROM_APP)
    if spec.env and os.environ.get(spec.env):
        return gettext(FROM_ENVIRONMENT, name=spec.env)
    return gettext(FROM_DEFAULT)


def _shown(spec: _Spec, value: object) -> str:
    if spec.show == "secret":
        return gettext("ตั้งค่าแล้ว (ไม่แสดง)") if value else gettext("ยังไม่ได้ตั้งค่า")
    if value is None or value == "":
        return gettext("ยังไม่ได้ตั้งค่า")
    if spec.show == "mb" and isinstance(value, int):
        return f"{value // (1024 * 1024)} MB"
    if spec.show == "bool":
        return gettext("เปิด") if value else gettext("ปิด")
    if spec.show == "list" and isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if spec.show == "url":
        return masked_url(str(value))
    return str(value)


def masked_url(url: str) -> str:
    """A database URL with its password hidden (and nothing shown at all if it cannot be read)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return HIDDEN
    return parsed.render_as_string(hide_password=True)  # the password, if any, as ***


def _database_kind(app: Flask) -> str:
    try:
        backend = make_url(str(app.config["SQLALCHEMY_DATABASE_URI"])).get_backend_name()
    except ArgumentError:
        return "-"
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(backend, backend)


def _storage_kind(app: Flask) -> str:
    backend = str(app.config.get("STORAGE_BACKEND") or "filesystem")
    return gettext("ระบบไฟล์ของเครื่อง") if backend == "filesystem" else backend
