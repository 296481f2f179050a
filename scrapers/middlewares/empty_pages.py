"""Count responses whose callback yielded nothing at all: no item and no follow-up request.

Those are the pages whose markup or JSON shape changed under us (or that really are empty); the count and
the URLs end up in the crawl's stats file, so a store redesign shows up without reading logs.
"""
from scrapy.exceptions import NotConfigured

EMPTY_PAGES = "pricewatch/pages/empty"
EMPTY_PAGE_URLS = "pricewatch/pages/empty_urls"


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
        produced = False
        async for item_or_request in result:
            produced = True
            yield item_or_request
        if not produced:
            self.stats.inc_value(EMPTY_PAGES)
            urls = self.stats.get_value(EMPTY_PAGE_URLS, [])
            if len(urls) < self.max_urls:
                self.stats.set_value(EMPTY_PAGE_URLS, [*urls, response.url])
