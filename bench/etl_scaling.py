"""Benchmark 3, ETL scaling: the time etl.run_source takes for a fixed delta of 10,000 new staging rows
with 0, 1M and 10M price periods of history already in core. Target: the largest case <= 1.5x the empty one.

History is generated set-based (generate_series) straight into staging and core the way the loader and the
ETL leave them: per listing a run of changes (change_seq 1..n, the last one its latest state), a price period per
change (each closed by the next, the last open), ledger rows (the changes spread over HISTORY_FEED_FILES
crawls), games, and a watermark past it all. Secondary indexes are dropped while generating and rebuilt
with their own definitions afterwards.
The delta is the first state of 10,000 new listings (the same work in every case); a second delta of 10,000
price changes of existing listings shows the cost of closing periods deep in a big history."""
import contextlib
import itertools

from bench.environment import (
    Stopwatch,
    admin,
    arguments,
    throwaway_database,
    verdict,
    workspace,
)
from foundation import database

SOURCE = "steam"
PERIODS_PER_LISTING = 5
HISTORY_START = "2025-01-01T00:00:00Z"
DELTA_NUMBERS = itertools.count(1)
REPEATS = 3
GENERATED_TABLES = ("staging.store_listing_change", "staging.store_listing_latest", "core.listing", "core.price_history")

# History arrives over many crawls: its changes are spread over this many feed files (a year of daily crawls
# of five stores is ~1,800). One single ledger row would skew the planner's estimates for etl.move_last_seen.
HISTORY_FEED_FILES = 1000

LEDGER_POOL = """
insert into ops.feed_file (path, sha256, source, feed_kind, bytes, lines_read, rows_new, loaded_at)
select 'bench-history-' || %(first)s || '-' || n, md5('bench-history-' || %(first)s || '-' || n), %(source)s,
    'store_listing', 0, 0, 0, now()
from generate_series(1, %(files)s) as n
returning feed_file_id
"""

LEDGER_ROW = """
insert into ops.feed_file (path, sha256, source, feed_kind, bytes, lines_read, rows_new, loaded_at)
values (%(path)s, md5(%(path)s), %(source)s, 'store_listing', 0, %(rows)s, %(rows)s, now())
returning feed_file_id
"""

# Listing n's change seq: ids set explicitly (overriding the identities, moved on afterwards) so the staging
# rows and the periods they open are generated side by side instead of joined.
HISTORY_CHANGE = """
select n, seq,
    %(change_base)s + (n - %(first)s) * %(periods)s + seq as change_id,
    %(listing_base)s + n - %(first)s + 1 as listing_id,
    %(start)s::timestamptz + seq * %(spacing)s::interval + stagger as observed_at,
    %(start)s::timestamptz + seq * %(spacing)s::interval + stagger + interval '12 hours' as last_seen_at,
    case when seq %% 2 = 0 then regular * 0.5 else regular end as price,
    regular,
    case when seq %% 2 = 0 then 50 else 0 end as discount_percent,
    seq = %(periods)s as is_latest,
    %(feed_file_base)s + (n * %(periods)s + seq) %% %(files)s as feed_file_id
from generate_series(%(first)s::bigint, %(last)s::bigint) as n
cross join lateral (select (1999 + (n %% 50) * 100) / 100.0 as regular) as price
cross join lateral (select (n %% %(stagger_days)s) * interval '1 day' as stagger) as offset_days
cross join generate_series(1, %(periods)s) as seq
"""

HISTORY_STAGING = """
insert into staging.store_listing_change (
    change_id, source, store_item_id, region, change_seq, observed_at, last_seen_at,
    last_seen_feed_file_id, currency, price, regular_price, discount_percent, is_free, title, kind, url, platforms,
    content_hash, feed_file_id, line_number, supersedes_change_id)
overriding system value
select change_id, %(source)s, 'h' || n, 'US', seq, observed_at, last_seen_at, feed_file_id,
    'USD', price, regular, discount_percent, false, 'History Game ' || n %% 1000, 'game',
    'https://store.example/steam/app/h' || n || '/', '{windows}', md5(n || ':' || seq)::uuid, feed_file_id, n,
    case when seq > 1 then change_id - 1 end
from (""" + HISTORY_CHANGE + """) as change
"""

