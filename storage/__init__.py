"""Persistence for the billing-access bot: SQLModel tables, engine, unit of work, migrations."""
