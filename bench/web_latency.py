"""Benchmark 6, web latency: p50 and p95 of every page and API route of `pricewatch serve` over real HTTP on
127.0.0.1, with a generated catalogue of --listing-regions current prices (default 1M). Target: p95 <= 100 ms.

The catalogue is shaped like a daily crawl's: every game (titles from bench.listings) in the five stores and
three regions (US, GB, DE), add-ons tied to their game, 1-5 price periods per listing-region over the last
weeks (a quarter discounted, some base-price raises), the newest current. It is generated set-based straight
into core the way the ETL leaves it (secondary indexes dropped meanwhile, as bench.etl_scaling does), then the
web summaries are refilled as `pricewatch etl` does after every run (timed: that cost moves to the ETL).
The server runs as `pricewatch serve` in its own process; requests go one at a time, over varied games and
search words, after a few to warm up."""
import contextlib
import io
import os
import random
import socket
import subprocess
import sys
import time

import httpx

from bench.environment import Stopwatch, admin, arguments, throwaway_database, verdict, workspace
from bench.etl_scaling import Steps, secondary_indexes_dropped
from bench.listings import REGIONS, SOURCES, WORDS, title_of

TARGET_MS = 100
BENCH_REGIONS = tuple(REGIONS)[:3]
GENERATED_TABLES = ("core.game", "core.listing", "core.price_history")

GAMES = """
insert into core.game (game_id, normalized_title, title, base_game_id)
overriding system value
select n + 1, lower(title) || ' ' || n, title, case when n %% 7 = 0 and n > 0 then n end
from bench_game
"""

LISTINGS = """
insert into core.listing (listing_id, store, store_item_id, kind, title, url, platforms, game_id, first_seen_at,
    described_at)
overriding system value
select game.game_id * %(stores)s + store.position, store.store, (100000 + game.game_id)::text,
    case when game.base_game_id is null then 'game' else 'dlc' end, game.title,
    'https://store.example/' || store.store || '/app/' || (100000 + game.game_id) || '/', '{windows}',
    game.game_id, now() - interval '60 days', now() - interval '60 days'
from core.game as game
cross join unnest(%(sources)s::text[]) with ordinality as store (store, position)
"""

# Period seq of k, nine days each, the last one open and seen two hours ago; prices in three currencies.
PERIODS = """
insert into core.price_history (listing_id, region, currency, price, regular_price, discount_percent, is_free,
    valid_from, valid_to, last_seen_at, opened_by_change_id)
select listing.listing_id, region.region, region.currency,
    round(regular * (100 - discount) / 100, 2), regular, discount, false,
    started, case when seq < k then started + interval '9 days' end,
    case when seq < k then started + interval '9 days' else now() - interval '2 hours' end, 0
from core.listing as listing
cross join unnest(%(regions)s::text[], %(currencies)s::text[], array[1.0, 0.8, 0.9]) with ordinality
    as region (region, currency, factor, position)
cross join lateral (select 1 + (listing.listing_id * 3 + region.position) %% 5 as k) as shape
cross join lateral generate_series(1, shape.k) as seq
cross join lateral (
    select
        now() - (shape.k - seq + 1) * interval '9 days' + (listing.listing_id %% 86400) * interval '1 second' as started,
        round((1.99 + listing.game_id * 7919 %% 6800 / 100.0) * region.factor
              * case when listing.listing_id %% 13 = 0 and seq >= 2 then 1.25 else 1 end, 2) as regular,
        case when (seq + listing.listing_id + region.position) %% 4 = 0
             then 10 * (1 + (listing.listing_id + seq) %% 8) else 0 end as discount
) as price
"""

# What the ETL keeps as it writes the sightings: every store and region was crawled when its open periods
# were last seen.
LATEST_CRAWLS = """
insert into core.latest_crawl (store, region, crawled_at)
select store, region, now() - interval '2 hours'
from unnest(%(sources)s::text[]) as store cross join unnest(%(regions)s::text[]) as region
"""

WATCH_RULES = """
insert into core.watch_rule (title, anchor_listing_id, currency, below, min_discount, new_low)
select game.title, game.game_id * %(stores)s + 1, 'USD', 15, null, null from core.game as game where game.game_id = 11
union all
select game.title, game.game_id * %(stores)s + 1, null, null, 30, null from core.game as game where game.game_id = 22
union all
select game.title, game.game_id * %(stores)s + 1, null, null, null, 'all_time' from core.game as game where game.game_id = 33
"""