HISTORY_LATEST = """
insert into staging.store_listing_latest (
    source, store_item_id, region, change_id, change_seq, content_hash, last_seen_at, last_seen_feed_file_id)
select %(source)s, 'h' || n, 'US', change_id, seq, md5(n || ':' || seq)::uuid, last_seen_at, feed_file_id
from (""" + HISTORY_CHANGE + """) as change
where is_latest
"""

HISTORY_GAMES = """
insert into core.game (normalized_title, title)
select etl.normalize_title('History Game ' || n), 'History Game ' || n
from generate_series(0, 999) as n
on conflict do nothing
"""

HISTORY_LISTINGS = """
insert into core.listing (
    listing_id, store, store_item_id, kind, title, url, platforms, game_id, first_seen_at, described_at)
overriding system value
select %(listing_base)s + n - %(first)s + 1, %(source)s, 'h' || n, 'game', 'History Game ' || n %% 1000,
    'https://store.example/steam/app/h' || n || '/', '{windows}', game.game_id,
    %(start)s::timestamptz + %(spacing)s::interval, %(start)s::timestamptz + %(periods)s * %(spacing)s::interval
from generate_series(%(first)s::bigint, %(last)s::bigint) as n
join core.game as game on game.title = 'History Game ' || n %% 1000
"""

# With the previous price and drop the ETL stores (revision 0018): the prices alternate between regular (odd
# seq) and half of it (even seq), so every even period is a 50% drop.
HISTORY_PERIODS = """
insert into core.price_history (
    listing_id, region, currency, price, regular_price, discount_percent, is_free, valid_from, valid_to,
    last_seen_at, opened_by_change_id, previous_price, drop_percent)
select listing_id, 'US', 'USD', price, regular, discount_percent, false, observed_at,
    case when not is_latest then observed_at + %(spacing)s::interval end, last_seen_at, change_id,
    case when seq %% 2 = 0 then regular when seq > 1 then regular * 0.5 end,
    case when seq %% 2 = 0 then 50.0 end
from (""" + HISTORY_CHANGE + """) as change
"""

IDENTITIES_MOVED_ON = """
select setval(pg_get_serial_sequence('staging.store_listing_change', 'change_id'), max(change_id))
from staging.store_listing_change;
select setval(pg_get_serial_sequence('core.listing', 'listing_id'), max(listing_id)) from core.listing;
"""

IDENTITY_BASES = """
select (select coalesce(max(change_id), 0) from staging.store_listing_change),
       (select coalesce(max(listing_id), 0) from core.listing)
"""

WATERMARK = """
insert into ops.etl_watermark (source, last_change_id, last_loaded_at)
select %(source)s, coalesce(max(change_id), 0), (select max(loaded_at) from ops.feed_file)
from staging.store_listing_change where source = %(source)s
on conflict (source) do update set last_change_id = excluded.last_change_id, last_loaded_at = excluded.last_loaded_at
"""

# A load of 10,000 new listings: their first states, as the loader writes them.
NEW_LISTINGS_DELTA = """
with change as (
    insert into staging.store_listing_change (
        source, store_item_id, region, change_seq, observed_at, last_seen_at, last_seen_feed_file_id,
        currency, price, regular_price, discount_percent, is_free, title, kind, url, platforms, content_hash,
        feed_file_id, line_number)
    select %(source)s, %(prefix)s || n, 'US', 1, now(), now(), %(feed_file_id)s, 'USD', 9.99, 19.99, 50, false,
        'Delta Game ' || n, 'game', 'https://store.example/steam/app/' || %(prefix)s || n || '/', '{windows}',
        md5(%(prefix)s || n)::uuid, %(feed_file_id)s, n
    from generate_series(1, %(rows)s) as n
    returning source, store_item_id, region, change_id, change_seq, content_hash, last_seen_at, last_seen_feed_file_id
)
insert into staging.store_listing_latest (
    source, store_item_id, region, change_id, change_seq, content_hash, last_seen_at, last_seen_feed_file_id)
select * from change
"""

