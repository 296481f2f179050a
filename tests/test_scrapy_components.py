"""Our middlewares and extensions in-process, built from settings by `from_crawler` as Scrapy builds them
(Scrapy's own tests do the same with `get_crawler`): switched off by their setting, counting what they
should, and writing what they should. No crawl, no process."""
import asyncio
import gzip
import json

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from scrapers.extensions.landing import LandingFeed
from scrapers.extensions.monitors import HEALTH, HEALTH_REASONS
from scrapers.middlewares.block_pages import (
    BLOCKED_PAGE_URLS,
    BLOCKED_PAGES,
    BlockPageMiddleware,
)
from scrapers.middlewares.empty_pages import (
    EMPTY_PAGE_URLS,
    EMPTY_PAGES,
    EmptyPageMiddleware,
)
from scrapers.middlewares.replay import ORIGINAL_URL, ReplayMiddleware
from scrapers.middlewares.retry import GIVEN_UP

BLOCK_SETTINGS = {"PRICEWATCH_BLOCK_PAGE_MARKERS": r"captcha|access denied", "PRICEWATCH_BLOCK_STATUSES": [403]}


class StoreSpider(Spider):
    name = "steam"


def crawler_with(settings: dict | None = None):
    crawler = get_crawler(StoreSpider, settings_dict=settings or {})
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    return crawler


def forwarded(middleware, response, produced: list) -> list:
    """What `process_spider_output` passes on for a callback that produced `produced`."""
    async def callback_output():
        for entry in produced:
            yield entry

    async def collect():
        return [entry async for entry in middleware.process_spider_output(response, callback_output())]

    return asyncio.run(collect())


def page(url="https://store.example/app/1", body=b"<html><title>Game</title></html>", status=200):
    return HtmlResponse(url, body=body, status=status, request=Request(url))


@pytest.mark.parametrize("component, off", [
    (EmptyPageMiddleware, {"PRICEWATCH_COUNT_EMPTY_PAGES": False}),
    (BlockPageMiddleware, {"PRICEWATCH_BLOCK_PAGE_MARKERS": ""}),
    (ReplayMiddleware, {"PRICEWATCH_REPLAY_URL": ""}),
    (LandingFeed, {"PRICEWATCH_LANDING": ""}),
])
def test_each_component_is_switched_off_by_its_setting(component, off):
    with pytest.raises(NotConfigured):
        component.from_crawler(crawler_with(off))


@pytest.mark.parametrize("produced, counted", [([], 1), ([{"title": "Hades"}], 0), ([Request("https://x.test/2")], 0)])
def test_empty_pages_are_counted_with_their_url(produced, counted):
    crawler = crawler_with()
    middleware = EmptyPageMiddleware.from_crawler(crawler)
    assert forwarded(middleware, page(), produced) == produced
    assert crawler.stats.get_value(EMPTY_PAGES, 0) == counted
    assert crawler.stats.get_value(EMPTY_PAGE_URLS, []) == ["https://store.example/app/1"] * counted


@pytest.mark.parametrize("response, produced, sign", [
    (page(body=b"<html><title>Are you human? CAPTCHA</title></html>"), [], "captcha"),
    (page(body=b"<html><body>Access Denied</body></html>"), [], "access denied"),
    (page(status=403), [], "HTTP 403"),
    # A page that yields items is never a block page, whatever its title says.
    (page(body=b"<html><title>Access Denied (2019)</title></html>"), [{"title": "Access Denied"}], None),
    (page(), [], None),
    (TextResponse("https://store.example/api", body=b'{"items": []}', request=Request("https://store.example/api")), [], None),
])
def test_block_pages_are_recognised_only_when_nothing_came_out(response, produced, sign):
    crawler = crawler_with(BLOCK_SETTINGS)
    middleware = BlockPageMiddleware.from_crawler(crawler)
    assert forwarded(middleware, response, produced) == produced
    expected = [f"{response.url} ({sign})"] if sign else []
    assert crawler.stats.get_value(BLOCKED_PAGE_URLS, []) == expected
    assert crawler.stats.get_value(BLOCKED_PAGES, 0) == len(expected)


