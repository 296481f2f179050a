"""Per-store request budgets: at most N requests per W seconds to a store's host, as the store allows.

PRICEWATCH_REQUEST_BUDGETS maps a host to [requests, seconds] (from the store's documented or observed limit,
see docs/spiders.md). The budget becomes the host's download slot: one request every seconds/requests, no
jitter, AutoThrottle kept from shortening it (it adapts to latency, which says nothing about a store's
limit). A throttled answer (429/503) pauses the whole slot, not only the request that got it
(`pause_slot`, called by the retry middleware), so the other queued requests do not spend the budget on
more 429s. Replayed recordings are not the store, so under PRICEWATCH_REPLAY_URL budgets apply only with
PRICEWATCH_REQUEST_BUDGETS_REPLAYED (the store simulator sets it, with its own scaled-down windows).
"""
import os
from time import monotonic
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

SLOT = "download_slot"


def slot_key(request) -> str:
    """The download slot a request goes to: the replay middleware keeps the store's host there."""
    return request.meta.get(SLOT) or urlsplit(request.url).hostname or ""


def pause_slot(crawler, request, seconds: float) -> None:
    """Hold every request of the request's download slot for `seconds` (a store said 429 or 503)."""
    engine = getattr(crawler, "engine", None)
    slot = engine.downloader.slots.get(slot_key(request)) if engine is not None else None
    if slot is None or seconds <= 0:
        return
    # Scrapy waits `delay - now + lastseen` before the slot's next download: moving lastseen on pauses it.
    slot.lastseen = max(slot.lastseen, monotonic() + seconds - slot.download_delay())
    crawler.stats.inc_value("pricewatch/budget/pauses")


def budget_slots(budgets: dict, concurrency: int) -> dict:
    """DOWNLOAD_SLOTS entries for {host: [requests, seconds]}."""
    slots = {}
    for host, (requests, seconds) in budgets.items():
        if int(requests) <= 0 or float(seconds) <= 0:
            raise ValueError(f"request budget of {host} must be positive [requests, seconds]; got {requests, seconds}")
        slots[host] = {"concurrency": concurrency, "delay": float(seconds) / int(requests), "jitter": 0}
    return slots


class RequestBudgetMiddleware:
    def __init__(self, crawler, budgets: dict):
        self.crawler = crawler
        self.budgets = budgets
        self.slots = budget_slots(budgets, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        budgets = settings.getdict("PRICEWATCH_REQUEST_BUDGETS")
        if not budgets:
            raise NotConfigured("PRICEWATCH_REQUEST_BUDGETS is empty")
        replaying = settings.get("PRICEWATCH_REPLAY_URL") or (settings.get("PRICEWATCH_REPLAY_URL") is None
                                                              and os.environ.get("PRICEWATCH_REPLAY_URL"))
        if replaying and not settings.getbool("PRICEWATCH_REQUEST_BUDGETS_REPLAYED"):
            raise NotConfigured("replaying recordings: store request budgets do not apply")
        return cls(crawler, budgets)

    def spider_opened(self, spider):
        """Slots are made on first use from DOWNLOAD_SLOTS; explicit DOWNLOAD_SLOTS entries win."""
        per_slot = self.crawler.engine.downloader.per_slot_settings
        for host, slot in self.slots.items():
            per_slot.setdefault(host, slot)
        for host, (requests, seconds) in self.budgets.items():
            self.crawler.stats.set_value(f"pricewatch/budget/{host}", f"{requests}/{seconds}s")

    def process_request(self, request):
        if slot_key(request) in self.slots:
            request.meta["autothrottle_dont_adjust_delay"] = True
        return None
