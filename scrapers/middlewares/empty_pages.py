"""Count responses whose callback yielded nothing at all: no item and no follow-up request.

Those are the pages whose markup or JSON shape changed under us (or that really are empty); the count and
the URLs end up in the crawl's stats file, so a store redesign shows up without reading logs.
"""
from scrapy.exceptions import NotConfigured

EMPTY_PAGES = "pricewatch/pages/empty"
EMPTY_PAGE_URLS = "pricewatch/pages/empty_urls"


async def forward(result, on_nothing):
    """Pass on what a callback produced; call `on_nothing()` when it produced neither item nor request."""
    produced = False
    async for item_or_request in result:
        produced = True
        yield item_or_request
    if not produced:
        on_nothing()


def note_page(stats, count_key: str, urls_key: str, entry: str, max_urls: int) -> None:
    """Count a page in the crawl stats and keep its URL (the first `max_urls` of them)."""
    stats.inc_value(count_key)
    urls = stats.get_value(urls_key, [])
    if len(urls) < max_urls:
        stats.set_value(urls_key, [*urls, entry])


class EmptyPageMiddleware:
    def __init__(self, stats, max_urls: int):
        self.stats = stats
        self.max_urls = max_urls

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("PRICEWATCH_COUNT_EMPTY_PAGES", True):
            raise NotConfigured
        return cls(crawler.stats, crawler.settings.getint("PRICEWATCH_EMPTY_PAGE_URLS_KEPT", 20))

    async def process_spider_output(self, response, result):
        # Scrapy wants an async generator function here, so the forwarding is spelled out.
        async for item_or_request in forward(result, lambda: note_page(
                self.stats, EMPTY_PAGES, EMPTY_PAGE_URLS, response.url, self.max_urls)):
            yield item_or_request
