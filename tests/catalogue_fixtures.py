"""Whole-catalogue crawls through the store simulator: a real `scrapy crawl` per store, its feed read back.

Budgets are the stores' own shape scaled down to the simulator's one-second windows, so a crawl of 20k+ items
takes seconds; the simulator's limit sits just above the budget (the budget alone keeps the crawl under it).
"""
import json

from crawl_fixtures import run_crawl

from pricewatch.store_simulator import RateLimit, StoreSimulator

LIMIT = RateLimit(60, 1.0)
BUDGET = [50, 1]


def simulator_settings(simulator: StoreSimulator, budget=None, **settings) -> dict:
    budgets = {host: budget or BUDGET for host in simulator.modules}
    return {"PRICEWATCH_REQUEST_BUDGETS": json.dumps(budgets), "PRICEWATCH_REQUEST_BUDGETS_REPLAYED": "True",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "4", "DOWNLOAD_TIMEOUT": "2", "LOG_LEVEL": "INFO",
            "SPIDERMON_MIN_ITEMS": "1", **settings}


def crawl_simulator(spider: str, simulator: StoreSimulator, tmp_path, regions: str, settings=None, **arguments):
    return run_crawl(spider, simulator.url, tmp_path, settings=simulator_settings(simulator, **(settings or {})),
                     regions=regions, **arguments)


__all__ = ["LIMIT", "StoreSimulator", "crawl_simulator", "simulator_settings"]
