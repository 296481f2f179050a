"""Catalogue crawls against a store that throttles, fails, changes its pages or shifts its order mid-crawl:
every listing still arrives at most once, what could not be read is measured, and the health says why."""
import gzip
import json
from collections import Counter

import pytest
from catalogue_fixtures import crawl_simulator

from pricewatch.store_simulator import Faults, RateLimit, StoreSimulator
from pricewatch.store_simulator import gog, steam
from pricewatch.store_simulator.catalogue import expected

pytestmark = pytest.mark.slow
PRODUCTS = 2_000


def keyed(items) -> dict:
    counts = Counter((item["store_item_id"], item["region"]) for item in items)
    assert max(counts.values()) == 1, [key for key, count in counts.items() if count > 1][:5]
    return {(item["store_item_id"], item["region"]): (item["currency"], item["price"], item["regular_price"],
                                                      item["is_free"]) for item in items}


def expected_listings(module, region: str) -> dict:
    return {(item_id, region): terms for item_id, terms in expected(module.store_item_id, PRODUCTS, region).items()}


def test_a_budget_above_the_stores_limit_meets_429s_waits_them_out_and_loses_nothing(tmp_path):
    """The simulator allows 2 requests a second and answers 429, every other time with Retry-After; a budget of
    100 a second is wrong for it, and the crawl must still end complete, with no retry given up. (Three search
    chains race for two requests a second, so one can lose several times in a row: more retries than the
    default six keep the test from depending on the machine's speed.)"""
    with StoreSimulator(PRODUCTS, stores=["steam"], limit=RateLimit(2, 1.0)) as simulator:
        crawl = crawl_simulator("steam", simulator, tmp_path, "US", settings={
            "budget": [100, 1], "RETRY_TIMES": "10", "PRICEWATCH_RETRY_BACKOFF_BASE": "0.5"})
        throttled = simulator.counts[("store.steampowered.com", "throttled")]
    assert keyed(crawl.items) == expected_listings(steam, "US")
    report = crawl.report
    assert throttled >= 2 and report["http_status_counts"]["429"] == throttled
    assert report["retries_given_up"] == 0 and report["stats"]["pricewatch/budget/pauses"] >= 2
    assert (report["health"], report["coverage"]["US"]["ratio"]) == ("ok", 1.0)


def test_timeouts_and_5xx_are_retried_and_changed_pages_show_as_missing_coverage(tmp_path):
    """Every 4th request fails in turn: no answer within DOWNLOAD_TIMEOUT, 503, a page of a new design."""
    with StoreSimulator(PRODUCTS, stores=["gog"], faults=Faults(every=4, timeout_seconds=3.0)) as simulator:
        crawl = crawl_simulator("gog", simulator, tmp_path, "US")
    got = keyed(crawl.items)
    wanted = expected_listings(gog, "US")
    assert got.items() <= wanted.items() and len(got) < len(wanted)
    report = crawl.report
    assert report["retries"] >= 2 and report["stats"]["retry/reason_count/503 Service Unavailable"] >= 1
    assert any("TimeoutError" in key for key in report["stats"] if key.startswith("retry/reason_count/"))
    assert report["coverage"]["US"]["yielded"] == len(got) and report["coverage"]["US"]["expected"] == PRODUCTS
    assert report["health"] == "failed"
    assert any(reason.startswith("Coverage/") and "coverage under 95%: US" in reason
               for reason in report["health_reasons"])


def test_graphql_errors_inside_200_answers_fail_the_health(tmp_path):
    with StoreSimulator(PRODUCTS, stores=["epic"], epic={"errors_every": 10}) as simulator:
        crawl = crawl_simulator("epic", simulator, tmp_path, "US")
    report = crawl.report
    assert report["api_errors"] >= 1 and report["http_status_counts"]["200"] >= 10
    assert any("API answer" in reason and "Cannot query field" in reason for reason in report["health_reasons"])


@pytest.mark.parametrize(("order", "complete"), [("asc:title", True), ("desc:trending", False)])
def test_gog_trending_order_shifts_during_the_crawl_title_order_holds_still(tmp_path, order, complete):
    params = json.dumps({"limit": 48, "order": order, "productType": "in:game,pack,dlc"})
    with StoreSimulator(PRODUCTS, stores=["gog"]) as simulator:
        crawl = crawl_simulator("gog", simulator, tmp_path, "US", settings={"PRICEWATCH_GOG_CATALOG_PARAMS": params})
    got = keyed(crawl.items)
    assert got.items() <= expected_listings(gog, "US").items()
    assert (crawl.report["coverage"]["US"]["ratio"] == 1.0) is complete
    assert crawl.report["stats"].get("pricewatch/coverage/duplicates", 0) > 0 or complete


def test_a_stopped_crawl_resumes_from_its_job_directory_without_asking_pages_again(tmp_path):
    """Steam lists 2,000 products in 20 search pages (12 games, 6 DLC, 2 bundles of 100). The first crawl stops
    after 5 pages (as a restart would stop it); the second picks up the queue and the spider state."""
    with StoreSimulator(PRODUCTS, stores=["steam"]) as simulator:
        first = crawl_simulator("steam", simulator, tmp_path, "US", settings={"CLOSESPIDER_PAGECOUNT": "5"})
        job_dir = tmp_path / "home" / "jobs" / "steam" / "US"
        kept = (job_dir / "requests.seen").exists()
        resumed = crawl_simulator("steam", simulator, tmp_path, "US")
        pages = sum(count for (host, status), count in simulator.served.items() if status == 200)
    assert first.report["finish_reason"] == "closespider_pagecount" and kept
    items = [json.loads(line) for feed in resumed.feeds for line in gzip.open(feed, "rt", encoding="utf-8")]
    assert len(resumed.feeds) == 2 and keyed(items).items() <= expected_listings(steam, "US").items()
    report = json.loads(resumed.reports[-1].read_text(encoding="utf-8"))  # files are named by start time
    assert report["finish_reason"] == "finished" and not job_dir.exists()
    # Pages in flight when the first crawl stopped are the only ones that can be missing or asked twice.
    assert 20 - 4 <= pages <= 20 + 4
    # The totals read before the stop are in the spider state the resumed crawl carries on with.
    assert report["coverage"]["US"] == {"expected": PRODUCTS, "yielded": len(items), "ratio": len(items) / PRODUCTS}
