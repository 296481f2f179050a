"""The summary of one crawl written as <jobid>.stats.json beside its feed, for the ops side to record."""
from datetime import datetime

from scrapers.coverage import API_ERRORS, SKIPPED, coverage_by_region
from scrapers.extensions.monitors import HEALTH, HEALTH_REASONS, counted
from scrapers.middlewares.block_pages import BLOCKED_PAGE_URLS, BLOCKED_PAGES
from scrapers.middlewares.empty_pages import EMPTY_PAGE_URLS, EMPTY_PAGES
from scrapers.middlewares.retry import DOWNLOADS_FAILED, GIVEN_UP

STATUS_PREFIX = "downloader/response_status_count/"


def iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def crawl_report(stats: dict, *, spider: str, job: str, feed: str) -> dict:
    """What happened in a crawl, from Scrapy's stats (plus pricewatch's own counters)."""
    return {
        "spider": spider,
        "job": job,
        "feed": feed,
        "start_time": iso(stats.get("start_time")),
        "finish_time": iso(stats.get("finish_time")),
        "finish_reason": stats.get("finish_reason"),
        "items_scraped": stats.get("item_scraped_count", 0),
        "items_dropped": stats.get("item_dropped_count", 0),
        "items_invalid": stats.get("pricewatch/items/invalid", 0),
        "requests": stats.get("downloader/request_count", 0),
        "responses": stats.get("downloader/response_count", 0),
        "http_status_counts": counted(stats, STATUS_PREFIX),
        "retries": stats.get("retry/count", 0),
        "retries_given_up": stats.get("retry/max_reached", 0),
        "retries_given_up_by_status": counted(stats, GIVEN_UP),
        "downloads_failed": stats.get(DOWNLOADS_FAILED, 0),
        "errors": stats.get("log_count/ERROR", 0),
        "empty_pages": stats.get(EMPTY_PAGES, 0),
        "empty_page_urls": stats.get(EMPTY_PAGE_URLS, []),
        "blocked_pages": stats.get(BLOCKED_PAGES, 0),
        "blocked_page_urls": stats.get(BLOCKED_PAGE_URLS, []),
        "coverage": coverage_by_region(stats),
        "regions_skipped": stats.get(SKIPPED, []),
        "api_errors": stats.get(API_ERRORS, 0),
        "health": stats.get(HEALTH, "unchecked"),
        "health_reasons": stats.get(HEALTH_REASONS, []),
        "stats": {key: iso(value) for key, value in sorted(stats.items())},
    }
