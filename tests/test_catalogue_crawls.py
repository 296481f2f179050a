"""Every store's whole catalogue through the store simulator: 20k+ listings per store, each exactly once with
its exact price, the store's totals recorded as coverage, politely within the simulator's rate limit."""
import importlib
from collections import Counter

import pytest
from catalogue_fixtures import LIMIT, StoreSimulator, crawl_simulator

from pricewatch.store_simulator.catalogue import expected

pytestmark = pytest.mark.slow

PRODUCTS = 10_500
# store, regions (two currencies each, 21,000 listings); zero-decimal currencies where the store sells in them.
CRAWLS = [
    ("steam", "US,KR", {}),
    # GOG prices the regions asked in their currency when it sells in it (PRICEWATCH_GOG_CURRENCIES).
    ("gog", "US,PL", {}),
    # Epic states its decimals: whole won, and three-decimal dinars.
    ("epic", "KR,KW", {}),
    # The PlayStation grid writes prices as text: thousands separators in dollars, whole yen.
    ("psstore", "US,JP", {}),
    # eShop: the Americas through Algolia split under its 1000-hit cap, Europe through Solr; prices in batches.
    ("eshop", "US,GB", {"PRICEWATCH_ESHOP_ALGOLIA_API_KEY": "simulated-search-key"}),
]


def expected_listings(store: str, regions: str) -> dict:
    ids = importlib.import_module(f"pricewatch.store_simulator.{store}").store_item_id
    return {(item_id, region): terms for region in regions.split(",")
            for item_id, terms in expected(ids, PRODUCTS, region).items()}


@pytest.mark.parametrize(("store", "regions", "settings"), CRAWLS, ids=[crawl[0] for crawl in CRAWLS])
def test_whole_catalogue_arrives_once_with_exact_prices_and_coverage(tmp_path, store, regions, settings):
    with StoreSimulator(PRODUCTS, stores=[store], limit=LIMIT) as simulator:
        crawl = crawl_simulator(store, simulator, tmp_path, regions, settings)
    items = crawl.items
    keys = Counter((item["store_item_id"], item["region"]) for item in items)
    assert len(items) >= 20_000 and max(keys.values()) == 1, crawl.log[-3000:]
    got = {(item["store_item_id"], item["region"]): (item["currency"], item["price"], item["regular_price"],
                                                     item["is_free"]) for item in items}
    assert got == expected_listings(store, regions)
    report = crawl.report
    assert {region: counts["ratio"] for region, counts in report["coverage"].items()} == \
        dict.fromkeys(regions.split(","), 1.0)
    assert report["http_status_counts"].get("429", 0) == 0
    assert (report["health"], report["health_reasons"]) == ("ok", [])
