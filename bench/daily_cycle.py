"""Benchmark: the daily cycle at catalogue size, as cron runs it (`pricewatch load --landing`, `pricewatch etl`).

A generated catalogue (bench.catalogue: realistic titles, 5 stores, ~30% of products in several stores) in 3
regions. Day 1 lists everything; each later day ~2% of prices change, ~0.5% of listings are new, ~0.2%
disappear and ~0.05% are retitled. Each day's feeds land as gzip JSON lines, then `load --landing` and `etl` run
as their own processes: per day and stage (load, SQL ETL per source, news, game matching, alerts) the seconds
and peak RSS, and the database size. Then `etl` of the same fixed delta of price changes over a catalogue of
that many listing-regions and over the full one, twice: in a crawl of the whole catalogue (whose confirmations
are work in proportion to the catalogue by design) and alone (the changes' own cost): the ratios. Targets (issue 13): a later day's cycle at 1M
listing-regions ≤ 10 min on 2 cores, peak RSS of any pricewatch process ≤ 500 MB, fixed-delta ratio ≤ 1.5.

    python -m bench.daily_cycle                                  # 100k listing-regions, 7 days (make bench)
    python -m bench.daily_cycle --listing-regions 1000000        # make bench-daily-1m
"""
import gzip
import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.catalogue import CatalogueListing, retitled, store_listings
from bench.environment import admin, arguments, throwaway_database, verdict, workspace
from bench.listings import amount

REGIONS = {"US": ("USD", 2), "GB": ("GBP", 2), "DE": ("EUR", 2)}
FIRST_DAY = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)
PRICE_CHANGES, NEW_LISTINGS, GONE_LISTINGS, RETITLED_LISTINGS = 0.02, 0.005, 0.002, 0.0005
PRICEWATCH = str(Path(sys.executable).with_name("pricewatch"))
STAGE_LINE = re.compile(r"^(\w+): .*\((\d+\.\d) s\)$")
LATER_DAY_TARGET_S, RSS_TARGET_MB, RATIO_TARGET = 600, 500, 1.5


def share(*key) -> float:
    """A deterministic number in [0, 1) per key: which listing changes what, on which day."""
    return random.Random(" ".join(map(str, key))).random()


@dataclass
class Catalogue:
    """Products 0..products-1, listed from day 1 (or from the day they were added); the share of prices that
    changed on each day (PRICE_CHANGES unless a day said otherwise)."""
    listings: list[CatalogueListing] = field(default_factory=list)
    products: int = 0
    changed_shares: dict[int, float] = field(default_factory=dict)

    def grow_to(self, listing_regions: int) -> None:
        while len(self.listings) * len(REGIONS) < listing_regions:
            self.listings += store_listings(self.products)
            self.products += 1

    def changes_on(self, listing: CatalogueListing, region: str, day: int) -> bool:
        return share("change", listing.store, listing.store_item_id, region, day) < self.changed_shares.get(
            day, PRICE_CHANGES)

    def price_of(self, listing: CatalogueListing, region: str, day: int) -> tuple[int, int]:
        """(regular, discount percent): the discount moves on the days this listing-region changes."""
        regular = 199 + int(share("price", listing.store, listing.store_item_id) * 6800)
        changes = sum(self.changes_on(listing, region, earlier) for earlier in range(2, day + 1))
        return regular, (changes * 15) % 90


def title_on(listing: CatalogueListing, day: int) -> CatalogueListing:
    for earlier in range(day, 1, -1):
        if share("title", listing.store, listing.store_item_id, earlier) < RETITLED_LISTINGS:
            return retitled(listing, earlier)
    return listing