# A load of 10,000 price changes of existing listings spread over the history: the next change of each.
PRICE_CHANGES_DELTA = """
with chosen as (
    select change.*
    from staging.store_listing_latest as latest
    join staging.store_listing_change as change on change.source = latest.source and change.change_id = latest.change_id
    where latest.source = %(source)s
      and latest.store_item_id in (select 'h' || (n * %(stride)s - %(repeat)s) from generate_series(1, %(rows)s) as n)
),
change as (
    insert into staging.store_listing_change (
        source, store_item_id, region, change_seq, observed_at, last_seen_at, last_seen_feed_file_id,
        currency, price, regular_price, discount_percent, is_free, title, kind, url, platforms, content_hash,
        feed_file_id, line_number, supersedes_change_id)
    select source, store_item_id, region, change_seq + 1, now(), now(), %(feed_file_id)s, currency,
        price * 0.8, regular_price, 20, is_free, title, kind, url, platforms, md5(content_hash::text || 'delta')::uuid,
        %(feed_file_id)s, line_number, change_id
    from chosen
    returning *
)
update staging.store_listing_latest as latest
set change_id = change.change_id, change_seq = change.change_seq, content_hash = change.content_hash,
    last_seen_at = change.last_seen_at, last_seen_feed_file_id = change.last_seen_feed_file_id
from change
where latest.source = change.source and latest.store_item_id = change.store_item_id and latest.region = change.region
"""


class Steps:
    """Runs named statements and keeps how long each took."""

    def __init__(self, cur):
        self.cur = cur
        self.seconds = {}

    def run(self, name: str, statement: str, params=None) -> None:
        with Stopwatch() as watch:
            self.cur.execute(statement, params)
        self.seconds[name] = self.seconds.get(name, 0.0) + watch.seconds


@contextlib.contextmanager
def secondary_indexes_dropped(steps: Steps, tables=GENERATED_TABLES):
    """Drop the tables' indexes that back no constraint, and rebuild them from their own definitions."""
    cur = steps.cur
    cur.execute("""
        select indexrelid::regclass::text, pg_get_indexdef(indexrelid)
        from pg_index
        where indrelid = any(%s::regclass[])
          and indexrelid not in (select conindid from pg_constraint where conindid <> 0)""", (list(tables),))
    indexes = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f"drop index {name}")
    yield
    for _, definition in indexes:
        # A partitioned table's index reads "on only": rebuilt that way, it would cover none of the partitions.
        steps.run("index builds", definition.replace(" ON ONLY ", " ON ", 1))


def ledger_row(cur, path: str, rows: int) -> int:
    cur.execute(LEDGER_ROW, {"path": path, "source": SOURCE, "rows": rows})
    return cur.fetchone()[0]


