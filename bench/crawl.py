"""Benchmark 4, crawl: pricewatch's Steam spider (with its middlewares, contract pipeline, Spidermon and
gzip landing feed) against a bare Scrapy spider with the same lookups, on the same N loopback pages; pages/s,
items/s and each crawl process's peak RSS; then two pricewatch crawls at once on the machine's cores, where
neither may stall (no gap of STALL_SECONDS between responses, every page fetched).
Targets: pricewatch/bare pages/s >= 0.8, peak RSS < 150 MB."""
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

from bench import store_pages
from bench.environment import arguments, machine, verdict, workspace
from foundation import config

STALL_SECONDS = 5.0
REPEATS = 2


@dataclass
class Crawl:
    label: str
    pages: int
    items: int
    seconds: float
    peak_rss_mb: float
    longest_gap: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds

    def show(self) -> str:
        return (f"{self.label}: {self.pages} pages, {self.items} items in {self.seconds:.1f} s = "
                f"{self.pages_per_second:.0f} pages/s, {self.items / self.seconds:.0f} items/s, "
                f"peak RSS {self.peak_rss_mb:.0f} MB, longest wait between responses {self.longest_gap:.2f} s")


def start(kind: str, server, count: int, landing) -> subprocess.Popen:
    ids = ",".join(map(str, store_pages.appids(count)))
    landing.mkdir(parents=True)
    return subprocess.Popen([sys.executable, "-m", "bench.crawl_process", kind, server.url, ids, str(landing)],
                            cwd=config.PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
                            stderr=open(landing / "crawl.log", "w"),
                            # Its own home: two crawls of one store and region share a resumable JOBDIR
                            # otherwise, which scheduling never allows outside this benchmark.
                            env={**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT), "PRICEWATCH_HOME": str(landing)})


def finish(label: str, process: subprocess.Popen) -> Crawl:
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{label} crawl exited with {process.returncode}; its log: {process.stderr.name}")
    stats = json.loads(output.strip().splitlines()[-1])
    pages = stats.get("response_received_count", 0) - stats.get("robotstxt/response_count", 0)
    return Crawl(label, pages, stats.get("item_scraped_count", 0), stats["elapsed_time_seconds"],
                 usage.ru_maxrss / 1024, stats.get("bench/max_response_gap_seconds", 0.0))


def crawl(label: str, kind: str, server, count: int, landing) -> Crawl:
    result = finish(label, start(kind, server, count, landing))
    print(result.show(), flush=True)
    return result


def main() -> None:
    args = arguments(__doc__, pages=2000)
    print(f"machine: {machine()}")
    with workspace("crawl") as directory, store_pages.PageServer(args.pages) as server:
        print(f"serving {args.pages} pages of {len(next(iter(server.pages.values()))) / 1000:.0f} kB at {server.url}")
        # Alternated, best of REPEATS each: other work on the machine only ever slows a crawl down.
        runs = {"pricewatch": [], "bare": []}
        for repeat in range(REPEATS):
            runs["pricewatch"].append(crawl("pricewatch steam spider", "pricewatch", server, args.pages,
                                            directory / f"pricewatch{repeat}"))
            runs["bare"].append(crawl("bare Scrapy spider", "bare", server, args.pages, directory / f"bare{repeat}"))
        pricewatch, bare = (max(runs[kind], key=lambda run: run.pages_per_second) for kind in ("pricewatch", "bare"))
        started = time.perf_counter()
        pair = [start("pricewatch", server, args.pages, directory / f"pair{n}") for n in (1, 2)]
        together = [finish(f"pricewatch crawl {n} of 2 at once", process) for n, process in enumerate(pair, 1)]
        for result in together:
            print(result.show())
        print(f"both crawls done in {time.perf_counter() - started:.1f} s")
    ratio = pricewatch.pages_per_second / bare.pages_per_second
    rss = max(result.peak_rss_mb for result in [*runs["pricewatch"], *together])
    stalled = [r.label for r in together if r.pages < args.pages or r.longest_gap > STALL_SECONDS]
    print(f"ratio pricewatch/bare pages/s: {ratio:.2f} (>= 0.8); peak RSS {rss:.0f} MB (< 150); "
          f"two at once: {'stalled: ' + ', '.join(stalled) if stalled else 'neither stalled'}")
    verdict(f"crawl: {ratio:.2f}x bare Scrapy pages/s (>= 0.8), peak RSS {rss:.0f} MB (< 150), "
            f"two at once {'stalled' if stalled else 'no stall'}", ratio >= 0.8 and rss < 150 and not stalled)


if __name__ == "__main__":
    main()
