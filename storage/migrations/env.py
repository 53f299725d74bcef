"""Alembic environment: runs on the connection ``storage.migrate`` hands it."""

from typing import Literal

from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.types import UTCDateTime


def render_item(type_: str, obj: object, autogen_context: object) -> str | Literal[False]:
    """Render the project's own column type by its imported name."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "UTCDateTime()"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