def grow_history(url: str, first_listing: int, last_listing: int, spacing: str = "1 day", stagger_days: int = 1) -> None:
    """Add listings first..last with their changes and periods (a change every `spacing` from HISTORY_START,
    listing n's shifted by n % stagger_days days), then bring the watermark past them."""
    periods = (last_listing - first_listing + 1) * PERIODS_PER_LISTING
    with admin(url) as cur, Stopwatch() as watch:
        cur.execute("set synchronous_commit = off")
        cur.execute("set maintenance_work_mem = '512MB'")
        # The rows are consistent by construction: skip the per-row foreign-key triggers while generating.
        cur.execute("set session_replication_role = replica")
        cur.execute("insert into core.region (region) values ('US') on conflict do nothing")
        cur.execute(LEDGER_POOL, {"first": first_listing, "source": SOURCE, "files": HISTORY_FEED_FILES})
        feed_file_base = min(feed_file_id for (feed_file_id,) in cur.fetchall())
        cur.execute(IDENTITY_BASES)
        change_base, listing_base = cur.fetchone()
        params = {"source": SOURCE, "periods": PERIODS_PER_LISTING, "start": HISTORY_START, "first": first_listing,
                  "last": last_listing, "feed_file_base": feed_file_base, "files": HISTORY_FEED_FILES, "change_base": change_base,
                  "listing_base": listing_base, "spacing": spacing, "stagger_days": stagger_days}
        steps = Steps(cur)
        with secondary_indexes_dropped(steps):
            steps.run("staging changes", HISTORY_STAGING, params)
            steps.run("staging latest states", HISTORY_LATEST, params)
            steps.run("games", HISTORY_GAMES)
            steps.run("listings", HISTORY_LISTINGS, params)
            steps.run("price periods", HISTORY_PERIODS, params)
            steps.run("identities", IDENTITIES_MOVED_ON)
        steps.run("watermark", WATERMARK, {"source": SOURCE})
        steps.run("vacuum analyze", "vacuum analyze staging.store_listing_change, staging.store_listing_latest, core.listing, core.price_history, core.game")
        steps.run("checkpoint", "checkpoint")
        print("  generation steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.seconds.items()))
    print(f"history: +{periods:,} periods ({last_listing - first_listing + 1:,} listings) generated in "
          f"{watch.seconds:.0f} s")


def etl_seconds(url: str, delta_sql: str, label: str, **params) -> float:
    """The median of REPEATS runs, each over a fresh delta (other work on the machine makes single runs noisy)."""
    runs = sorted(etl_run_seconds(url, delta_sql, label, repeat=repeat, **params) for repeat in range(REPEATS))
    return runs[len(runs) // 2]


def etl_run_seconds(url: str, delta_sql: str, label: str, repeat: int, **params) -> float:
    number = next(DELTA_NUMBERS)
    with admin(url) as cur:
        params = {"source": SOURCE, "prefix": f"d{number}-", "repeat": repeat, **params}
        params["feed_file_id"] = ledger_row(cur, f"bench-delta-{number}", params["rows"])
        cur.execute(delta_sql, params)
        cur.execute("analyze staging.store_listing_change, staging.store_listing_latest")
        cur.execute("checkpoint")
    with contextlib.closing(database.connect(role="pricewatch_etl", url=url)) as conn, Stopwatch() as watch:
        with conn.cursor() as cur:
            cur.execute("select status, error, rows_in, rows_changed from etl.run_source(%s)", (SOURCE,))
            status, error, rows_in, rows_changed = cur.fetchone()
        conn.commit()
    if status != "succeeded":
        raise RuntimeError(f"ETL run failed: {error}")
    print(f"  {label}: {rows_in:,} staging rows in, {rows_changed:,} periods opened, {watch.seconds:.2f} s")
    return watch.seconds


def history_periods(url: str) -> int:
    with admin(url) as cur:
        cur.execute("select count(*) from core.price_history")
        return cur.fetchone()[0]


def main() -> None:
    args = arguments(__doc__, history="0,1000000,10000000", delta=10_000)
    sizes = [int(size) for size in args.history.split(",")]
    new_listing_seconds, price_change_seconds = {}, {}
    with workspace("etl-scaling") as directory, throwaway_database(directory) as url, Stopwatch() as whole:
        listings_so_far = 0
        for size in sizes:
            wanted = size // PERIODS_PER_LISTING
            if wanted > listings_so_far:
                grow_history(url, listings_so_far + 1, wanted)
                listings_so_far = wanted
            print(f"history of {history_periods(url):,} price periods:")
            new_listing_seconds[size] = etl_seconds(url, NEW_LISTINGS_DELTA, f"{args.delta:,} new listings",
                                                    rows=args.delta)
            if listings_so_far >= args.delta:
                price_change_seconds[size] = etl_seconds(
                    url, PRICE_CHANGES_DELTA, f"{args.delta:,} price changes", rows=args.delta,
                    stride=listings_so_far // args.delta)
    print(f"whole benchmark (generation included): {whole.seconds:.0f} s")
    smallest, largest = sizes[0], sizes[-1]
    if len(price_change_seconds) > 1:
        low, high = min(price_change_seconds), max(price_change_seconds)
        print(f"price changes: {high:,} history / {low:,} history = "
              f"{price_change_seconds[high] / price_change_seconds[low]:.2f}x")
    ratio = new_listing_seconds[largest] / new_listing_seconds[smallest]
    verdict(f"ETL of {args.delta:,} new rows: {new_listing_seconds[smallest]:.2f} s with {smallest:,} history, "
            f"{new_listing_seconds[largest]:.2f} s with {largest:,}: {ratio:.2f}x (<= 1.5x)", ratio <= 1.5)


if __name__ == "__main__":
    main()
