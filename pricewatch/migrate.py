"""Run the Alembic migrations programmatically (what `pricewatch db upgrade` and the tests use).

The configuration is built here rather than read from alembic.ini, so an installed pricewatch migrates from
any directory: the scripts are the `migrations` package wherever it is installed."""
from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations
from foundation import database


def alembic_config(url: str) -> Config:
    """Alembic's config for `url`; fails with a clear message when the server cannot be reached."""
    database.connect(url=url).close()
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    cfg.set_main_option("sqlalchemy.url", database.sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    engine = create_engine(database.sqlalchemy_url(url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
