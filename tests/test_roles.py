"""Least privilege: each duty's role can do its job and nothing else."""
import contextlib

import psycopg2
import pytest
from psycopg2 import errors, sql

# The views every reader relies on; the test reads the whole list from the catalogue, so a new view is covered.
KNOWN_VIEWS = {"current_prices", "best_prices", "price_history", "historical_lows", "price_drops", "price_timeline",
               "watchlist_alerts", "game_listings", "game_news", "reddit_deals", "game_search", "source_status",
               "watch_rules", "stores", "regions"}
# Views of reference data the migrations fill (the stores pricewatch tracks); the others start empty.
SEEDED_VIEWS = {"stores"}


@contextlib.contextmanager
def as_role(db_url, role):
    """A cursor running as `role` in a transaction that is rolled back."""
    with contextlib.closing(psycopg2.connect(db_url)) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
        yield cur
        conn.rollback()


def tables(db_url, *schemas) -> list[str]:
    with contextlib.closing(psycopg2.connect(db_url)) as conn, conn.cursor() as cur:
        cur.execute("select schemaname || '.' || tablename from pg_tables where schemaname = any(%s) order by 1",
                    (list(schemas),))
        return [name for (name,) in cur.fetchall()]


def privileged_tables(db_url, role, privilege, *schemas) -> list[str]:
    with contextlib.closing(psycopg2.connect(db_url)) as conn, conn.cursor() as cur:
        cur.execute("""
            select n.nspname || '.' || c.relname
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = any(%s) and c.relkind in ('r', 'v', 'm', 'p')
              and has_table_privilege(%s, c.oid, %s)
            order by 1""", (list(schemas), role, privilege))
        return [name for (name,) in cur.fetchall()]


def fails(db_url, role, statement, error=errors.InsufficientPrivilege) -> bool:
    with as_role(db_url, role) as cur, pytest.raises(error):
        cur.execute(statement)
    return True


def reporting_views(db_url) -> list[str]:
    with contextlib.closing(psycopg2.connect(db_url)) as conn, conn.cursor() as cur:
        cur.execute("select viewname from pg_views where schemaname = 'reporting' order by 1")
        return [name for (name,) in cur.fetchall()]


def test_reader_selects_every_reporting_view(db_url):
    views = reporting_views(db_url)
    assert KNOWN_VIEWS <= set(views)
    with as_role(db_url, "pricewatch_reader") as cur:
        for view in views:
            cur.execute(sql.SQL("select * from {} limit 1").format(sql.Identifier("reporting", view)))
            assert (cur.fetchall() != []) == (view in SEEDED_VIEWS), view


def test_reader_calls_the_drops_function(db_url):
    with as_role(db_url, "pricewatch_reader") as cur:
        cur.execute("select * from reporting.price_drops_since(7)")
        assert cur.fetchall() == []


def test_reader_reads_nothing_but_the_reporting_views(db_url):
    assert tables(db_url, "core", "staging", "ops")
    assert privileged_tables(db_url, "pricewatch_reader", "select", "core", "staging", "ops") == []
    assert fails(db_url, "pricewatch_reader", "select * from core.price_history")
    assert fails(db_url, "pricewatch_reader", "select * from staging.store_listing")
    assert fails(db_url, "pricewatch_reader", "select * from ops.etl_run")


@pytest.mark.parametrize("statement", [
    "insert into core.store values ('itch', 'itch.io', 'https://itch.io/')",
    "update staging.store_listing set title = ''",
    "create table reporting.notes (note text)",
    "create view reporting.mine as select 1",
    "create table public.notes (note text)",
    "select etl.run_source('steam')",
])
def test_reader_writes_nothing(db_url, statement):
    assert fails(db_url, "pricewatch_reader", statement)


def test_reader_has_no_write_privilege_on_reporting(db_url):
    for privilege in ("insert", "update", "delete", "truncate"):
        assert privileged_tables(db_url, "pricewatch_reader", privilege, "reporting", "core", "staging", "ops") == []


