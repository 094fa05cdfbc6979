"""Alembic runs with the connection storage.migrate hands it; there is no alembic.ini to drift."""
from alembic import context

from ems_app.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
