"""The loader keeps one staging row per change of a listing, whatever the order and repetition of feeds."""
import contextlib
import gzip
import json
from dataclasses import replace

import psycopg2
import pytest
from loader_fixtures import listing, rows, staging_rows, write_feed

from foundation.errors import PricewatchError
from loader import build_loader
from loader.feed_loader import FeedLoader
from loader.spec import Column
from loader.specs import STORE_LISTING

DAY1, DAY2, DAY3 = "2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z", "2026-11-03T10:00:00Z"


@pytest.fixture
def loader(db_url):
    with build_loader({"DATABASE_URL": db_url}) as built:
        yield built


def counts(result):
    return result.lines_read, result.rows_new, result.rows_unchanged, result.rows_rejected


def test_build_loader_takes_the_class_from_a_dotted_path(db_url):
    with build_loader({"LOADER_CLASS": "loader.feed_loader.FeedLoader", "DATABASE_URL": db_url}) as built:
        assert type(built) is FeedLoader


def test_unchanged_rescrape_adds_no_row_and_moves_last_seen(loader, db_url, tmp_path):
    first = loader.load(write_feed(tmp_path / "day1.jl", [listing(scraped_at=DAY1)]))
    second = loader.load(write_feed(tmp_path / "day2.jl", [listing(scraped_at=DAY2)]))
    assert counts(first) == (1, 1, 0, 0)
    assert counts(second) == (1, 0, 1, 0)
    assert staging_rows(db_url) == [("413150", 1, True, "14.99", "11-01 10:00", "11-02 10:00")]
    assert rows(db_url, "select last_seen_feed_file_id, feed_file_id from staging.store_listing") == [
        (second.feed_file_id, first.feed_file_id)]


def test_price_going_a_b_a_is_three_changes(loader, db_url, tmp_path):
    for day, price in ((DAY1, "14.99"), (DAY2, "8.99"), (DAY3, "14.99")):
        loader.load(write_feed(tmp_path / f"{day[:10]}.jl", [listing(scraped_at=day, price=price)]))
    assert staging_rows(db_url) == [
        ("413150", 1, False, "14.99", "11-01 10:00", "11-01 10:00"),
        ("413150", 2, False, "8.99", "11-02 10:00", "11-02 10:00"),
        ("413150", 3, True, "14.99", "11-03 10:00", "11-03 10:00"),
    ]


def test_a_title_change_is_a_change_row(loader, db_url, tmp_path):
    loader.load(write_feed(tmp_path / "a.jl", [listing(scraped_at=DAY1)]))
    result = loader.load(write_feed(tmp_path / "b.jl", [listing(scraped_at=DAY2, title="Stardew Valley (2026)")]))
    assert counts(result) == (1, 1, 0, 0)


def test_records_of_one_listing_in_a_file_are_taken_in_time_then_line_order(loader, db_url, tmp_path):
    # Written out of time order: DAY3 A, DAY1 A, DAY2 B, DAY2 B again (identical: collapses), DAY1 A again.
    feed = write_feed(tmp_path / "mixed.jl", [
        listing(scraped_at=DAY3), listing(scraped_at=DAY1), listing(scraped_at=DAY2, price="8.99"),
        listing(scraped_at="2026-11-02T11:00:00Z", price="8.99"), listing(scraped_at=DAY1),
    ])
    assert counts(loader.load(feed)) == (5, 3, 2, 0)
    assert staging_rows(db_url) == [
        ("413150", 1, False, "14.99", "11-01 10:00", "11-01 10:00"),
        ("413150", 2, False, "8.99", "11-02 10:00", "11-02 11:00"),
        ("413150", 3, True, "14.99", "11-03 10:00", "11-03 10:00"),
    ]


