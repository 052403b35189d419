"""Flask extensions, created unbound and initialised inside the app factory."""

from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from survey_app.core.db import db  # noqa: F401  (defined in core, bound here with the others)

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()
