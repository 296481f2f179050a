"""Migrations turn an empty database into a working one, and undo cleanly."""
import psycopg2

from pricewatch import migrate
from pricewatch.cli import main

SCHEMAS = {"staging", "core", "reporting", "ops"}


def schemas(url):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select nspname from pg_namespace")
        return {row[0] for row in cur.fetchall()}


def test_cli_upgrade_turns_an_empty_database_into_a_working_one(empty_db_url, capsys):
    assert main(["db", "upgrade"]) == 0
    assert SCHEMAS <= schemas(empty_db_url)
    assert "database at revision" in capsys.readouterr().out


def test_downgrade_to_base_then_upgrade_round_trips(empty_db_url):
    migrate.upgrade(empty_db_url)
    head = migrate.current(empty_db_url)
    migrate.downgrade(empty_db_url, "base")
    assert not SCHEMAS & schemas(empty_db_url)
    assert migrate.current(empty_db_url) is None
    migrate.upgrade(empty_db_url)
    assert migrate.current(empty_db_url) == head
    assert SCHEMAS <= schemas(empty_db_url)


def test_every_table_view_and_column_of_note_is_commented(db_url):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("""
            select n.nspname || '.' || c.relname
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname in ('staging', 'core', 'reporting', 'ops') and c.relkind in ('r', 'v', 'm', 'p')
              and obj_description(c.oid, 'pg_class') is null
        """)
        assert cur.fetchall() == []


def test_no_server_gives_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv("PRICEWATCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    assert main(["db", "upgrade"]) == 1
    assert "cannot connect to the database" in capsys.readouterr().err
