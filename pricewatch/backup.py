"""Backups of the pricewatch database: pg_dump / pg_restore of the embedded or the configured server.

The client programs (pg_dump, pg_restore, psql) are the embedded server's own (the pgserver wheel ships PostgreSQL 16's), or those in
$PRICEWATCH_PG_BIN for a configured server of another major version. The password never goes on a command
line (where `ps` would show it): it travels in PGPASSWORD. Roles are cluster-wide and not in a dump, so a
restore creates the three pricewatch roles first when the target server lacks them.
"""
import contextlib
import os
import re
import shutil
import subprocess
import tempfile
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


# A schema's line in `pg_restore --list`: "dump id; table oid object oid SCHEMA - name owner".
SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ SCHEMA - (\S+) ", re.MULTILINE)


def dumped_schemas(source: Path) -> list[str]:
    """The schemas a backup creates."""
    listing = subprocess.run([str(client_program("pg_restore")), "--list", str(source)],
                             capture_output=True, text=True)
    if listing.returncode != 0:
        raise PricewatchError(f"pg_restore cannot read {source}:\n{listing.stderr.strip()}")
    return SCHEMA_ENTRY.findall(listing.stdout)


def restore(url: str, source: Path) -> None:
    """Replace the database of `url` with the backup `source` (the database is created when missing), in one
    transaction: the backup's schemas are dropped whole, then pg_restore's script runs, and psql commits only
    when pg_restore read the whole file (a truncated backup changes nothing). pg_restore --clean alone cannot
    do it: it drops object by object, and PostgreSQL refuses to drop the index of one partition of
    core.price_history by itself."""
    source = Path(source)
    if not source.is_file():
        raise PricewatchError(f"no backup file at {source}")
    ensure_roles(url)
    database.ensure_database(url)
    with contextlib.closing(database.connect(url=url)) as conn:
        drops = sql.SQL("").join(sql.SQL("drop schema if exists {} cascade;\n").format(sql.Identifier(schema))
                                 for schema in dumped_schemas(source) if schema != "public").as_string(conn)
    dbname, environment = connection_arguments(url)
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as apply_errors:
        applying = subprocess.Popen(
            [str(client_program("psql")), f"--dbname={dbname}", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=apply_errors, env=environment)
        script = subprocess.Popen([str(client_program("pg_restore")), "--clean", "--if-exists", "--no-owner",
                                   "--file=-", str(source)], stdout=subprocess.PIPE, stderr=script_errors)
        with contextlib.suppress(BrokenPipeError):  # psql stopped at an error: it says which below
            applying.stdin.write(f"begin;\n{drops}".encode())
            shutil.copyfileobj(script.stdout, applying.stdin)
            if script.wait() == 0:
                applying.stdin.write(b"commit;\n")
        with contextlib.suppress(BrokenPipeError):
            applying.stdin.close()
        script.stdout.close()
        script.wait()
        if applying.wait() != 0:
            apply_errors.seek(0)
            raise PricewatchError(f"restore of {source} into {database.describe(url)} failed, nothing changed:\n"
                                  f"{apply_errors.read().decode().strip()}")
        if script.returncode != 0:
            script_errors.seek(0)
            raise PricewatchError(f"pg_restore cannot read {source}, nothing restored:\n"
                                  f"{script_errors.read().decode().strip()}")
