"""Survey platform for Thai provincial education offices: the app factory.

The factory reads like a table of contents: configuration, extensions, then each feature package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from survey_app.config import build_config
from survey_app.core.transactions import TransactionalFlask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the WSGI app; `test_config` overrides settings for the test suite."""
    app = TransactionalFlask(__name__, instance_relative_config=True)  # commits once, after each view
    app.config.from_mapping(build_config(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
        app.extensions["config_overrides"] = frozenset(test_config)  # the settings page names their source
    register_extensions(app)
    register_core(app)
    register_features(app)
    if app.config["TRUST_PROXY"]:
        n = app.config["TRUST_PROXY"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    return app


def register_extensions(app: Flask) -> None:
    from survey_app.extensions import compress, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    compress.init_app(app)


def register_core(app: Flask) -> None:
    from survey_app.core import db, i18n, security, web

    i18n.init_app(app)
    security.init_app(app)
    web.init_app(app)
    db.init_app(app)  # lock timeouts, and "busy, try again" instead of a 500


def register_features(app: Flask) -> None:
    from survey_app.accounts.blueprint import bp as accounts_bp
    from survey_app.accounts.cli import register_cli as register_accounts_cli
    from survey_app.forms_engine.blueprint import bp as forms_bp
    from survey_app.forms_engine.cli import register_cli as register_forms_cli

    app.register_blueprint(accounts_bp)
    register_accounts_cli(app)
    from survey_app.responses.blueprint import bp as responses_bp
    from survey_app.rounds.blueprint import bp as rounds_bp
    from survey_app.rounds.cli import register_cli as register_rounds_cli

    app.register_blueprint(forms_bp)
    register_forms_cli(app)
    app.register_blueprint(rounds_bp)
    register_rounds_cli(app)
    app.register_blueprint(responses_bp)
    from survey_app.review.blueprint import bp as review_bp
    from survey_app.review.cli import register_cli as register_review_cli

    app.register_blueprint(review_bp)
    register_review_cli(app)
    from survey_app.review.reminder_schedule import init_app as init_reminder_schedule

    init_reminder_schedule(app)  # scheduled reminders: a due-check every REMINDER_CHECK_SECONDS while serving
    from survey_app.reports.blueprint import bp as reports_bp
    from survey_app.reports.cli import register_cli as register_reports_cli

    app.register_blueprint(reports_bp)
    register_reports_cli(app)
    from survey_app.admin.blueprint import bp as admin_bp

    app.register_blueprint(admin_bp)
    from survey_app.backup import register_cli as register_backup_cli
    from survey_app.demo.cli import register_cli as register_demo_cli

    register_demo_cli(app)
    register_backup_cli(app)
    from survey_app import sweep

    sweep.init_app(app)
