"""The Flask extensions, created unbound here and bound to the app in `create_app`."""

from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from shared_model import Model


class Base(DeclarativeBase):
    pass


# Rows stay readable after commit without a second SELECT: a view answers with the row it just
# stored, and every value it shows was set by the app (the id by the INSERT itself).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()


def current_model() -> Model:
    """The model loaded once by `create_app`, shared by every request of this process."""
    model: Model = current_app.extensions["shared_model"]
    return model
