"""Alembic environment: raw-SQL migrations (no ORM models), one transaction per revision."""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from foundation import database

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def target_url() -> str:
    """`-x url=...`, then a URL set by the caller, then PRICEWATCH_DATABASE_URL / the embedded server."""
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    return database.sqlalchemy_url(url or database.server_url())


def run_migrations_offline() -> None:
    context.configure(url=target_url(), literal_binds=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(target_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
