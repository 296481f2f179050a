"""A Scrapy extension for the crawl benchmark: the longest wait between two responses (a stalled crawl
shows a long gap), put in the stats as bench/max_response_gap_seconds."""
import time

from scrapy import signals


class ResponseGaps:
    def __init__(self, stats):
        self.stats = stats
        self.last = None
        self.longest = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def response_received(self, **kwargs):
        now = time.monotonic()
        if self.last is not None:
            self.longest = max(self.longest, now - self.last)
        self.last = now

    def spider_closed(self, spider):
        self.stats.set_value("bench/max_response_gap_seconds", round(self.longest, 3))
