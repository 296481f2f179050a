"""Staging as a change log beside a latest-state table (migration 0016): the view staging.store_listing shows
what the single table of changes showed, the ETL prunes superseded changes through the log's own key, and a
latest state replaced outside the source locks fails the load."""
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import psycopg2
import pytest
from etl_fixtures import run_etl
from loader_fixtures import listing, rows, write_feed

from foundation.errors import PricewatchError
from loader.feed_loader import FeedLoader
from loader.specs import STORE_LISTING

A, B = "14.99", "9.99"
DAY1, DAY2, DAY3, DAY4 = (f"2026-11-0{day}T10:00:00Z" for day in range(1, 5))
LATER = "2026-11-02T11:00:00Z"

# Every column of the view the single table had, but those naming feed files (each loader has its own).
STATE = """select store_item_id, region, change_seq, is_latest, observed_at, last_seen_at, price::text, title,
                  content_hash, line_number
           from staging.{} order by 1, 2, 3"""

CHANGES = "select change_id, store_item_id, change_seq, price::text, last_seen_at from staging.store_listing_change order by 1"


def crawl(*records) -> list[dict]:
    """Records of listing 413150 (price, scraped_at) and, in every crawl, listing 2 unchanged."""
    return [listing(store_item_id="2", scraped_at=records[0][1])] + [
        listing(price=price, scraped_at=at) for price, at in records]


@pytest.mark.parametrize("crawls", [
    [crawl((A, DAY1)), crawl((B, DAY2)), crawl((A, DAY3))],
    [crawl((A, DAY1), (B, DAY2), (A, DAY3))],
    [crawl((A, DAY1)), crawl((A, DAY2)), crawl((A, DAY3)), crawl((B, DAY4))],
    [crawl((A, DAY1)), crawl((A, DAY2), (B, LATER)), crawl((B, DAY3))],
    [crawl((A, DAY2)), crawl((B, DAY1)), crawl((B, DAY2)), crawl((A, DAY2))],
    [crawl((A, DAY1), (B, DAY1)), crawl((A, DAY3), (B, DAY2))],
], ids=["A-B-A", "A-B-A-in-one-file", "confirmed-then-changed", "confirmed-and-changed-in-one-file",
        "out-of-order-and-same-instant", "clashes"])
def test_the_view_shows_what_the_single_table_of_changes_held(admin, db_url, tmp_path, crawls):
    admin.cursor().execute("create table staging.single_table (like staging.store_listing including all)")
    single_table = replace(STORE_LISTING, name="single_table", table=("staging", "single_table"),
                           fingerprint_lines=False, confirmation_queue=None)
    with FeedLoader(url=db_url) as split, FeedLoader(url=db_url) as single:
        single.spec = single_table
        for number, records in enumerate(crawls):
            # The single table's copies end with a blank line: other bytes, so the ledger takes them as other files.
            loaded = split.load(write_feed(tmp_path / f"split-{number}.jl", records))
            also = single.load(write_feed(tmp_path / f"single-{number}.jl", records, [b""]))
            assert (loaded.rows_new, loaded.rows_unchanged, loaded.rows_rejected, loaded.reject_reasons) == \
                (also.rows_new, also.rows_unchanged, also.rows_rejected, also.reject_reasons)
    assert rows(db_url, STATE.format("store_listing")) == rows(db_url, STATE.format("single_table"))
    assert rows(db_url, """select count(*) = count(distinct (source, store_item_id, region))
                           from staging.store_listing where is_latest""") == [(True,)]


def test_the_etl_prunes_every_superseded_change_by_the_log_key(admin, db_url, tmp_path):
    with FeedLoader(url=db_url) as loader:
        loader.load(write_feed(tmp_path / "1.jl", crawl((A, DAY1))))
        loader.load(write_feed(tmp_path / "2.jl", crawl((B, DAY2))))
        assert run_etl(admin)["status"] == "succeeded"
        loader.load(write_feed(tmp_path / "3.jl", crawl((A, DAY3), (B, DAY4))))
        assert run_etl(admin)["status"] == "succeeded"
    assert rows(db_url, """select store_item_id, change_seq, supersedes_change_id is not null
                           from staging.store_listing_change order by 1, 2""") == [("2", 1, False), ("413150", 4, True)]
    assert rows(db_url, "select count(*) from core.price_history") == [(5,)]


def test_a_latest_state_replaced_outside_the_locks_fails_the_load_and_writes_nothing(db_url, tmp_path):
    """A writer that skips the source lock replaces a latest state while a load writes its changes: the load
    finds that state gone, fails and writes nothing (the backstop of the lock, as unique indexes were)."""
    with FeedLoader(url=db_url) as loader:
        loader.load(write_feed(tmp_path / "1.jl", crawl((A, DAY1))))
    with contextlib.closing(psycopg2.connect(db_url)) as intruder, intruder.cursor() as cur:
        cur.execute("update staging.store_listing_latest set change_id = change_id + 1000 where store_item_id = '413150'")
        before = rows(db_url, CHANGES)
        with FeedLoader(url=db_url) as loader, ThreadPoolExecutor(1) as pool:
            loading = pool.submit(loader.load, write_feed(tmp_path / "2.jl", crawl((B, DAY2))))
            while not rows(db_url, "select 1 from pg_locks where locktype = 'transactionid' and not granted"):
                assert not loading.done(), loading.result()
                time.sleep(0.02)
            intruder.commit()
            with pytest.raises(PricewatchError, match="1 listings changed in staging while this file was compared"):
                loading.result()
    assert rows(db_url, CHANGES) == before
    assert rows(db_url, "select count(*) from ops.feed_file") == [(1,)]
