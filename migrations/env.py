"""Alembic environment: raw-SQL migrations (no ORM models). An upgrade or downgrade is one transaction: the
functions and views are dropped, the revisions run, then the functions and views the database's revision can
hold are created from etl_sql/ (migrations/repeatable.py); a failure leaves the database as it was."""
from logging.config import fileConfig

from alembic import context
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from foundation import database
from migrations import repeatable

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def target_url() -> str:
    """`-x url=...`, then a URL set by the caller, then PRICEWATCH_DATABASE_URL / the embedded server."""
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    return database.sqlalchemy_url(url or database.server_url())


def moves_the_database() -> bool:
    """upgrade, downgrade and stamp name a revision to reach; current and the like only look."""
    return context.get_context().opts.get("destination_rev") is not None


def run_migrations_offline() -> None:
    """SQL scripts (--sql) hold the revisions only: the functions and views come from etl_sql/ online."""
    context.configure(url=target_url(), literal_binds=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    revisions = repeatable.revision_order(ScriptDirectory.from_config(config))
    objects = repeatable.read_objects()
    engine = create_engine(target_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction(), connection.connection.cursor() as cur:
            if moves_the_database():
                repeatable.drop_all(cur)
            context.run_migrations()
            if moves_the_database():
                current = context.get_context().get_current_revision()
                repeatable.create(cur, repeatable.available(objects, revisions, current))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
