"""Run the Alembic migrations programmatically (what `pricewatch db upgrade` and the tests use).

The configuration is built here rather than read from alembic.ini, so an installed pricewatch migrates from
any directory: the scripts are the `migrations` package wherever it is installed."""
import contextlib
from pathlib import Path

import psycopg2
import sqlalchemy.exc
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

import migrations
from foundation import database
from foundation.errors import PricewatchError
from migrations import repeatable

SCRIPTS = Path(migrations.__file__).parent


def alembic_config(url: str) -> Config:
    """Alembic's config for `url`; fails with a clear message when the server cannot be reached."""
    database.connect(url=url).close()
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", database.sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def revisions() -> list[str]:
    """Every revision id, base to head."""
    return repeatable.revision_order(ScriptDirectory(str(SCRIPTS)))


@contextlib.contextmanager
def one_transaction(revision: str):
    """A migration is one transaction (migrations/env.py): when a statement fails, nothing changed."""
    try:
        yield
    except (psycopg2.Error, sqlalchemy.exc.DBAPIError) as exc:
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise PricewatchError(f"migrating to {revision} failed, the database is unchanged: {message}") from exc


def upgrade(url: str, revision: str = "head") -> None:
    with one_transaction(revision):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    with one_transaction(revision):
        command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    engine = create_engine(database.sqlalchemy_url(url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
