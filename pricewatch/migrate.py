"""Run the Alembic migrations programmatically (what `pricewatch db upgrade` and the tests use)."""
import sys

from alembic import command
from alembic.config import Config

from foundation import config, database


def alembic_config(url: str) -> Config:
    """Alembic's config for `url`; fails with a clear message when the server cannot be reached."""
    database.connect(url=url).close()
    if str(config.PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(config.PROJECT_ROOT))
    cfg = Config(str(config.PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", database.sqlalchemy_url(url).replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
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
