"""Benchmark 7, query latency (issue 13 point 3): p50 and p95 of the queries behind `report`, the web pages and
typical BI use, run as pricewatch_reader on bench.core_catalogue's catalogue of --listing-regions (default 100k;
`make bench-queries-1m` runs 1M) with --periods price periods each on average (default 10, 50 days apart: 10M
periods over up to two years at 1M). Target: p95 <= 100 ms.

Each query runs --runs times with fresh random parameters (a game, a search word, a title as a user types it)
after a few to warm up, one at a time (3 runs only when a warm-up run took ten times the target). `report best` and `report lows` without a filter print the whole
catalogue by design: they are measured by their time to the first row and rows per second instead.
--explain prints EXPLAIN (ANALYZE, BUFFERS) of one run of every query that misses."""
import contextlib
import random

import psycopg2

from bench.core_catalogue import generate
from bench.environment import Stopwatch, arguments, percentile, throwaway_database, verdict, workspace
from bench.listings import WORDS, title_of
from foundation import database
from pricewatch import reports
from pricewatch.price_timeline import TIMELINE
from pricewatch.web.catalogue import BEST_PRICES, SEARCH, search_words

TARGET_MS = 100
TIMEOUT_MS = 60_000
SLOW_S, SLOW_RUNS = 10 * TARGET_MS / 1000, 3

ONE_GAME = {
    "current prices of one game": "select * from reporting.current_prices where game_id = %(game_id)s",
    "best price of one game": "select * from reporting.best_prices where game_id = %(game_id)s",
    "lows of one game (historical_lows)": "select * from reporting.historical_lows where game_id = %(game_id)s",
    "history of one game (price_history)":
        "select * from reporting.price_history where game_id = %(game_id)s order by store, region, valid_from",
    "timeline of one game (price_timeline, as `chart`)": TIMELINE,
    "50 biggest drops of 7 days (price_drops_since)":
        "select * from reporting.price_drops_since(7) order by drop_percent desc, changed_at desc limit 50",
}


def report(name: str, **filters):
    """The statement `pricewatch report NAME` runs with these filters, as pricewatch.reports composes it."""
    return lambda cur, draw, games: reports.query(name, reports.Filters(**filters))


def report_for_game(name: str, **filters):
    """`report NAME --game TITLE`: the title of a random game, as a user would type it."""
    def statement(cur, draw, games):
        return reports.query(name, reports.Filters(game=title_of(draw.randint(0, games - 1)), **filters))
    return statement


def search(cur, draw, games):
    """The web's search: the page of games matching a word, then their best prices."""
    cur.execute(SEARCH, {"words": search_words(draw.choice(WORDS)), "limit": 20})
    return BEST_PRICES, {"game_ids": [row[0] for row in cur.fetchall()]}


def one_game(statement: str):
    return lambda cur, draw, games: (statement, {"game_id": draw.randint(1, games), "region": None})


QUERIES = {
    **{name: one_game(statement) for name, statement in ONE_GAME.items()},
    "search by title (web: words, then best prices)": search,
    "report best --game TITLE": report_for_game("best"),
    "report best --store --region --limit 50": report("best", store="gog", region="GB", limit=50),
    "report lows --game TITLE": report_for_game("lows"),
    "report drops --days 7 --limit 50": report("drops", days=7, limit=50),
    "report history --game TITLE": report_for_game("history"),
}

WHOLE_CATALOGUE = ("best", "lows")


def reader(url: str, autocommit: bool = True, timeout_ms: int = TIMEOUT_MS):
    """A pricewatch_reader session; timeout_ms 0: none (a whole-catalogue report takes what it takes)."""
    conn = database.connect(role="pricewatch_reader", url=url)
    conn.autocommit = autocommit
    with conn.cursor() as cur:
        cur.execute("set statement_timeout = %s", (timeout_ms,))
    conn.commit()
    return contextlib.closing(conn)


def explain(cur, statement, params) -> None:
    cur.execute(b"explain (analyze, buffers) " + cur.mogrify(statement, params))
    print("\n".join("    " + row[0] for row in cur.fetchall()))


def measure(url: str, games: int, runs: int, show_plans: bool) -> float:
    """Prints p50/p95 per query; returns the worst p95 in ms (a timeout counts as the timeout)."""
    draw = random.Random(7)
    worst = 0.0
    print(f"{'query':50} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'rows':>7}", flush=True)
    with reader(url) as conn, conn.cursor() as cur:
        for name, next_query in QUERIES.items():
            times, rows, warm_ups = [], 0, 3
            planned, run = warm_ups + runs, 0
            while run < planned:
                statement, params = next_query(cur, draw, games)
                try:
                    with Stopwatch() as watch:
                        cur.execute(statement, params)
                        rows = len(cur.fetchall())
                except psycopg2.errors.QueryCanceled:
                    times = [TIMEOUT_MS]
                    break
                if run >= warm_ups:
                    times.append(watch.seconds * 1000)
                elif watch.seconds > SLOW_S:
                    # Ten times the target already, warm: a few runs tell how far off it is.
                    warm_ups, planned = run + 1, run + 1 + SLOW_RUNS
                run += 1
            times.sort()
            p95 = percentile(times, 0.95)
            worst = max(worst, p95)
            timed_out = " (timed out)" if times == [TIMEOUT_MS] else ""
            print(f"{name:50} {percentile(times, 0.5):8.1f} {p95:8.1f} {times[-1]:8.1f} {rows:7}{timed_out}",
                  flush=True)
            if show_plans and p95 > TARGET_MS:
                explain(cur, statement, params)
    return worst


def whole_catalogue(url: str) -> None:
    """`report best` / `report lows` without a filter: time to the first row and rows per second."""
    for name in WHOLE_CATALOGUE:
        statement, params = reports.query(name, reports.Filters())
        with reader(url, autocommit=False, timeout_ms=0) as conn, conn.cursor(name="whole") as cur:
            with Stopwatch() as whole:
                with Stopwatch() as first:
                    cur.execute(statement, params)
                    cur.fetchone()
                rows = 1 + sum(len(batch) for batch in iter(lambda: cur.fetchmany(10_000), []))
            print(f"report {name} (whole catalogue): first row after {first.seconds:.1f} s, {rows:,} rows in "
                  f"{whole.seconds:.1f} s ({rows / whole.seconds:,.0f} rows/s)", flush=True)


def main() -> None:
    args = arguments(__doc__, listing_regions=100_000, periods=10, period_days=50, runs=60, explain=0)
    with workspace("query-latency") as directory, throwaway_database(directory) as url:
        games = generate(url, args.listing_regions, args.periods, args.period_days)
        worst = measure(url, games, args.runs, bool(args.explain))
        whole_catalogue(url)
    verdict(f"report/web/BI queries at {args.listing_regions:,} listing-regions: worst p95 {worst:.0f} ms "
            f"(<= {TARGET_MS} ms)", worst <= TARGET_MS)


if __name__ == "__main__":
    main()
