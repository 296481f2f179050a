"""Spider-side faults through the replay server: real Steam crawls over HTTP on 127.0.0.1 meet a 429 storm,
503s, a CAPTCHA page, an access-denied 403, an empty result page and a page whose markup changed. Each crawl
either recovers (retried politely) or ends with a failed health check whose reasons say what happened."""
import contextlib

import pytest
from crawl_fixtures import run_crawl

from foundation import config, database
from pricewatch import crawl_jobs, replay
from pricewatch.cli import main

pytestmark = pytest.mark.slow

FAULT_ROUTES = config.PROJECT_ROOT / "tests" / "fixtures" / "handmade_fault_routes.json"
SEARCH = "https://store.steampowered.com/search/results/?infinite=1&fault={fault}"


@pytest.fixture
def fault_server():
    """Only the fault routes, and no robots.txt route: every crawl also meets a robots.txt 404 ("allow all")."""
    with replay.ReplayServer(replay.load_routes([FAULT_ROUTES])) as server:
        yield server


def steam_crawl(server, tmp_path, settings=None, **arguments):
    return run_crawl("steam", server.url, tmp_path, settings={"PRICEWATCH_STEAM_FEATURED": "False", **(settings or {})},
                     regions="US", **arguments)


def reasons_of(report) -> str:
    return "\n".join(report["health_reasons"])


def test_503s_are_retried_and_the_crawl_is_healthy_despite_a_robots_txt_404(fault_server, tmp_path):
    crawl = steam_crawl(fault_server, tmp_path, appids="413150,440")
    report = crawl.report
    assert sorted((item["store_item_id"], item["price"]) for item in crawl.items) == [("413150", "8.99"), ("440", "0.00")]
    assert report["http_status_counts"] == {"200": 2, "404": 1, "503": 2}
    assert (report["retries"], report["retries_given_up"], report["downloads_failed"]) == (2, 0, 0)
    assert report["stats"]["robotstxt/response_status_count/404"] == 1
    assert (report["health"], report["health_reasons"]) == ("ok", [])


def test_429_storm_ends_with_retries_exhausted_and_a_failed_health_naming_it(fault_server, tmp_path):
    crawl = steam_crawl(fault_server, tmp_path, appids="1001,440")
    report = crawl.report
    assert [item["store_item_id"] for item in crawl.items] == ["440"]
    assert report["http_status_counts"] == {"200": 1, "404": 1, "429": 7}
    assert (report["retries"], report["retries_given_up_by_status"]) == (6, {"429": 1})
    assert report["health"] == "failed"
    assert "Blocking/No request given up after retries: retries exhausted (6 each): 1 request still HTTP 429 " \
           "(throttled)" in report["health_reasons"]
    assert "Error ratio/Share of failed requests is at most PRICEWATCH_MAX_ERROR_RATIO: 1 of 2 requests failed " \
           "(50% > 20%)" in report["health_reasons"]


def test_503_storm_fails_health_naming_the_status(fault_server, tmp_path):
    report = steam_crawl(fault_server, tmp_path, appids="1002").report
    assert report["http_status_counts"] == {"404": 1, "503": 7}
    assert report["health"] == "failed"
    assert "retries exhausted (6 each): 1 request still HTTP 503" in reasons_of(report)
    assert "Items/At least SPIDERMON_MIN_ITEMS items: 0 items scraped, at least 1 expected" in report["health_reasons"]


@pytest.mark.parametrize(("appid", "status", "sign"), [
    ("1003", "200", "are you a robot"),
    ("1004", "403", "HTTP 403"),
])
def test_block_page_is_reported_as_blocking_not_as_no_deals(fault_server, tmp_path, appid, status, sign):
    crawl = steam_crawl(fault_server, tmp_path, appids=appid)
    report = crawl.report
    assert crawl.items == [] and report["http_status_counts"] == {"404": 1, status: 1}
    url = f"https://store.steampowered.com/api/appdetails?appids={appid}&cc=us&l=english"
    assert (report["blocked_pages"], report["blocked_page_urls"]) == (1, [f"{url} ({sign})"])
    assert report["health"] == "failed"
    assert f"Blocking/No block pages: store is blocking the crawl: 1 block page, first {url} ({sign})" \
           in report["health_reasons"]
    assert "yielded nothing" not in reasons_of(report)