def test_loader_cannot_read_core(db_url):
    assert privileged_tables(db_url, "pricewatch_loader", "select", "core") == []
    assert fails(db_url, "pricewatch_loader", "select * from core.listing")
    assert fails(db_url, "pricewatch_loader", "select * from etl.run_source('steam')")


@pytest.mark.parametrize("schema", ["core", "staging", "ops", "etl", "reporting", "public"])
def test_etl_role_cannot_create_tables(db_url, schema):
    assert fails(db_url, "pricewatch_etl", sql.SQL("create table {} (id int)").format(sql.Identifier(schema, "scratch")))


def test_etl_role_reads_staging_but_cannot_change_it(db_url):
    with as_role(db_url, "pricewatch_etl") as cur:
        cur.execute("select count(*) from staging.store_listing")
        assert cur.fetchone() == (0,)
    assert fails(db_url, "pricewatch_etl", "delete from staging.store_listing")


def test_etl_role_writes_core_and_its_ops_tables_only(db_url):
    written = privileged_tables(db_url, "pricewatch_etl", "insert", "core", "staging", "ops", "reporting")
    assert written == ["core.currency", "core.game", "core.game_decision", "core.latest_crawl", "core.listing", "core.listing_region",
                       "core.news_deal",
                       "core.news_feed", "core.news_item", "core.news_mention", "core.price_history",
                       "core.region", "core.store", "core.watch_rule", "ops.alert_sent", "ops.etl_run",
                       "ops.etl_watermark", "ops.game_match_review", "ops.summary_queue"]
    # The matcher removes games it merged away; people remove decisions, watch rules; reviews are rebuilt;
    # a retitled news item loses its deal and mentions; the ETL empties the loader's confirmation queue.
    assert privileged_tables(db_url, "pricewatch_etl", "delete", "core", "staging", "ops", "reporting") == [
        "core.game", "core.game_decision", "core.news_deal", "core.news_mention", "core.watch_rule",
        "ops.game_match_review", "staging.store_listing_confirmation"]


def test_web_role_only_adds_and_removes_watch_rules(db_url):
    assert privileged_tables(db_url, "pricewatch_web", "delete", "core", "staging", "ops", "reporting") == [
        "core.watch_rule"]
    # Inserts are granted per column (never the id or created_at): the table-level check sees none.
    with contextlib.closing(psycopg2.connect(db_url)) as conn, conn.cursor() as cur:
        cur.execute("""
            select n.nspname || '.' || c.relname
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname in ('core', 'staging', 'ops', 'reporting') and c.relkind in ('r', 'v', 'm', 'p')
              and has_any_column_privilege('pricewatch_web', c.oid, 'insert')""")
        assert cur.fetchall() == [("core.watch_rule",)]
    for privilege in ("insert", "update", "truncate"):
        assert privileged_tables(db_url, "pricewatch_web", privilege, "core", "staging", "ops", "reporting") == []
    assert privileged_tables(db_url, "pricewatch_web", "select", "core", "staging", "ops", "reporting") == []


@pytest.mark.parametrize("statement", [
    "select * from core.watch_rule",
    "select title from core.watch_rule",
    "update core.watch_rule set below = 1",
    "select * from core.listing",
    "select * from reporting.current_prices",
    "insert into core.game (normalized_title, title) values ('x', 'x')",
    "delete from ops.alert_sent",
    "select etl.refresh_web_summaries()",
    "delete from reporting.deals",
])
def test_web_role_can_do_nothing_else(db_url, statement):
    assert fails(db_url, "pricewatch_web", statement)


def test_only_the_etl_role_refreshes_the_web_summaries(db_url):
    with as_role(db_url, "pricewatch_etl") as cur:
        cur.execute("select etl.refresh_web_summaries()")
    assert fails(db_url, "pricewatch_reader", "select etl.refresh_web_summaries()")
    with as_role(db_url, "pricewatch_reader") as cur:
        cur.execute("select * from reporting.deals, reporting.store_coverage")
