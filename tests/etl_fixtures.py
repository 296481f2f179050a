"""Staging rows for ETL tests, written the way the loader writes them (one change row per state change in the
change log, the latest state replaced, last_seen moved and queued on rescrapes), so ETL tests do not depend on
feed parsing."""
import re
import uuid

import psycopg2.extras
import pytest

LISTING = {
    "currency": "USD",
    "price": "19.99",
    "regular_price": "19.99",
    "discount_percent": 0,
    "is_free": False,
    "subscription": None,
    "title": "Hollow Knight",
    "kind": "game",
    "url": None,
    "platforms": ["windows"],
    "release_date": None,
    "discount_ends_at": None,
}

NEW_CHANGE = """
with previous as (
    select change_id, change_seq, last_seen_at, last_seen_feed_file_id
    from staging.store_listing_latest
    where source = %(source)s and store_item_id = %(store_item_id)s and region = %(region)s
),
closed as (
    update staging.store_listing_change as change
    set last_seen_at = previous.last_seen_at, last_seen_feed_file_id = previous.last_seen_feed_file_id
    from previous
    where change.source = %(source)s and change.change_id = previous.change_id
),
change as (
    insert into staging.store_listing_change (
        source, store_item_id, region, change_seq, observed_at, last_seen_at, last_seen_feed_file_id,
        currency, price, regular_price, discount_percent, is_free, subscription, title, kind, url, platforms,
        release_date, discount_ends_at, content_hash, feed_file_id, line_number, supersedes_change_id
    )
    select %(source)s, %(store_item_id)s, %(region)s, coalesce((select change_seq from previous), 0) + 1,
        %(at)s, %(at)s, %(feed_file_id)s, %(currency)s, %(price)s, %(regular_price)s, %(discount_percent)s,
        %(is_free)s, %(subscription)s, %(title)s, %(kind)s, %(url)s, %(platforms)s, %(release_date)s,
        %(discount_ends_at)s, %(content_hash)s, %(feed_file_id)s, 1, (select change_id from previous)
    returning *
),
latest as (
    insert into staging.store_listing_latest as latest (
        source, store_item_id, region, change_id, change_seq, content_hash, last_seen_at, last_seen_feed_file_id
    )
    select source, store_item_id, region, change_id, change_seq, content_hash, last_seen_at, last_seen_feed_file_id
    from change
    on conflict (source, store_item_id, region) do update
    set change_id = excluded.change_id, change_seq = excluded.change_seq, content_hash = excluded.content_hash,
        line_hash = null, last_seen_at = excluded.last_seen_at, last_seen_feed_file_id = excluded.last_seen_feed_file_id
)
select change_id from change
"""

CONFIRM = """
with confirmed as (
    update staging.store_listing_latest
    set last_seen_at = %(at)s, last_seen_feed_file_id = %(feed_file_id)s
    where source = %(source)s and store_item_id = %(store_item_id)s and region = %(region)s
    returning source, change_id
)
insert into staging.store_listing_confirmation (source, feed_file_id, change_id)
select source, %(feed_file_id)s, change_id from confirmed
"""


class Staging:
    """Writes staging changes and latest states on an autocommit connection; every call is its own "feed file"."""

    def __init__(self, conn):
        self.conn = conn
        psycopg2.extras.register_uuid()

    def feed_file(self, source: str) -> int:
        with self.conn.cursor() as cur:
            cur.execute(
                "insert into ops.feed_file (path, sha256, source, feed_kind, bytes, loaded_at)"
                " values (%s, %s, %s, 'store_listing', 0, now()) returning feed_file_id",
                (f"handmade/{source}.jl", uuid.uuid4().hex, source),
            )
            return cur.fetchone()[0]

    def change(self, store_item_id: str, at: str, *, source="steam", region="US", **fields) -> int:
        """A new state of a listing observed at `at`; fields override LISTING."""
        row = {**LISTING, **fields, "source": source, "store_item_id": store_item_id, "region": region, "at": at,
               "feed_file_id": self.feed_file(source), "content_hash": uuid.uuid4()}
        with self.conn.cursor() as cur:
            cur.execute(NEW_CHANGE, row)
            return cur.fetchone()[0]

    def confirm(self, store_item_id: str, at: str, *, source="steam", region="US") -> None:
        """An unchanged rescrape: the latest change was seen again at `at`."""
        with self.conn.cursor() as cur:
            cur.execute(CONFIRM, {"source": source, "store_item_id": store_item_id, "region": region, "at": at,
                                  "feed_file_id": self.feed_file(source)})


@pytest.fixture
def staging(admin):
    return Staging(admin)


def run_etl(conn, source="steam") -> dict:
    """etl.run_source as the ETL role; returns the ops.etl_run row as a dict."""
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("set role pricewatch_etl")
        try:
            cur.execute("select * from etl.run_source(%s)", (source,))
            return dict(cur.fetchone())
        finally:
            cur.execute("reset role")


def rows(conn, query, params=None) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def source_lines(out: str) -> list[str]:
    """`pricewatch etl` output: the line of each source, without its seconds (the stage lines follow)."""
    return [re.sub(r" \(\d+\.\d s\)$", "", line) for line in out.splitlines()
            if not line.startswith(("games:", "summaries:", "alerts:"))]