def test_a_callback_that_raises_on_a_block_page_is_counted():
    crawler = crawler_with(BLOCK_SETTINGS)
    middleware = BlockPageMiddleware.from_crawler(crawler)
    middleware.process_spider_exception(page(status=403), ValueError("not JSON"))
    assert crawler.stats.get_value(BLOCKED_PAGES) == 1


def test_replay_rewrites_the_download_and_restores_the_store_url():
    middleware = ReplayMiddleware.from_crawler(crawler_with({"PRICEWATCH_REPLAY_URL": "http://127.0.0.1:8123"}))
    request = Request("https://store.steampowered.com/api/appdetails?appids=1")
    replayed = middleware.process_request(request)
    assert replayed.url == "http://127.0.0.1:8123/store.steampowered.com/api/appdetails?appids=1"
    assert replayed.meta[ORIGINAL_URL] == request.url
    assert replayed.meta["download_slot"] == "store.steampowered.com"
    assert middleware.process_request(replayed) is None
    response = middleware.process_response(replayed, TextResponse(replayed.url, body=b"{}", request=replayed))
    assert response.url == request.url


def test_landing_feed_is_renamed_into_place_after_its_report(tmp_path):
    crawler = crawler_with({"PRICEWATCH_LANDING": str(tmp_path)})
    extension = LandingFeed.from_crawler(crawler)
    crawler.spider._job = "job/1"
    extension.spider_opened(crawler.spider)
    assert extension.partial_path.exists() and not extension.feed_path.exists()
    for title in ("Hades", "Celeste"):
        extension.item_scraped({"source": "steam", "title": title})
    crawler.stats.set_value("item_scraped_count", 2)
    extension.spider_closed(crawler.spider, "finished")
    assert extension.feed_path.name == "job-1.jl.gz" and extension.feed_path.parent.parent.name == "steam"
    assert not extension.partial_path.exists()
    lines = gzip.decompress(extension.feed_path.read_bytes()).decode().splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["Hades", "Celeste"]
    report = json.loads(extension.stats_path.read_text())
    assert report["finish_reason"] == "finished" and report["items_scraped"] == 2


def closed_crawl_health(stats: dict) -> tuple[str, list[str]]:
    """The project's close monitors run by Spidermon's own extension over a crawl that ended with `stats`."""
    from spidermon.contrib.scrapy.extensions import Spidermon

    import scrapers.settings

    # The project's own settings; no reactor runs, the extension is called directly.
    settings = {name: value for name, value in vars(scrapers.settings).items()
                if name.isupper() and name != "TWISTED_REACTOR"}
    crawler = crawler_with(settings)
    extension = Spidermon.from_crawler(crawler)
    extension.spider_opened(crawler.spider)
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    extension.spider_closed(crawler.spider)
    return crawler.stats.get_value(HEALTH), crawler.stats.get_value(HEALTH_REASONS)


# Spidermon's field coverage of 10 items that all carry the fields the rules ask for.
COVERED = {"item_scraped_count": 10, "response_received_count": 10, "spidermon_item_scraped_count/dict": 10,
           **{f"spidermon_item_scraped_count/dict/{field}": 10 for field in ("store_item_id", "title", "region")}}


@pytest.mark.parametrize("stats, health, reason", [
    (COVERED, "ok", None),
    ({"response_received_count": 3}, "failed", "0 items scraped, at least 1 expected"),
    ({**COVERED, "spidermon_item_scraped_count/dict/title": 5}, "failed", "Field Coverage"),
    ({**COVERED, "httperror/response_ignored_count": 6}, "failed", "6 of 10 requests failed (60% > 20%)"),
    ({**COVERED, f"{GIVEN_UP}429": 2}, "failed", "retries exhausted (6 each): 2 requests still HTTP 429 (throttled)"),
    ({"response_received_count": 2, BLOCKED_PAGES: 1, BLOCKED_PAGE_URLS: ["https://x.test/ (captcha)"]},
     "failed", "store is blocking the crawl: 1 block page, first https://x.test/ (captcha)"),
])
def test_health_of_a_closed_crawl(stats, health, reason):
    verdict, reasons = closed_crawl_health(stats)
    assert verdict == health
    assert reason is None and reasons == [] or any(reason in line for line in reasons), reasons
