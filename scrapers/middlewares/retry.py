"""Retry throttled (429) and failing (5xx) responses, waiting as long as the server asks.

Scrapy's RetryMiddleware re-queues at once; stores answer that with more 429s. This one waits first:
the response's Retry-After (seconds or an HTTP date) when present, otherwise exponential backoff
(PRICEWATCH_RETRY_BACKOFF_BASE * 2**attempt, growing to minutes), never longer than
PRICEWATCH_RETRY_MAX_DELAY. A store's limit is per window, not per request, so the wait holds the whole
download slot of that store (scrapers.middlewares.budget.pause_slot), not only the request that got the 429.

It also counts what the health monitors need and Scrapy's stats lack: requests it gave up on per HTTP status
(pricewatch/retry/given_up/<status>: a 429 storm that outlasted every retry) and downloads that failed for
good with an exception (pricewatch/downloads/failed). robots.txt fetches are left out: a missing robots.txt
is Scrapy's "allow all", not a failure of the crawl.
"""
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from scrapers.middlewares.budget import pause_slot


GIVEN_UP = "pricewatch/retry/given_up/"
DOWNLOADS_FAILED = "pricewatch/downloads/failed"


def is_robots_txt(request) -> bool:
    return urlsplit(request.url).path.endswith("/robots.txt")


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header value; None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("PRICEWATCH_RETRY_BACKOFF_BASE")
        self.max_delay = settings.getfloat("PRICEWATCH_RETRY_MAX_DELAY")

    def delay_for(self, request, response) -> float:
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is None:
            asked = self.backoff_base * 2 ** request.meta.get("retry_times", 0)
        return min(asked, self.max_delay)

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            if not is_robots_txt(request):
                self.crawler.stats.inc_value(f"{GIVEN_UP}{response.status}")
            return response
        delay = self.delay_for(request, response)
        self.crawler.stats.inc_value("pricewatch/retry/wait_seconds", delay)
        pause_slot(self.crawler, request, delay)
        await sleep(delay)
        return retry

    def process_exception(self, request, exception):
        retry = super().process_exception(request, exception)
        if retry is None and not isinstance(exception, IgnoreRequest) and not is_robots_txt(request):
            self.crawler.stats.inc_value(DOWNLOADS_FAILED)
        return retry