def test_same_listing_and_time_twice_with_different_content_first_line_wins(loader, db_url, tmp_path):
    feed = write_feed(tmp_path / "twice.jl", [listing(), listing(price="1.99")])
    assert counts(loader.load(feed)) == (2, 1, 0, 1)
    assert staging_rows(db_url)[0][3] == "14.99"
    assert rows(db_url, "select line_number, reason from ops.load_reject") == [
        (2, "same listing and scraped_at as line 1 with different content")]


def test_a_record_older_than_the_latest_state_is_rejected_when_it_differs(loader, db_url, tmp_path):
    loader.load(write_feed(tmp_path / "new.jl", [listing(scraped_at=DAY2)]))
    late = loader.load(write_feed(tmp_path / "late.jl", [listing(scraped_at=DAY1, price="8.99"),
                                                         listing(scraped_at=DAY1, store_item_id="2")]))
    same = loader.load(write_feed(tmp_path / "late_same.jl", [listing(scraped_at=DAY1, title="Stardew Valley")]))
    assert counts(late) == (2, 1, 0, 1)
    assert counts(same) == (1, 0, 1, 0)
    assert rows(db_url, "select reason from ops.load_reject") == [("out of order: older than the latest recorded state",)]
    assert staging_rows(db_url)[1] == ("413150", 1, True, "14.99", "11-02 10:00", "11-02 10:00")


def test_the_same_file_twice_is_a_no_op_with_a_message(loader, db_url, tmp_path):
    feed = write_feed(tmp_path / "once.jl", [listing()])
    first = loader.load(feed)
    again = loader.load(feed)
    assert again.already_loaded and again.feed_file_id == first.feed_file_id
    assert "already loaded on " in again.summary() and f"as feed_file {first.feed_file_id}" in again.summary()
    assert rows(db_url, "select count(*) from ops.feed_file") == [(1,)]


def test_the_ledger_records_every_file(loader, db_url, tmp_path):
    feed = write_feed(tmp_path / "ledger.jl.gz", [listing(), listing(store_item_id="2")], [b"{"])
    result = loader.load(feed)
    assert rows(db_url, """select path, sha256, source, feed_kind, bytes, lines_read, rows_new, rows_unchanged,
                                  rows_rejected, loaded_at is not null from ops.feed_file""") == [
        (str(feed), __import__("hashlib").sha256(feed.read_bytes()).hexdigest(), "steam", "store_listing",
         feed.stat().st_size, 3, 2, 0, 1, True)]
    assert counts(result) == (3, 2, 0, 1)


@pytest.mark.parametrize("name", ["feed.jl", "feed.jsonl", "feed.jl.gz", "feed.jsonl.gz"])
def test_json_lines_formats(loader, db_url, tmp_path, name):
    feed = write_feed(tmp_path / name, [listing(), listing(store_item_id="2")])
    assert counts(loader.load(feed)) == (2, 2, 0, 0)


def test_json_array_feed(loader, db_url, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([listing(), listing(store_item_id="2"), [1]]))
    assert counts(loader.load(feed)) == (3, 2, 0, 1)
    assert rows(db_url, "select line_number, reason, raw_text from ops.load_reject") == [(3, "not a JSON object", "[1]")]


def test_crlf_blank_lines_and_a_last_line_without_newline(loader, db_url, tmp_path):
    feed = tmp_path / "windows.jl"
    feed.write_bytes(json.dumps(listing()).encode() + b"\r\n\r\n   \n" + json.dumps(listing(store_item_id="2")).encode())
    assert counts(loader.load(feed)) == (2, 2, 0, 0)
    assert rows(db_url, "select line_number from staging.store_listing order by 1") == [(1,), (4,)]


