"""Connections to the pricewatch database: a configured server, or an embedded one started on demand.

With PRICEWATCH_DATABASE_URL unset, an embedded PostgreSQL (the `pgserver` wheel) keeps its data in
$PRICEWATCH_HOME/pgdata, listens on a Unix socket only, and stays up between commands so they share it.
Each duty connects with the login of that URL and then `SET ROLE`s to its least-privileged role, so a
bug in the loader cannot touch the core model even though the login could.
"""
import contextlib
import logging
import os
import warnings
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import psycopg2.errors
from psycopg2 import sql

from foundation import config
from foundation.errors import PricewatchError

DATABASE_NAME = "pricewatch"
ROLES = ("pricewatch_loader", "pricewatch_etl", "pricewatch_reader", "pricewatch_web")
UPGRADE_HINT = "run `pricewatch db upgrade` first"

log = logging.getLogger(__name__)


def embedded_server(pgdata=None, cleanup_mode=None):
    """Start (or attach to) the embedded server; returns the pgserver handle.

    The project's server outlives the command (cleanup_mode None) so the next command reuses it; a throw-away
    server (tests, benchmarks) passes "delete" and is stopped and removed by handle.cleanup()."""
    warnings.filterwarnings("ignore", module="platformdirs")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(config.home() / "run"))
    os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    import pgserver

    pgdata = pgdata or config.home() / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    return pgserver.get_server(pgdata, cleanup_mode=cleanup_mode)


def with_database(url: str, dbname: str) -> str:
    """The same server URL pointing at another database (keeps host, socket query and credentials)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


def server_url() -> str:
    """URL of the configured server, or of the embedded one (started if needed), database pricewatch."""
    configured = config.database_url()
    if configured:
        if urlsplit(configured).scheme not in ("postgres", "postgresql"):
            raise PricewatchError(f"PRICEWATCH_DATABASE_URL is not a PostgreSQL URL like "
                                  f"postgresql://user@host:5432/pricewatch: {describe(configured)!r}")
        return configured
    server = embedded_server()
    url = with_database(server.get_uri(), DATABASE_NAME)
    ensure_database(url)
    return url


def ensure_database(url: str) -> None:
    """Create the database named in `url` if the server lacks it (embedded servers start with none)."""
    dbname = urlsplit(url).path.lstrip("/")
    with contextlib.closing(connect(url=with_database(url, "postgres"))) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (dbname,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def connect(role: str | None = None, url: str | None = None):
    """A psycopg2 connection; with `role`, the session runs as that least-privileged role."""
    url = url or server_url()
    try:
        conn = psycopg2.connect(url, application_name="pricewatch")
    except (psycopg2.OperationalError, psycopg2.ProgrammingError) as exc:
        # ProgrammingError: not a URL psycopg2 can read ("invalid dsn").
        raise PricewatchError(f"cannot connect to the database at {describe(url)}: "
                              f"{str(exc).strip().splitlines()[0]}") from exc
    if role:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
        except psycopg2.errors.InvalidParameterValue as exc:
            # The roles are created by the first migration.
            conn.close()
            raise PricewatchError(f"{str(exc).strip().splitlines()[0]}: the database is not set up yet; "
                                  f"{UPGRADE_HINT}") from exc
        conn.commit()
    return conn


def sqlalchemy_url(url: str) -> str:
    """Alembic speaks SQLAlchemy URLs; pin the psycopg2 driver."""
    scheme, rest = url.split("://", 1)
    return "postgresql+psycopg2://" + rest if scheme in ("postgres", "postgresql") else url


# Errors of a database that lacks (some of) the migrations: a missing table, column, function or schema.
UNMIGRATED = (psycopg2.errors.UndefinedTable, psycopg2.errors.UndefinedFunction, psycopg2.errors.UndefinedColumn,
              psycopg2.errors.InvalidSchemaName)


def user_error(exc: BaseException) -> PricewatchError | None:
    """The one-line error a user should see for a database error that escaped a command; None for other errors."""
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, UNMIGRATED):
        return PricewatchError(f"the database has no price model yet ({first_line}); {UPGRADE_HINT}")
    if isinstance(exc, psycopg2.errors.InsufficientPrivilege):
        return PricewatchError(f"{first_line}; the roles' grants are older than this pricewatch: {UPGRADE_HINT}")
    if isinstance(exc, psycopg2.OperationalError):
        return PricewatchError(f"the database went away: {first_line}")
    if isinstance(exc, psycopg2.Error):
        return PricewatchError(f"the database refused: {first_line}")
    return None


@contextlib.contextmanager
def migrated():
    """Turns "relation/function/schema does not exist" into the fix the user needs."""
    try:
        yield
    except UNMIGRATED as exc:
        raise user_error(exc) from exc
