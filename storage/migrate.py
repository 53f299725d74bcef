"""Bringing a database's schema up to date with Alembic, from code (no alembic.ini needed)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    # Alembic's options go through ConfigParser, which reads "%" as interpolation: so no
    # sqlalchemy.url (a percent-encoded password or sqlite:///:memory:, rendered %3Amemory%3A,
    # would break it; migrations/env.py takes the connection from config.attributes instead)
    # and the folder with its "%" doubled.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision``."""
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def revise(engine: Engine, message: str) -> None:
    """Autogenerate a new revision from the tables (a developer's tool)."""
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
