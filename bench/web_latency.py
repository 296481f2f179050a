"""Benchmark 6, web latency: p50 and p95 of every page and API route of `pricewatch serve` over real HTTP on
127.0.0.1, with a generated catalogue of --listing-regions current prices (default 1M). Target: p95 <= 100 ms.

The catalogue is bench.core_catalogue's, shaped like a daily crawl's: 1-5 price periods per listing-region,
nine days apart, the newest current.
The server runs as `pricewatch serve` in its own process; requests go one at a time, over varied games and
search words, after a few to warm up."""
import contextlib
import os
import random
import socket
import subprocess
import sys
import time

import httpx

from bench.core_catalogue import BENCH_REGIONS, generate
from bench.environment import Stopwatch, arguments, percentile, throwaway_database, verdict, workspace
from bench.listings import SOURCES, WORDS

TARGET_MS = 100


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
