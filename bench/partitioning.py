"""Benchmark 11, monthly partitions of core.price_history (issue 13): the same work on the same history of
--periods price periods (default 10M) in two databases of one server, one table (the revision before 0019)
against partitions by the month a period closed, open periods apart (head). Targets: the ETL of 10,000 price
changes costs at most 1.15x on partitions, one game's history and current prices stay under 100 ms p95.

The history is bench.etl_scaling's (staging changes, listings, periods, ledger and watermark, set-based), a
change of each listing every 110 days, the listings' dates staggered over 110 days, so the periods fill every
month from 2025-04 to 2026-10 alike (and close in every month from 2025-08). It is generated once into the
one-table database; the partitioned one is a copy (`create database ... template`) migrated to head, which
times the conversion itself. Then, on each: its size; the ETL of 10,000 price changes, of 10,000 new listings
and of 100,000 rescrape confirmations (ten per change), the median of --runs (5) with the two databases taking
turns run by run, and the seconds of each SQL function; one listing's history, and one game's (15 listings)
history and current prices, as the web's game page reads them, the databases taking turns query by query; the
50 biggest drops of the last 7 days; and archiving the oldest month (detach its partition, or delete the
periods closed in it)."""
import contextlib
import random

from bench.daily_cycle import function_seconds
from bench.environment import Stopwatch, admin, arguments, throwaway_database, verdict, workspace
from bench.etl_scaling import (
    NEW_LISTINGS_DELTA,
    PERIODS_PER_LISTING,
    PRICE_CHANGES_DELTA,
    etl_run_seconds,
    grow_history,
)
from bench.web_latency import percentile
from foundation import database
from pricewatch import migrate
from pricewatch.web.catalogue import CURRENT_PRICES, HISTORY

TARGET_RATIO = 1.15
TARGET_GAME_P95_MS = 100
SPACING_DAYS = 110
# Rescrape confirmations per price change of the delta: a day confirms most of what it does not change.
CONFIRMATIONS_PER_CHANGE = 10
LISTINGS_PER_GAME = 15
PARTITIONED_DATABASE = "pricewatch_partitioned"

# Unchanged rescrapes of existing listings, as the loader queues them for etl.move_last_seen.
CONFIRMATIONS_DELTA = """
with confirmed as (
    update staging.store_listing_latest as latest
    set last_seen_at = now(), last_seen_feed_file_id = %(feed_file_id)s
    where latest.source = %(source)s
      and latest.store_item_id in (select 'h' || (n * %(stride)s - %(repeat)s) from generate_series(1, %(rows)s) as n)
    returning latest.source, latest.change_id
)
insert into staging.store_listing_confirmation (source, feed_file_id, change_id)
select source, %(feed_file_id)s, change_id from confirmed
"""

# pg_partition_tree has no rows for a table that is not partitioned.
SIZE = """
select coalesce(sum(pg_total_relation_size(relid)), pg_total_relation_size('core.price_history'))
from pg_partition_tree('core.price_history')
"""
DROPS = "select * from reporting.price_drops_since(7) order by drop_percent desc, changed_at desc limit 50"
# The drops query takes seconds: three runs give its median, too few for a p95.
DROPS_RUNS = [{}] * 3
OLDEST_CLOSED_MONTH = "select date_trunc('month', min(valid_to), 'UTC') from core.price_history"


def archive_statement(label: str, month) -> str:
    """Archiving the periods closed in `month`: a partition detached and dropped, or a delete."""
    if label == "one table":
        return f"delete from core.price_history where valid_to < '{month.isoformat()}'::timestamptz + interval '1 month'"
    partition = f"core.price_history_{month.year:04d}_{month.month:02d}"
    return f"alter table core.price_history detach partition {partition}; drop table {partition}"


def timed(url: str, statement: str, params=None) -> float:
    with admin(url) as cur, Stopwatch() as watch:
        cur.execute(statement, params)
    return watch.seconds


def timed_value(url: str, statement: str):
    with admin(url) as cur:
        cur.execute(statement)
        return cur.fetchone()[0]


def interleaved_latencies_ms(urls: dict[str, str], statement: str, params: list[dict]) -> dict[str, tuple[float, float]]:
    """p50 and p95 of `statement` over `params` on each database, after two runs to warm up; the databases take
    turns query by query."""
    with contextlib.ExitStack() as stack:
        cursors = {name: stack.enter_context(admin(url)) for name, url in urls.items()}
        for warm_up in params[:2]:
            for cur in cursors.values():
                cur.execute(statement, warm_up)
        times = {name: [] for name in urls}
        for each in params:
            for name, cur in cursors.items():
                with Stopwatch() as watch:
                    cur.execute(statement, each)
                    cur.fetchall()
                times[name].append(watch.seconds * 1000)
    return {name: (percentile(sorted(ms), 0.5), percentile(sorted(ms), 0.95)) for name, ms in times.items()}


