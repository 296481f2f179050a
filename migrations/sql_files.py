"""Revisions run plain SQL, inline: tables, types, roles, grants on tables and data. Functions and views come
from the files of etl_sql/ (migrations/repeatable.py), never from a revision.

The text goes to the DB-API cursor untouched (no bind-parameter parsing), so SQL can use `:` and `%` freely.
"""
from alembic import op


def execute(statements: str) -> None:
    """Run a block of SQL inside the migration's transaction."""
    with op.get_bind().connection.cursor() as cur:
        cur.execute(statements)
