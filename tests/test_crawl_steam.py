"""Real Steam crawls over HTTP on 127.0.0.1 through the replay server, checked in the landing area."""
import json

import pytest
from crawl_fixtures import run_crawl

from pricewatch import replay
from scrapers.pipelines.validation import contract_errors
from scrapers.settings import PRICEWATCH_ITEM_SCHEMAS

pytestmark = pytest.mark.slow


def routes_file(tmp_path, *routes):
    path = tmp_path / "routes.json"
    path.write_text(json.dumps({"routes": list(routes)}))
    return replay.load_routes([path])


def test_search_rows_per_region_and_category_land_one_valid_feed(replay_server, tmp_path):
    crawl = run_crawl("steam", replay_server.url, tmp_path, regions="US,KR")
    assert crawl.returncode == 0, crawl.log[-3000:]
    items = {(item["store_item_id"], item["region"]): item for item in crawl.items}
    assert len(items) == len(crawl.items) == 5 + 25 + 3
    assert {key: (items[key]["kind"], items[key]["currency"], items[key]["price"]) for key in [
        ("1091500", "US"), ("413150", "US"), ("bundle/232", "US"), ("1478500", "KR")]} == {
        ("1091500", "US"): ("game", "USD", "17.99"),
        ("413150", "US"): ("bundle", "USD", "3.59"),
        ("bundle/232", "US"): ("bundle", None, None),
        ("1478500", "KR"): ("game", "KRW", "16350"),
    }
    assert all(contract_errors(item, PRICEWATCH_ITEM_SCHEMAS) == [] for item in items.values())
    assert not list(crawl.landing.rglob("*.tmp"))
    report = crawl.report
    assert report["feed"] == crawl.feed.name and report["job"] == crawl.feed.name.removesuffix(".jl.gz")
    assert (report["items_scraped"], report["finish_reason"]) == (33, "finished")
    # The recordings are samples: 5 of the 99,893 games the US search says it has, so the health says so.
    assert report["coverage"]["US"] == {"expected": 99893 + 2, "yielded": 8, "ratio": round(8 / 99895, 4)}
    assert report["health"] == "failed" and any("coverage under 95%: US" in reason
                                                 for reason in report["health_reasons"])
    assert ("GET", "/store.steampowered.com/robots.txt") in replay_server.requests


def test_scrapyd_job_id_names_the_files(replay_server, tmp_path):
    crawl = run_crawl("steam", replay_server.url, tmp_path, regions="KR", _job="abc123")
    assert crawl.feed.name == "abc123.jl.gz" and crawl.reports[0].name == "abc123.stats.json"


def test_429_with_retry_after_is_retried_after_waiting(tmp_path, corpus):
    routes = routes_file(tmp_path, {
        "url": "https://store.steampowered.com/api/appdetails?appids=413150&cc=kr",
        "sequence": [{"status": 429, "headers": {"Retry-After": "1"}, "body": "slow down"},
                     {"file": "steam/appdetails_413150_stardew_krw_trimmed.json"}],
    })
    with replay.ReplayServer(routes) as server:
        crawl = run_crawl("steam", server.url, tmp_path, regions="KR", appids="413150")
    assert [item["price"] for item in crawl.items] == ["16000"]
    report = crawl.report
    assert report["retries"] == 1 and report["http_status_counts"]["429"] == 1
    assert report["stats"]["pricewatch/retry/wait_seconds"] == 1.0


def test_invalid_item_is_dropped_counted_and_not_written(tmp_path):
    routes = routes_file(tmp_path, {
        "url": "https://store.steampowered.com/api/appdetails?appids=413150&cc=us",
        "file": "handmade:handmade_steam_appdetails_broken_discount.json",
    })
    with replay.ReplayServer(routes) as server:
        crawl = run_crawl("steam", server.url, tmp_path, regions="US", appids="413150")
    assert crawl.items == []
    report = crawl.report
    assert (report["items_invalid"], report["items_dropped"], report["items_scraped"]) == (1, 1, 0)
    assert report["stats"]["pricewatch/validation/discount_percent"] == 1
    assert report["health"] == "failed"
    assert any("Extracted Items" in reason or "item" in reason.lower() for reason in report["health_reasons"])


def test_unrouted_pages_fail_health_and_are_reported(tmp_path):
    with replay.ReplayServer([]) as server:
        crawl = run_crawl("steam", server.url, tmp_path, regions="US", appids="1")
    report = crawl.report
    assert report["http_status_counts"] == {"404": 2}
    assert report["health"] == "failed" and len(report["health_reasons"]) >= 2
