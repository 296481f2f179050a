"""Benchmark 10, monthly partitions of core.price_history (issue 13): the same work on the same history of
--periods price periods (default 10M) in two databases of one server, one table (the revision before 0013)
against monthly partitions (head). Target: the ETL of a fixed delta costs at most 1.5x on partitions.

The history is bench.etl_scaling's (staging changes, listings, periods, ledger and watermark, set-based), a
change of each listing every 110 days, the listings' dates staggered over 110 days, so the periods fill every
month from 2025-04 to 2026-10 alike. It is generated once into the one-table
database; the partitioned one is a copy (`create database ... template`) migrated to head, which times the
conversion itself. Then, on each: its size; the ETL of 10,000 price changes and of 10,000 new listings
(median of three, as bench.etl_scaling); one listing's history as the web's game page reads it; the 50 biggest
drops of the last 7 days; and archiving the oldest month (detach the partition, or delete its rows)."""
import random

from bench.environment import Stopwatch, admin, arguments, throwaway_database, verdict, workspace
from bench.etl_scaling import (
    NEW_LISTINGS_DELTA,
    PERIODS_PER_LISTING,
    PRICE_CHANGES_DELTA,
    etl_seconds,
    grow_history,
)
from bench.web_latency import percentile
from foundation import database
from pricewatch import migrate
from pricewatch.web.catalogue import HISTORY

TARGET_RATIO = 1.5
SPACING_DAYS = 110
OLDEST_MONTH = ("2025-05-01", "core.price_history_2025_04")
PARTITIONED_DATABASE = "pricewatch_partitioned"

# pg_partition_tree has no rows for a table that is not partitioned.
SIZE = """
select coalesce(sum(pg_total_relation_size(relid)), pg_total_relation_size('core.price_history'))
from pg_partition_tree('core.price_history')
"""
DROPS = "select * from reporting.price_drops_since(7) order by drop_percent desc, changed_at desc limit 50"
ARCHIVE = {
    "one table": f"delete from core.price_history where valid_from < '{OLDEST_MONTH[0]}'",
    "monthly partitions": f"alter table core.price_history detach partition {OLDEST_MONTH[1]};"
                          f" drop table {OLDEST_MONTH[1]}",
}


def timed(url: str, statement: str, params=None) -> float:
    with admin(url) as cur, Stopwatch() as watch:
        cur.execute(statement, params)
    return watch.seconds


def timed_value(url: str, statement: str):
    with admin(url) as cur:
        cur.execute(statement)
        return cur.fetchone()[0]


def latencies_ms(url: str, statement: str, params: list[dict]) -> tuple[float, float]:
    """p50 and p95 of `statement` over `params`, after two runs to warm up."""
    with admin(url) as cur:
        for warm_up in params[:2]:
            cur.execute(statement, warm_up)
        times = []
        for each in params:
            with Stopwatch() as watch:
                cur.execute(statement, each)
                cur.fetchall()
            times.append(watch.seconds * 1000)
    times.sort()
    return percentile(times, 0.5), percentile(times, 0.95)


def measure(url: str, label: str, listings: int, delta: int, requests: int) -> dict:
    print(f"{label}:", flush=True)
    figures = {"size MB": float(timed_value(url, SIZE)) / 1e6}
    figures["ETL price changes s"] = etl_seconds(url, PRICE_CHANGES_DELTA, f"{delta:,} price changes", rows=delta,
                                                 stride=listings // delta)
    figures["ETL new listings s"] = etl_seconds(url, NEW_LISTINGS_DELTA, f"{delta:,} new listings", rows=delta)
    timed(url, "vacuum analyze core.price_history")
    draw = random.Random(10)
    histories = [{"listing_ids": [draw.randint(1, listings)], "region": None, "currency": None}
                 for _ in range(requests)]
    figures["listing history p50 ms"], figures["listing history p95 ms"] = latencies_ms(url, HISTORY, histories)
    figures["drops 7 days p50 ms"], _ = latencies_ms(url, DROPS, [{}] * 3)
    figures["archive oldest month s"] = timed(url, ARCHIVE[label])
    print("  " + ", ".join(f"{name} {value:,.2f}" for name, value in figures.items()), flush=True)
    return figures


def main() -> None:
    args = arguments(__doc__, periods=10_000_000, delta=10_000, requests=200)
    listings = max(args.delta, args.periods // PERIODS_PER_LISTING)
    revisions = migrate.revisions()
    with workspace("partitioning") as directory, throwaway_database(directory) as url:
        migrate.downgrade(url, revisions[revisions.index("0013") - 1])
        grow_history(url, 1, listings, spacing=f"{SPACING_DAYS} days", stagger_days=SPACING_DAYS)
        partitioned_url = database.with_database(url, PARTITIONED_DATABASE)
        with Stopwatch() as copy:
            timed(database.with_database(url, "postgres"), f"create database {PARTITIONED_DATABASE} template {database.DATABASE_NAME}")
        with Stopwatch() as conversion:
            migrate.upgrade(partitioned_url)
        timed(partitioned_url, "vacuum analyze core.price_history")
        partitions = timed_value(partitioned_url, "select count(*) - 1 from pg_partition_tree('core.price_history')")
        print(f"copy of the database {copy.seconds:.0f} s; conversion to {partitions} partitions, the default one included (revision 0013) "
              f"{conversion.seconds:.0f} s", flush=True)
        one_table = measure(url, "one table", listings, args.delta, args.requests)
        monthly = measure(partitioned_url, "monthly partitions", listings, args.delta, args.requests)
    print(f"{'':28} {'one table':>12} {'partitions':>12} {'ratio':>7}")
    for name in one_table:
        ratio = monthly[name] / one_table[name] if one_table[name] else float("nan")
        print(f"{name:28} {one_table[name]:12,.2f} {monthly[name]:12,.2f} {ratio:7.2f}")
    ratio = monthly["ETL price changes s"] / one_table["ETL price changes s"]
    verdict(f"{args.periods:,} periods: ETL of {args.delta:,} price changes {monthly['ETL price changes s']:.2f} s on "
            f"monthly partitions vs {one_table['ETL price changes s']:.2f} s on one table: {ratio:.2f}x "
            f"(<= {TARGET_RATIO}x); archiving a month {monthly['archive oldest month s']:.2f} s vs "
            f"{one_table['archive oldest month s']:.2f} s", ratio <= TARGET_RATIO)


if __name__ == "__main__":
    main()
