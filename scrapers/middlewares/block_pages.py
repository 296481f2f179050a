"""Recognise pages where the store blocks us (CAPTCHA, "access denied", 401/403) instead of reading them as
"nothing on sale today".

A page counts as a block page when its callback produced nothing (or raised, as a JSON callback does on an
HTML CAPTCHA) and either its status is in PRICEWATCH_BLOCK_STATUSES or its <title> or start of its text
matches PRICEWATCH_BLOCK_PAGE_MARKERS (a regular expression, case-insensitive). Pages that yield items are
never block pages, so a game called "Access Denied" stays a game. The count, the first URLs and what gave each
one away go into the crawl stats, where the health monitors find them.

PRICEWATCH_BLOCK_PAGE_MARKERS: regular expression ("" switches this middleware off).
"""
import re

from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse

from scrapers.middlewares.empty_pages import forward, note_page

BLOCKED_PAGES = "pricewatch/pages/blocked"
BLOCKED_PAGE_URLS = "pricewatch/pages/blocked_urls"
TEXT_SCANNED = 20_000
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def block_sign(response, markers: re.Pattern, statuses: set[int]) -> str | None:
    """What makes `response` a block page ("HTTP 403", "captcha"...), or None."""
    if response.status in statuses:
        return f"HTTP {response.status}"
    if not isinstance(response, TextResponse):
        return None
    text = response.text[:TEXT_SCANNED]
    title = TITLE.search(text)
    found = markers.search(title.group(1) if title else "") or markers.search(text)
    return found.group(0).lower() if found else None


class BlockPageMiddleware:
    def __init__(self, stats, markers: re.Pattern, statuses: set[int], max_urls: int):
        self.stats = stats
        self.markers = markers
        self.statuses = statuses
        self.max_urls = max_urls

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        markers = settings.get("PRICEWATCH_BLOCK_PAGE_MARKERS")
        if not markers:
            raise NotConfigured("PRICEWATCH_BLOCK_PAGE_MARKERS is empty")
        statuses = {int(status) for status in settings.getlist("PRICEWATCH_BLOCK_STATUSES")}
        return cls(crawler.stats, re.compile(markers, re.IGNORECASE), statuses,
                   settings.getint("PRICEWATCH_EMPTY_PAGE_URLS_KEPT", 20))

    def record(self, response) -> None:
        sign = block_sign(response, self.markers, self.statuses)
        if sign is None:
            return
        note_page(self.stats, BLOCKED_PAGES, BLOCKED_PAGE_URLS, f"{response.url} ({sign})", self.max_urls)

    async def process_spider_output(self, response, result):
        async for item_or_request in forward(result, lambda: self.record(response)):
            yield item_or_request

    def process_spider_exception(self, response, exception):
        # An HttpError (403 without a handler) or a callback choking on a CAPTCHA page: note it, let
        # the other middlewares and the log handle the exception as usual.
        self.record(response)
