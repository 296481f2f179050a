"""Coverage of a catalogue crawl: what the store says it has, per region, against what the crawl yielded.

A spider states the store's own totals (`expect`: totals in search answers, catalogue counts; one call per
disjoint part of the catalogue, the parts add up), reports each listing (`first_time`: True the first time a
(region, item) is seen, so a listing shifted between pages during the crawl is yielded once), a region it
had to skip (`skip`) and API answers that carry errors (`api_error`, e.g. GraphQL errors inside a 200).
The counts live in the spider's persisted state when the crawl is resumable (JOBDIR), so a resumed crawl
still knows the totals of the pages it read before the restart, and are written into the stats at close
(pricewatch/coverage/<region>/expected|yielded, pricewatch/regions/skipped, pricewatch/api_errors), where
scrapers.extensions.monitors.CoverageMonitor judges them.
"""
from scrapy import signals

EXPECTED = "pricewatch/coverage/{region}/expected"
YIELDED = "pricewatch/coverage/{region}/yielded"
SKIPPED = "pricewatch/regions/skipped"
API_ERRORS = "pricewatch/api_errors"
API_ERROR_SAMPLES = "pricewatch/api_error_samples"
COVERAGE_PREFIX = "pricewatch/coverage/"
STATE_KEY = "pricewatch_coverage"


class Coverage:
    def __init__(self, spider):
        self.spider = spider
        self._own = {}

    @classmethod
    def attach(cls, spider, crawler) -> "Coverage":
        coverage = cls(spider)
        crawler.signals.connect(coverage.write_stats, signal=signals.spider_closed)
        return coverage

    @property
    def state(self) -> dict:
        """Scrapy's persisted spider.state when the crawl has a JOBDIR, else a dict of this crawl."""
        store = getattr(self.spider, "state", None)
        store = store if isinstance(store, dict) else self._own
        counts = store.get(STATE_KEY)
        if counts is None:
            counts = store[STATE_KEY] = {"expected": {}, "parts": {}, "seen": {}, "skipped": {}, "errors": 0,
                                         "error_samples": []}
        return counts

    def expect(self, region: str, total: int, part: str = "") -> None:
        """The store says `part` of the catalogue holds `total` items in `region` (stated once per part)."""
        parts = self.state["parts"].setdefault(region, {})
        parts[part] = int(total)
        self.state["expected"][region] = sum(parts.values())

    def first_time(self, region: str, item_id) -> bool:
        seen = self.state["seen"].setdefault(region, set())
        key = str(item_id)
        if key in seen:
            self.spider.crawler.stats.inc_value("pricewatch/coverage/duplicates")
            return False
        seen.add(key)
        return True

    def skip(self, region: str, reason: str) -> None:
        self.spider.logger.error("region %s skipped: %s", region, reason)
        self.state["skipped"][region] = reason

    def api_error(self, url: str, errors) -> None:
        self.spider.logger.error("API errors in the answer of %s: %s", url, errors)
        self.state["errors"] += 1
        if len(self.state["error_samples"]) < 3:
            self.state["error_samples"].append(f"{url}: {str(errors)[:300]}")

    def write_stats(self, spider, reason):
        stats = spider.crawler.stats
        state = self.state
        for region, seen in state["seen"].items():
            stats.set_value(YIELDED.format(region=region), len(seen))
        for region, total in state["expected"].items():
            stats.set_value(EXPECTED.format(region=region), total)
            stats.set_value(YIELDED.format(region=region), len(state["seen"].get(region, ())))
        if state["skipped"]:
            stats.set_value(SKIPPED, [f"{region}: {why}" for region, why in sorted(state["skipped"].items())])
        if state["errors"]:
            stats.set_value(API_ERRORS, state["errors"])
            stats.set_value(API_ERROR_SAMPLES, state["error_samples"])


def coverage_by_region(stats: dict) -> dict:
    """{region: {expected, yielded, ratio}} from a crawl's stats; ratio is None without a store total."""
    regions = {}
    for key, value in stats.items():
        if key.startswith(COVERAGE_PREFIX) and key.count("/") == 3:
            _, _, region, what = key.split("/")
            regions.setdefault(region, {"expected": None, "yielded": 0})[what] = value
    for counts in regions.values():
        expected = counts["expected"]
        counts["ratio"] = round(counts["yielded"] / expected, 4) if expected else None
    return dict(sorted(regions.items()))
