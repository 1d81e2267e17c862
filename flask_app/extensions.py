"""The Flask extensions, created unbound here and bound to the app in `create_app`."""

from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from shared_model.predictor import Predictor


class Base(DeclarativeBase):
    pass


# Rows stay readable after commit without a second SELECT: the feedback views answer with the
# row they just changed, and every value it shows is already in the object.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()


def current_model() -> Predictor:
    """The model loaded once by `create_app`, shared by every request of this process."""
    model: Predictor = current_app.extensions["shared_model"]
    return model