def generate(url: str, listing_regions: int) -> int:
    """The catalogue; returns the number of games."""
    games = max(1, listing_regions // (len(SOURCES) * len(BENCH_REGIONS)))
    with admin(url) as cur, Stopwatch() as watch:
        cur.execute("set synchronous_commit = off")
        cur.execute("set maintenance_work_mem = '512MB'")
        cur.execute("set session_replication_role = replica")
        cur.execute("insert into core.region (region) select unnest(%s::text[]) on conflict do nothing",
                    (list(BENCH_REGIONS),))
        cur.execute("create temporary table bench_game (n bigint, title text)")
        cur.copy_expert("copy bench_game from stdin", io.StringIO(
            "".join(f"{n}\t{title_of(n)}\n" for n in range(games))))
        steps = Steps(cur)
        params = {"stores": len(SOURCES), "sources": list(SOURCES), "regions": list(BENCH_REGIONS),
                  "currencies": [REGIONS[region][0] for region in BENCH_REGIONS]}
        with secondary_indexes_dropped(steps, GENERATED_TABLES):
            steps.run("games", GAMES, {})
            steps.run("listings", LISTINGS, params)
            steps.run("price periods", PERIODS, params)
        steps.run("latest crawls", LATEST_CRAWLS, params)
        steps.run("watch rules", WATCH_RULES, params)
        cur.execute("set session_replication_role = origin")
        steps.run("vacuum analyze", "vacuum analyze core.game, core.listing, core.price_history")
        steps.run("web summaries (etl.refresh_web_summaries, after every ETL)", "select etl.refresh_web_summaries()")
        steps.run("analyze summaries", "analyze reporting.deals, reporting.store_coverage")
        cur.execute("select (select count(*) from reporting.current_prices), (select count(*) from core.price_history),"
                    " (select count(*) from reporting.deals)")
        current, periods, deals = cur.fetchone()
        print("  generation steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.seconds.items()))
    print(f"catalogue: {games:,} games, {current:,} listing-regions, {periods:,} price periods, {deals:,} deals, "
          f"generated in {watch.seconds:.0f} s")
    return games


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server(url: str):
    """`pricewatch serve` in its own process, rate limit off; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PRICEWATCH_DATABASE_URL": url, "PRICEWATCH_WEB_TOKEN": "bench"}
    process = subprocess.Popen([sys.executable, "-m", "pricewatch.cli", "serve", "--port", str(port),
                                "--rate-limit", "0"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(base + "/api/v1/openapi.json", timeout=5)
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("pricewatch serve did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def routes(games: int, draw: random.Random) -> dict:
    """Per route, a function giving the next request path (varied games and words)."""
    game = lambda: draw.randint(1, games)  # noqa: E731
    word = lambda: draw.choice(WORDS).lower()  # noqa: E731
    store = lambda: draw.choice(SOURCES)  # noqa: E731
    return {
        "GET / (home: three deal lists)": lambda: "/",
        "GET /?store=&region= (filtered)": lambda: f"/?store={store()}&region={draw.choice(BENCH_REGIONS)}",
        "GET /search?q=WORD": lambda: f"/search?q={word()}",
        "GET /games/{id} (chart included)": lambda: f"/games/{game()}",
        "GET /watchlist": lambda: "/watchlist",
        "GET /status": lambda: "/status",
        "GET /api/v1/games?q=WORD PREFIX": lambda: f"/api/v1/games?q={word()}+{word()[:3]}",
        "GET /api/v1/games/{id}": lambda: f"/api/v1/games/{game()}",
        "GET /api/v1/games/{id}/history": lambda: f"/api/v1/games/{game()}/history",
        "GET /api/v1/games/{id}/history?region=US": lambda: f"/api/v1/games/{game()}/history?region=US&currency=USD",
        "GET /api/v1/deals": lambda: "/api/v1/deals",
        "GET /api/v1/deals?show=all_time_lows&store=": lambda: f"/api/v1/deals?show=all_time_lows&store={store()}",
        "GET /api/v1/deals?show=since_raise&currency=EUR": lambda: "/api/v1/deals?show=since_raise&currency=EUR",
        "GET /api/v1/watchlist": lambda: "/api/v1/watchlist",
    }


def percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(share * (len(sorted_ms) - 1)))]


def measure(base: str, games: int, requests: int) -> float:
    """Prints p50/p95 per route; returns the worst p95 in ms."""
    draw = random.Random(6)
    worst = 0.0
    print(f"{'route':48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    with httpx.Client(base_url=base, timeout=30) as client:
        for name, next_path in routes(games, draw).items():
            for _ in range(5):
                client.get(next_path()).raise_for_status()
            times = []
            for _ in range(requests):
                path = next_path()
                with Stopwatch() as watch:
                    client.get(path).raise_for_status()
                times.append(watch.seconds * 1000)
            times.sort()
            p95 = percentile(times, 0.95)
            worst = max(worst, p95)
            print(f"{name:48} {percentile(times, 0.5):8.1f} {p95:8.1f} {times[-1]:8.1f}", flush=True)
    return worst


def main() -> None:
    args = arguments(__doc__, listing_regions=1_000_000, requests=100)
    with workspace("web-latency") as directory, throwaway_database(directory) as url:
        games = generate(url, args.listing_regions)
        with server(url) as base:
            worst = measure(base, games, args.requests)
    verdict(f"web routes at {args.listing_regions:,} listing-regions: worst p95 {worst:.0f} ms (<= {TARGET_MS} ms)",
            worst <= TARGET_MS)


if __name__ == "__main__":
    main()
