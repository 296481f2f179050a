"""After a load that grows a staging table a lot, its planner statistics are fresh (the ETL that follows
plans with them), through ops.analyze_staging, which only ever analyzes staging tables."""
import psycopg2
import pytest
from loader_fixtures import listing, write_feed

from foundation import database
from loader import build_loader


def known_rows(url: str) -> float:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select reltuples from pg_class where oid = 'staging.store_listing_change'::regclass")
        return cur.fetchone()[0]


def test_a_first_load_leaves_staging_analyzed(db_url, tmp_path):
    feed = write_feed(tmp_path / "steam.jl.gz", [listing(store_item_id=str(n)) for n in range(300)])
    assert known_rows(db_url) == -1
    with build_loader({"DATABASE_URL": db_url}) as loader:
        loader.load(feed)
    assert known_rows(db_url) == 300


def test_a_small_load_on_a_big_table_does_not_analyze(db_url, tmp_path):
    first = write_feed(tmp_path / "first.jl.gz", [listing(store_item_id=str(n)) for n in range(300)])
    again = write_feed(tmp_path / "again.jl.gz", [listing(store_item_id=str(n), scraped_at="2026-11-02T10:00:00Z")
                                                  for n in range(300, 310)])
    with build_loader({"DATABASE_URL": db_url}) as loader:
        loader.load(first)
        loader.load(again)
    assert known_rows(db_url) == 300


def test_the_loader_role_cannot_analyze_other_tables(db_url):
    conn = database.connect(role="pricewatch_loader", url=db_url)
    try:
        with conn.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege, match="not a staging table"):
            cur.execute("select ops.analyze_staging('ops.feed_file'::regclass)")
    finally:
        conn.close()