def feed_items(catalogue: Catalogue, day: int, only_changed: bool = False):
    """The day's crawl; `only_changed`: just the listing-regions whose price changes that day, as if the rest
    had not been crawled (the fixed delta without the rescrape's confirmations)."""
    scraped_at = (FIRST_DAY + timedelta(days=day - 1)).isoformat().replace("+00:00", "Z")
    for listing in catalogue.listings:
        if share("gone", listing.store, listing.store_item_id) < GONE_LISTINGS * (day - 1):
            continue
        listing = title_on(listing, day)
        for region, (currency, digits) in REGIONS.items():
            if only_changed and not catalogue.changes_on(listing, region, day):
                continue
            regular, discount = catalogue.price_of(listing, region, day)
            regular *= 100 if digits == 0 else 1
            yield listing.store, {
                "source": listing.store, "store_item_id": listing.store_item_id, "title": listing.title,
                "kind": listing.kind, "url": f"https://store.example/{listing.store}/{listing.store_item_id}",
                "region": region, "currency": currency, "price": amount(regular * (100 - discount) // 100, digits),
                "regular_price": amount(regular, digits), "discount_percent": discount, "is_free": False,
                "platforms": ["windows"], "release_date": listing.release_date, "scraped_at": scraped_at,
            }


def land_feeds(landing: Path, catalogue: Catalogue, day: int, only_changed: bool = False) -> int:
    """The day's crawl of every store as landed feeds; returns lines written."""
    date = (FIRST_DAY + timedelta(days=day - 1)).date().isoformat()
    feeds, lines = {}, 0
    try:
        for source, item in feed_items(catalogue, day, only_changed):
            if source not in feeds:
                path = landing / source / date / f"bench-day{day}.jl.gz"
                path.parent.mkdir(parents=True, exist_ok=True)
                feeds[source] = gzip.open(path, "wt", encoding="utf-8", compresslevel=1)
            feeds[source].write(json.dumps(item, ensure_ascii=False) + "\n")
            lines += 1
    finally:
        for feed in feeds.values():
            feed.close()
    return lines


def run_stage(*argv: str) -> tuple[list[str], float, float]:
    """A pricewatch command as its own process: its output lines, its seconds and its peak RSS in MiB (wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen([PRICEWATCH, *argv], stdout=subprocess.PIPE, text=True)
    lines = [line.rstrip("\n") for line in process.stdout]
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"pricewatch {' '.join(argv)} failed (exit {process.returncode})")
    return lines, time.perf_counter() - started, usage.ru_maxrss / 1024


@dataclass
class DayFigures:
    day: int
    lines: int
    load_s: float
    load_rss: float
    etl_s: float
    etl_rss: float
    stages: dict
    database_mb: float

    @property
    def cycle_s(self) -> float:
        return self.load_s + self.etl_s

    @property
    def etl_work_s(self) -> float:
        """`etl` without starting Python and connecting: the stages that can grow with the data."""
        return self.etl_s - self.stages["start"]

    def __str__(self) -> str:
        stages = ", ".join(f"{name} {seconds:.1f}" for name, seconds in self.stages.items())
        return (f"day {self.day}: {self.lines:,} lines; load {self.load_s:.1f} s ({self.load_rss:.0f} MiB); "
                f"etl {self.etl_s:.1f} s ({self.etl_rss:.0f} MiB) = {stages}; cycle {self.cycle_s:.1f} s; "
                f"database {self.database_mb:,.0f} MB")


def etl_stages(lines: list[str], etl_s: float) -> dict:
    """Seconds per stage from `pricewatch etl` output (a line per source, then games and alerts, each ending
    "(N s)"); "start" is the rest: starting Python, connecting, checking the schema."""
    stages = {}
    for line in lines:
        if timed := STAGE_LINE.match(line):
            stages[timed.group(1)] = float(timed.group(2))
    return {"start": etl_s - sum(stages.values()), **stages}


def database_mb(url: str) -> float:
    with admin(url) as cur:
        cur.execute("select pg_database_size(current_database())")
        return cur.fetchone()[0] / 1e6


def function_seconds(url: str) -> dict[str, float]:
    """Seconds spent in each SQL function so far, its callees included (track_functions, set by daily_cycles)."""
    with admin(url) as cur:
        cur.execute("select pg_stat_force_next_flush()")
    with admin(url) as cur:
        cur.execute("select schemaname || '.' || funcname, total_time / 1000 from pg_stat_user_functions")
        return dict(cur.fetchall())


def cycle(url: str, landing: Path, catalogue: Catalogue, day: int, only_changed: bool = False) -> DayFigures:
    lines = land_feeds(landing, catalogue, day, only_changed)
    _, load_s, load_rss = run_stage("load", "--landing")
    before = function_seconds(url)
    etl_lines, etl_s, etl_rss = run_stage("etl")
    figures = DayFigures(day, lines, load_s, load_rss, etl_s, etl_rss, etl_stages(etl_lines, etl_s), database_mb(url))
    print(figures, flush=True)
    spent = sorted(((seconds - before.get(name, 0), name) for name, seconds in function_seconds(url).items()),
                   reverse=True)
    print("  SQL functions, callees included: "
          + ", ".join(f"{name} {seconds:.1f}" for seconds, name in spent if seconds >= 0.1), flush=True)
    return figures


def daily_cycles(home: Path, listing_regions: int, days: int, delta: int) -> tuple[list[DayFigures], DayFigures, DayFigures]:
    """`days` days over a catalogue of `listing_regions`, then a day of ~`delta` price changes in a crawl of the
    whole catalogue, then one of ~`delta` price changes alone."""
    catalogue = Catalogue()
    catalogue.grow_to(listing_regions)
    figures = []
    with throwaway_database(home) as url:
        with admin(url) as cur:
            cur.execute("alter system set track_functions = 'all'")
            cur.execute("select pg_reload_conf()")
        landing = home / "landing"
        for day in range(1, days + 1):
            if day > 1:
                catalogue.grow_to(len(catalogue.listings) * len(REGIONS) * (1 + NEW_LISTINGS))
            figures.append(cycle(url, landing, catalogue, day))
        catalogue.changed_shares[days + 1] = catalogue.changed_shares[days + 2] = (
            delta / (len(catalogue.listings) * len(REGIONS)))
        rescraped = cycle(url, landing, catalogue, days + 1)
        changes_only = cycle(url, landing, catalogue, days + 2, only_changed=True)
    return figures, rescraped, changes_only


def ratio(big: DayFigures, small: DayFigures) -> float:
    # Stages print tenths of a second: a small run can round to nothing, and then there is no ratio to give.
    return big.etl_work_s / small.etl_work_s if small.etl_work_s > 0 else float("nan")


def main() -> None:
    args = arguments(__doc__.splitlines()[0], listing_regions=100_000, days=7, delta=10_000)
    print(f"daily cycle: {args.listing_regions:,} listing-regions in {len(REGIONS)} regions, {args.days} days; "
          f"later days {PRICE_CHANGES:.0%} price changes, {NEW_LISTINGS:.1%} new, {GONE_LISTINGS:.1%} gone, "
          f"{RETITLED_LISTINGS:.2%} retitled; then {args.delta:,} price changes in a whole crawl, then alone",
          flush=True)
    with workspace("daily") as home:
        figures, rescraped_big, changes_big = daily_cycles(home / "big", args.listing_regions, args.days, args.delta)
    print(f"fixed delta: {args.delta:,} price changes over {args.delta:,} listing-regions", flush=True)
    with workspace("daily-small") as home:
        _, rescraped_small, changes_small = daily_cycles(home / "small", args.delta, 1, args.delta)
    later = max(figures[1:], key=lambda day: day.cycle_s) if len(figures) > 1 else figures[0]
    rss = max(max(day.load_rss, day.etl_rss)
              for day in figures + [rescraped_big, changes_big, rescraped_small, changes_small])
    changes_ratio = ratio(changes_big, changes_small)
    # A daily crawl sees every listing again: confirming them is work in proportion to the catalogue by design.
    print(f"etl of {args.delta:,} price changes (without its start): {changes_small.etl_work_s:.1f} s over "
          f"{args.delta:,} listing-regions, {changes_big.etl_work_s:.1f} s over {args.listing_regions:,}: "
          f"ratio {changes_ratio:.2f} (target ≤ {RATIO_TARGET}); with the rescrape of the whole catalogue "
          f"{rescraped_small.etl_work_s:.1f} s and {rescraped_big.etl_work_s:.1f} s: "
          f"ratio {ratio(rescraped_big, rescraped_small):.2f}")
    print(f"first day {figures[0].cycle_s:.0f} s; slowest later day {later.cycle_s:.0f} s; "
          f"peak RSS of a pricewatch process {rss:.0f} MiB (target ≤ {RSS_TARGET_MB} MB)")
    verdict(f"later day's cycle at {args.listing_regions:,} listing-regions {later.cycle_s:.0f} s "
            f"(≤ {LATER_DAY_TARGET_S} s at 1M), fixed-delta ratio {changes_ratio:.2f}, peak RSS {rss:.0f} MiB",
            later.cycle_s <= LATER_DAY_TARGET_S and changes_ratio <= RATIO_TARGET and rss <= RSS_TARGET_MB)


if __name__ == "__main__":
    main()