def test_records_keep_their_typed_values(loader, db_url, tmp_path):
    feed = write_feed(tmp_path / "typed.jl", [listing(
        source="psstore", store_item_id="UP0006-CUSA10863_00", region="HK", currency="HKD", price="38.24",
        regular_price="239.00", discount_percent=84, subscription="PS_PLUS", platforms=["PS4"],
        discount_ends_at="2023-03-01T15:59:00Z", release_date="2019-10-18", url=None)])
    loader.load(feed)
    assert rows(db_url, """select source, store_item_id, region, currency, price::text, regular_price::text,
                                  discount_percent, is_free, subscription, url, platforms, release_date,
                                  to_char(discount_ends_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI')
                           from staging.store_listing""") == [
        ("psstore", "UP0006-CUSA10863_00", "HK", "HKD", "38.24", "239.00", 84, False, "PS_PLUS", None, ["PS4"],
         "2019-10-18", "2023-03-01 15:59")]


def test_a_gzip_feed_cut_short_is_a_clear_error_and_loads_nothing(loader, db_url, tmp_path):
    feed = tmp_path / "cut.jl.gz"
    feed.write_bytes(gzip.compress(b"".join(json.dumps(listing(store_item_id=str(i))).encode() + b"\n"
                                            for i in range(1000)))[:2000])
    with pytest.raises(PricewatchError, match="cut.jl.gz: cannot read"):
        loader.load(feed)
    assert rows(db_url, "select count(*) from ops.feed_file") == [(0,)]
    assert counts(loader.load(write_feed(tmp_path / "next.jl", [listing()]))) == (1, 1, 0, 0)


def test_the_loader_role_cannot_read_core(admin, loader):
    with admin.cursor() as cur:
        cur.execute("create table if not exists core.loader_probe (id int)")
        cur.execute("select has_schema_privilege('pricewatch_loader', 'core', 'usage')")
        assert cur.fetchone() == (False,)
    conn = loader.conn
    with conn.cursor() as cur, pytest.raises(Exception, match="permission denied"):
        cur.execute("select * from core.loader_probe")
    conn.rollback()


def test_refresh_fields_stay_current_on_the_latest_row_without_new_rows(admin, db_url, tmp_path):
    """The shape a news feed needs (latest score kept, no row per score change), tried on a copy of the table."""
    admin.cursor().execute("create table staging.refresh_probe (like staging.store_listing including all)")
    spec = replace(STORE_LISTING, name="refresh_probe", table=("staging", "refresh_probe"),
                   content=tuple(c for c in STORE_LISTING.content if c.field != "title"), refresh=(Column("title"),),
                   fingerprint_lines=False, confirmation_queue=None)
    with FeedLoader(url=db_url) as loader:
        loader.spec = spec
        loader.load(write_feed(tmp_path / "1.jl", [listing(scraped_at=DAY1, title="first")]))
        second = loader.load(write_feed(tmp_path / "2.jl", [listing(scraped_at=DAY2, title="second"),
                                                            listing(scraped_at="2026-11-02T12:00:00Z", title="third")]))
        loader.load(write_feed(tmp_path / "3.jl", [listing(scraped_at=DAY3, price="1.99", title="fourth"),
                                                   listing(scraped_at="2026-11-03T12:00:00Z", price="1.99", title="fifth")]))
    assert counts(second) == (2, 0, 2, 0)
    assert rows(db_url, "select change_seq, title, price::text from staging.refresh_probe order by 1") == [
        (1, "third", "14.99"), (2, "fifth", "1.99")]


def test_a_loader_given_a_connection_loads_on_it_and_leaves_it_open(db_url, tmp_path):
    with contextlib.closing(psycopg2.connect(db_url)) as conn:
        with conn.cursor() as cur:
            cur.execute("create temp table callers_own (id int); set role pricewatch_loader")
        conn.commit()
        with FeedLoader(connection=conn) as loader:
            assert counts(loader.load(write_feed(tmp_path / "given.jl", [listing()]))) == (1, 1, 0, 0)
        assert not conn.closed
        with conn.cursor() as cur:
            cur.execute("select current_user, count(*) from staging.store_listing group by 1")
            assert cur.fetchall() == [("pricewatch_loader", 1)]
