"""Migrations run plain SQL: inline for tables, and the files of etl_sql/ for functions and views.

The text goes to the DB-API cursor untouched (no bind-parameter parsing), so SQL can use `:` and `%` freely.
"""
from pathlib import Path

from alembic import op

ETL_SQL_DIR = Path(__file__).resolve().parent.parent / "etl_sql"


def execute(statements: str) -> None:
    """Run a block of SQL inside the revision's transaction."""
    with op.get_bind().connection.cursor() as cur:
        cur.execute(statements)


def apply(*names: str) -> None:
    """Run etl_sql/<name> for each name, in order (files use `create or replace`, so re-applying is safe).

    The files hold the newest version of each function, which may use columns a later revision adds; an early
    revision creates it unchecked (as pg_dump does) and the later revision applies the file again.
    """
    execute("set local check_function_bodies = off")
    for name in names:
        execute((ETL_SQL_DIR / name).read_text(encoding="utf-8"))
