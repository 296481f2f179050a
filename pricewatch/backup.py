"""Backups of the pricewatch database: pg_dump / pg_restore of the embedded or the configured server.

The client programs are the embedded server's own (the pgserver wheel ships PostgreSQL 16's), or those in
$PRICEWATCH_PG_BIN for a configured server of another major version. The password never goes on a command
line (where `ps` would show it): it travels in PGPASSWORD. Roles are cluster-wide and not in a dump, so a
restore creates the three pricewatch roles first when the target server lacks them.
"""
import contextlib
import os
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from psycopg2 import sql

from foundation import database
from foundation.errors import PricewatchError


def client_program(name: str) -> Path:
    configured = os.environ.get("PRICEWATCH_PG_BIN")
    if configured:
        directory = Path(configured)
    else:
        import pgserver._commands

        directory = Path(pgserver._commands.POSTGRES_BIN_PATH)
    program = directory / name
    if not program.is_file():
        raise PricewatchError(f"{name} not found in {directory}; set PRICEWATCH_PG_BIN to PostgreSQL's bin directory")
    return program


def connection_arguments(url: str) -> tuple[str, dict]:
    """The URL without its password, and the environment that carries the password instead."""
    parts = urlsplit(url)
    environment = dict(os.environ)
    if parts.password is not None:
        environment["PGPASSWORD"] = unquote(parts.password)
        host = parts.netloc.rsplit("@", 1)[1]
        user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}@{host}")
    return urlunsplit(parts), environment


def run_client(name: str, arguments: list[str], url: str) -> None:
    dbname, environment = connection_arguments(url)
    command = [str(client_program(name)), f"--dbname={dbname}", *arguments]
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise PricewatchError(f"{name} of {database.describe(url)} failed:\n{result.stderr.strip()}")


def backup(url: str, target: Path) -> Path:
    """The whole database (schemas, data, grants) in pg_dump's custom format, written under a temporary name
    and renamed when complete, so a full disk never leaves a truncated file under the backup's name."""
    target = Path(target)
    if target.is_dir():
        raise PricewatchError(f"{target} is a directory; give the backup file's name")
    partial = target.with_name(target.name + ".part")
    database.connect(url=url).close()  # a one-line error when the server is unreachable, before pg_dump runs
    try:
        run_client("pg_dump", ["--format=custom", f"--file={partial}"], url)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def ensure_roles(url: str) -> None:
    with contextlib.closing(database.connect(url=database.with_database(url, "postgres"))) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            for role in database.ROLES:
                cur.execute("select 1 from pg_roles where rolname = %s", (role,))
                if cur.fetchone() is None:
                    cur.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))


def restore(url: str, source: Path) -> None:
    """Replace the database of `url` with the backup `source` (the database is created when missing)."""
    source = Path(source)
    if not source.is_file():
        raise PricewatchError(f"no backup file at {source}")
    ensure_roles(url)
    database.ensure_database(url)
    run_client("pg_restore", ["--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction",
                              str(source)], url)