def interleaved_etl_seconds(urls: dict[str, str], delta_sql: str, label: str, runs: int, **params) -> dict[str, float]:
    """The median of `runs` ETL runs of each database, taking turns run by run (each run the same delta of
    the same listings on both), so what else the machine does weighs on both alike."""
    seconds = {name: [] for name in urls}
    for repeat in range(runs):
        for name, url in urls.items():
            seconds[name].append(etl_run_seconds(url, delta_sql, f"{name}: {label}", repeat=repeat, **params))
    return {name: sorted(runs_of)[len(runs_of) // 2] for name, runs_of in seconds.items()}


def etl_figures(urls: dict[str, str], listings: int, delta: int, runs: int) -> dict[str, dict]:
    figures = {name: {} for name in urls}
    before = {name: function_seconds(url) for name, url in urls.items()}
    confirmations = delta * CONFIRMATIONS_PER_CHANGE
    for figure, delta_sql, label, params in (
            ("ETL price changes s", PRICE_CHANGES_DELTA, f"{delta:,} price changes",
             {"rows": delta, "stride": listings // delta}),
            ("ETL new listings s", NEW_LISTINGS_DELTA, f"{delta:,} new listings", {"rows": delta}),
            ("ETL confirmations s", CONFIRMATIONS_DELTA, f"{confirmations:,} confirmations",
             {"rows": confirmations, "stride": max(1, listings // confirmations)})):
        for name, seconds in interleaved_etl_seconds(urls, delta_sql, label, runs, **params).items():
            figures[name][figure] = seconds
    for name, url in urls.items():
        spent = sorted(((seconds - before[name].get(function, 0), function)
                        for function, seconds in function_seconds(url).items()), reverse=True)
        print(f"{name}, SQL functions over all ETL runs, callees included: "
              + ", ".join(f"{function} {seconds:.1f}" for seconds, function in spent if seconds >= 0.5), flush=True)
    return figures


def query_figures(urls: dict[str, str], listings: int, requests: int, oldest_month) -> dict[str, dict]:
    figures = {name: {"size MB": float(timed_value(url, SIZE)) / 1e6} for name, url in urls.items()}
    for url in urls.values():
        timed(url, "vacuum analyze core.price_history")
    draw = random.Random(10)
    games = [[draw.randint(1, listings) for _ in range(LISTINGS_PER_GAME)] for _ in range(requests)]
    listing = [{"listing_ids": ids[:1], "region": None, "currency": None} for ids in games]
    game = [{"listing_ids": ids, "region": None, "currency": None} for ids in games]
    for figure, statement, params in (("listing history", HISTORY, listing), ("game history", HISTORY, game),
                                      ("game current prices", CURRENT_PRICES, game), ("drops 7 days", DROPS, DROPS_RUNS)):
        for name, (p50, p95) in interleaved_latencies_ms(urls, statement, params).items():
            figures[name][f"{figure} p50 ms"] = p50
            if params is not DROPS_RUNS:
                figures[name][f"{figure} p95 ms"] = p95
    for name, url in urls.items():
        figures[name]["archive oldest month s"] = timed(url, archive_statement(name, oldest_month))
        print(f"{name}: " + ", ".join(f"{figure} {value:,.2f}" for figure, value in figures[name].items()), flush=True)
    return figures


def main() -> None:
    args = arguments(__doc__, periods=10_000_000, delta=10_000, requests=200, runs=5)
    listings = max(args.delta, args.periods // PERIODS_PER_LISTING)
    revisions = migrate.revisions()
    with workspace("partitioning") as directory, throwaway_database(directory) as url:
        migrate.downgrade(url, revisions[revisions.index("0019") - 1])
        grow_history(url, 1, listings, spacing=f"{SPACING_DAYS} days", stagger_days=SPACING_DAYS)
        partitioned_url = database.with_database(url, PARTITIONED_DATABASE)
        with Stopwatch() as copy:
            timed(database.with_database(url, "postgres"), f"create database {PARTITIONED_DATABASE} template {database.DATABASE_NAME}")
        with Stopwatch() as conversion:
            migrate.upgrade(partitioned_url)
        timed(partitioned_url, "vacuum analyze core.price_history")
        partitions = timed_value(partitioned_url, "select count(*) - 1 from pg_partition_tree('core.price_history')")
        print(f"copy of the database {copy.seconds:.0f} s; conversion to {partitions} partitions, the open one included (revision 0019) "
              f"{conversion.seconds:.0f} s", flush=True)
        timed(url, "alter system set track_functions = 'all'")
        timed(url, "select pg_reload_conf()")
        urls = {"one table": url, "monthly partitions": partitioned_url}
        figures = etl_figures(urls, listings, args.delta, args.runs)
        oldest_month = timed_value(url, OLDEST_CLOSED_MONTH)
        for name, queried in query_figures(urls, listings, args.requests, oldest_month).items():
            figures[name].update(queried)
        one_table, monthly = figures["one table"], figures["monthly partitions"]
    print(f"{'':28} {'one table':>12} {'partitions':>12} {'ratio':>7}")
    for name in one_table:
        ratio = monthly[name] / one_table[name] if one_table[name] else float("nan")
        print(f"{name:28} {one_table[name]:12,.2f} {monthly[name]:12,.2f} {ratio:7.2f}")
    ratio = monthly["ETL price changes s"] / one_table["ETL price changes s"]
    game_p95 = max(monthly["game history p95 ms"], monthly["game current prices p95 ms"])
    verdict(f"{args.periods:,} periods: ETL of {args.delta:,} price changes {monthly['ETL price changes s']:.2f} s on "
            f"monthly partitions vs {one_table['ETL price changes s']:.2f} s on one table: {ratio:.2f}x "
            f"(<= {TARGET_RATIO}x); one game's history / current prices p95 {game_p95:.1f} ms "
            f"(< {TARGET_GAME_P95_MS} ms); archiving a month {monthly['archive oldest month s']:.2f} s vs "
            f"{one_table['archive oldest month s']:.2f} s", ratio <= TARGET_RATIO and game_p95 < TARGET_GAME_P95_MS)


if __name__ == "__main__":
    main()
