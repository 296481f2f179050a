"""Benchmark 6, catalogue crawl: each store spider crawls one region of a catalogue of the store's real size
through the store simulator (pricewatch.store_simulator), politely: every store host gets its configured request
budget (PRICEWATCH_REQUEST_BUDGETS) with its window shrunk by --time-scale. Printed per store: requests per
full crawl of a region (by host), items and coverage, 429s met, the time through the simulator against the
floor the scaled budget sets (a crawl faster than its floor would have broken the budget), and the projected
live duration at the store's limit (the busiest host's requests x its seconds per request) for one region and
for the default regions (PRICEWATCH_REGIONS), against the store's cron interval (cron/crontab), with the margin.
Target: every store's margin positive, coverage 100%, no 429, never faster than the budget floor.

Catalogue sizes are the stores' own totals in the recordings (../shared/corpus): Steam search total_count
99,893 (steam/search_results_json_usd_5rows_discounted_trimmed.json), PlayStation grid totalCount 7,571
(psstore/graphql_categoryGridRetrieve_kr_krw_6concepts_TRIMMED_edited.json), GOG productCount 7,501
(gog/catalog_v1_ru_rub_2_products_discounted_95pct_TRIMMED_2026.json), Epic paging.total 6,990
(epic/graphql_searchStore_catalog_kr_krw_decimals0_3_elements_full_price_total6990_2026.json); the eShop has
no recorded whole-catalogue total, 15,000 is an estimate (the European discounted-games query alone found 3,202).
"""
import gzip
import json
import os
import re
import subprocess
import sys
import time

from bench.environment import arguments, machine, verdict, workspace
from foundation import config
from pricewatch.store_simulator import StoreSimulator
from scrapers import settings as crawl_settings
from scrapers.spiders import parse_regions

SIZES = {"steam": 99_893, "psstore": 7_571, "gog": 7_501, "epic": 6_990, "eshop": 15_000}
REGION = {"steam": "US", "psstore": "US", "gog": "US", "epic": "US", "eshop": "US"}
EXTRA_SETTINGS = {"eshop": {"PRICEWATCH_ESHOP_ALGOLIA_API_KEY": "simulated-search-key"}}


def cron_interval_hours(store: str) -> int:
    """Hours between crawls of `store` from cron/crontab's `crawl-<store>` line (hour field */N, *, or fixed)."""
    text = (config.PROJECT_ROOT / "cron" / "crontab").read_text(encoding="utf-8")
    hour = next(line.split()[1] for line in text.splitlines() if f"run-locked crawl-{store} " in line)
    every = re.fullmatch(r"(?:\*|\d+-\d+)/(\d+)", hour)
    return int(every.group(1)) if every else (1 if hour == "*" else 24)


def crawl(store: str, simulator: StoreSimulator, directory, scale: float) -> tuple[dict, float]:
    budgets = {host: [requests, seconds * scale]
               for host, (requests, seconds) in crawl_settings.PRICEWATCH_REQUEST_BUDGETS.items()}
    landing = directory / store
    settings = {"PRICEWATCH_REPLAY_URL": simulator.url, "PRICEWATCH_LANDING": str(landing),
                "PRICEWATCH_REQUEST_BUDGETS": json.dumps(budgets), "PRICEWATCH_REQUEST_BUDGETS_REPLAYED": "True",
                "LOG_LEVEL": "WARNING", **EXTRA_SETTINGS.get(store, {})}
    command = [sys.executable, "-m", "scrapy", "crawl", store, "-a", f"regions={REGION[store]}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    started = time.perf_counter()
    subprocess.run(command, cwd=config.PROJECT_ROOT, check=True, stderr=open(directory / f"{store}.log", "w"),
                   env={**os.environ, "PRICEWATCH_HOME": str(directory / "home")})
    seconds = time.perf_counter() - started
    (report_path,) = landing.glob(f"{store}/*/*.stats.json")
    with gzip.open(next(landing.glob(f"{store}/*/*.jl.gz")), "rt", encoding="utf-8") as feed:
        assert sum(1 for _ in feed) == json.loads(report_path.read_text())["items_scraped"]
    return json.loads(report_path.read_text(encoding="utf-8")), seconds


def main() -> None:
    args = arguments(__doc__, time_scale=0.002, size_scale=1.0, stores="steam,psstore,gog,epic,eshop")
    regions = len(parse_regions(crawl_settings.PRICEWATCH_REGIONS))
    print(f"machine: {machine()}")
    print(f"budgets: windows x {args.time_scale} in the simulator; default regions {regions} "
          f"({crawl_settings.PRICEWATCH_REGIONS})")
    rows, good = [], True
    with workspace("catalogue") as directory:
        for store in args.stores.split(","):
            size = max(1, round(SIZES[store] * args.size_scale))
            with StoreSimulator(size, stores=[store]) as simulator:
                report, seconds = crawl(store, simulator, directory, args.time_scale)
                by_host = {host: count for (host, status), count in simulator.served.items() if status == 200}
            limits = crawl_settings.PRICEWATCH_REQUEST_BUDGETS
            projected = max(count * limits[host][1] / limits[host][0] for host, count in by_host.items())
            interval = cron_interval_hours(store) * 3600
            coverage = report["coverage"][REGION[store]]
            margin = interval - projected * regions
            floor = projected * args.time_scale
            good = good and margin > 0 and coverage["ratio"] == 1.0 and report["http_status_counts"].get("429") is None \
                and seconds >= floor
            rows.append((store, size, sum(by_host.values()), report["items_scraped"], coverage["ratio"], seconds,
                         floor, projected, projected * regions, interval, margin))
            print(f"{store}: {size} products, {sum(by_host.values())} requests per region "
                  f"({', '.join(f'{host} {count}' for host, count in sorted(by_host.items()))}), "
                  f"{report['items_scraped']} items, coverage {coverage['ratio']:.0%}, "
                  f"429s {report['http_status_counts'].get('429', 0)}; {seconds:.1f} s through the simulator "
                  f"(budget floor {floor:.1f} s); projected live "
                  f"{projected / 60:.1f} min per region, {projected * regions / 60:.1f} min for {regions} regions; "
                  f"cron every {interval / 3600:.0f} h, margin {margin / 60:+.0f} min", flush=True)
    print("| store | products | requests per region | items | coverage | simulator s | budget floor s "
          "| projected min per region | projected min, default regions | cron interval h | margin min |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for store, size, requests, items, ratio, seconds, floor, projected, all_regions, interval, margin in rows:
        print(f"| {store} | {size} | {requests} | {items} | {ratio:.0%} | {seconds:.1f} | {floor:.1f} "
              f"| {projected / 60:.1f} | {all_regions / 60:.1f} | {interval / 3600:.0f} | {margin / 60:+.0f} |")
    verdict(f"catalogue crawl: {len(rows)} stores, every cron interval above its projected crawl: "
            f"{'yes' if good else 'NO'}", good)


if __name__ == "__main__":
    main()
