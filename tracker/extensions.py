"""Extensions, created unbound and bound to an app in the factory."""

from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from tracker.api.errors import ProblemApi

# Named constraints so that migrations can alter them (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
api = ProblemApi()
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address)
csrf = CSRFProtect()


def _register_api_converters() -> None:
    from tracker.api.routing import DayConverter, IdConverter

    api.register_converter(DayConverter, lambda _converter: {"type": "string", "format": "date"})
    api.register_converter(IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": 2**31 - 1})


_register_api_converters()