@pytest.mark.parametrize("fault", ["empty", "changed"])
def test_page_yielding_nothing_fails_health_with_its_url(fault_server, tmp_path, fault):
    # One search category, so the crawl asks the one page.
    crawl = steam_crawl(fault_server, tmp_path, settings={"PRICEWATCH_STEAM_SEARCH_URL": SEARCH.format(fault=fault),
                                                          "PRICEWATCH_STEAM_SEARCH_CATEGORIES": '{"game": "998"}'})
    report = crawl.report
    assert crawl.items == [] and report["http_status_counts"] == {"200": 1, "404": 1}
    assert (report["empty_pages"], report["blocked_pages"]) == (1, 0)
    assert report["health"] == "failed"
    [empty] = [reason for reason in report["health_reasons"] if reason.startswith("Empty pages/")]
    assert "1 page yielded nothing (no results, or the page structure changed): " \
           f"https://store.steampowered.com/search/results/?infinite=1&fault={fault}" in empty
    assert "Items/At least SPIDERMON_MIN_ITEMS items: 0 items scraped, at least 1 expected" in report["health_reasons"]
    assert "Error ratio" not in reasons_of(report)


def record_crawl(crawl, job: str, monkeypatch, finished: str = "2026-11-28 07:50:00") -> None:
    """Record the crawl in ops.crawl_job as `pricewatch scrapyd jobs` does: Scrapyd's listing entry of the
    finished job, completed from the stats file the crawl wrote in landing."""
    monkeypatch.setenv("PRICEWATCH_LANDING", str(crawl.landing))
    listing_entry = {"id": job, "spider": "steam", "start_time": "2026-11-28 07:49:00", "end_time": finished}
    with contextlib.closing(database.connect(role="pricewatch_loader")) as conn:
        crawl_jobs.record_jobs(conn, [crawl_jobs.job_record("local", "finished", listing_entry)], ["local"])


def status_output(capsys) -> str:
    assert main(["status"]) == 0
    return capsys.readouterr().out


def test_status_names_the_failed_health_of_a_blocked_crawl_and_its_reason(fault_server, tmp_path, db_url,
                                                                          pricewatch_home, monkeypatch, capsys):
    crawl = steam_crawl(fault_server, tmp_path, appids="1003", _job="steam-blocked")
    record_crawl(crawl, "steam-blocked", monkeypatch)
    url = "https://store.steampowered.com/api/appdetails?appids=1003&cc=us&l=english"
    [line] = [line for line in status_output(capsys).splitlines() if line.startswith("  steam: ")]
    assert line.startswith("  steam: steam-blocked at ")
    assert line.endswith(": health failed: Items/At least SPIDERMON_MIN_ITEMS items: 0 items scraped, at least 1 "
                         "expected; Error ratio/Share of failed requests is at most PRICEWATCH_MAX_ERROR_RATIO: 1 of 1 "
                         "requests failed (100% > 20%); Blocking/No block pages: store is blocking the crawl: "
                         f"1 block page, first {url} (are you a robot)")


@pytest.mark.parametrize(("earlier_items", "health", "reasons"), [
    ([1000, 10, 20, 30, 40, 50], "failed",
     ["Previous runs: 2 items, under 50% of the average 30 of the last 5 healthy crawls"]),
    ([2, 3, 4], "ok", []),
])
def test_crawl_with_far_fewer_items_than_earlier_healthy_crawls_fails_when_recorded(
        fault_server, tmp_path, db_url, admin, pricewatch_home, monkeypatch, capsys, earlier_items, health, reasons):
    """Earlier crawls: healthy ones with `earlier_items` (the last five count when there are more, the
    failed and the older ones do not), then the real crawl: 2 items, healthy by its own monitors."""
    with admin.cursor() as cur:
        for number, items in enumerate(reversed(earlier_items)):
            cur.execute("""
                insert into ops.crawl_job (job_id, spider, node, state, finished_at, items_scraped, finish_reason,
                                           health)
                values (%s, 'steam', 'local', 'finished', timestamptz '2026-11-27 12:00+00' - %s * interval '1 hour',
                        %s, 'finished', 'ok')
            """, (f"steam-earlier-{number}", number, items))
        cur.execute("""
            insert into ops.crawl_job (job_id, spider, node, state, finished_at, items_scraped, finish_reason, health)
            values ('steam-failed', 'steam', 'local', 'finished', '2026-11-27 13:00+00', 0, 'finished', 'failed'),
                   ('steam-later', 'steam', 'local', 'finished', '2026-11-29 13:00+00', 9000, 'finished', 'ok')
        """)
    crawl = steam_crawl(fault_server, tmp_path, appids="413150,440", _job="steam-short")
    assert crawl.report["health"] == "ok"
    record_crawl(crawl, "steam-short", monkeypatch)
    record_crawl(crawl, "steam-short", monkeypatch)  # syncing again changes nothing
    with admin.cursor() as cur:
        cur.execute("select items_scraped, health, health_reasons from ops.crawl_job where job_id = 'steam-short'")
        assert cur.fetchone() == (2, health, reasons)
