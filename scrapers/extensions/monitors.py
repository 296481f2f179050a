"""Spidermon close monitors: did the crawl bring back enough items, with the fields filled, without errors,
without the store throttling or blocking it?

The suite is switched on by SPIDERMON_ENABLED + SPIDERMON_SPIDER_CLOSE_MONITORS. Thresholds are settings:
SPIDERMON_MIN_ITEMS, SPIDERMON_FIELD_COVERAGE_RULES, PRICEWATCH_MAX_ERROR_RATIO, RETRY_TIMES,
PRICEWATCH_BLOCK_PAGE_MARKERS, PRICEWATCH_MIN_COVERAGE. Comparing a crawl's items with earlier crawls needs ops data and is done when
the job is recorded (pricewatch.crawl_jobs), so a crawl never depends on the database. The verdict goes into the
crawl's stats (pricewatch/health, pricewatch/health_reasons), which the landing extension writes beside
the feed.
"""
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import FieldCoverageMonitor
from spidermon.core.actions import Action

from scrapers.coverage import API_ERROR_SAMPLES, API_ERRORS, SKIPPED, coverage_by_region
from scrapers.middlewares.block_pages import BLOCKED_PAGE_URLS, BLOCKED_PAGES
from scrapers.middlewares.empty_pages import EMPTY_PAGE_URLS, EMPTY_PAGES
from scrapers.middlewares.retry import DOWNLOADS_FAILED, GIVEN_UP

HEALTH = "pricewatch/health"
HEALTH_REASONS = "pricewatch/health_reasons"


def plural(count: int, noun: str) -> str:
    """The noun as it goes after `count` in a health reason: 1 page, 2 pages."""
    return noun if count == 1 else f"{noun}s"


def first(samples: list) -> str:
    return samples[0] if samples else "?"


def counted(stats: dict, prefix: str) -> dict[str, int]:
    """{suffix: count} of the stats under `prefix`."""
    return {key[len(prefix):]: count for key, count in sorted(stats.items()) if key.startswith(prefix)}


class PlainMonitor(Monitor):
    longMessage = False  # reasons read as our message alone, without unittest's "x not less than y :" prefix


@monitors.name("Items")
class ItemCountMonitor(PlainMonitor):
    """Spidermon's item count monitor says "Unable to find 'item_scraped_count'" for a crawl of no items;
    this one says how many came back."""

    @monitors.name("At least SPIDERMON_MIN_ITEMS items")
    def test_minimum_items(self):
        items = self.data.stats.get("item_scraped_count", 0)
        minimum = self.data.crawler.settings.getint("SPIDERMON_MIN_ITEMS")
        self.assertGreaterEqual(items, minimum, msg=f"{items} items scraped, at least {minimum} expected")


@monitors.name("Error ratio")
class ErrorRatioMonitor(PlainMonitor):
    @monitors.name("Share of failed requests is at most PRICEWATCH_MAX_ERROR_RATIO")
    def test_error_ratio(self):
        """Counts each request once, by how it ended (retried attempts are not outcomes). Failed: an HTTP error
        no callback or errback handled, a download that failed for good, a callback that raised. robots.txt
        fetches are not the crawl's requests (a 404 there means "allow all"), and statuses a spider asked
        for (handle_httpstatus_list, errback fallbacks) are handled, not failed."""
        stats = self.data.stats
        download_failures = stats.get(DOWNLOADS_FAILED, 0)
        outcomes = stats.get("response_received_count", 0) - stats.get("robotstxt/response_count", 0) \
            + download_failures
        if outcomes <= 0:
            self.skipTest("no requests")
        failed = min(outcomes, download_failures + stats.get("httperror/response_ignored_count", 0)
                     + stats.get("spider_exceptions/count", 0))
        ratio = failed / outcomes
        limit = self.data.crawler.settings.getfloat("PRICEWATCH_MAX_ERROR_RATIO")
        self.assertLessEqual(ratio, limit, msg=f"{failed} of {outcomes} requests failed ({ratio:.0%} > {limit:.0%})")


@monitors.name("Blocking")
class BlockingMonitor(PlainMonitor):
    """Says why a crawl came back short when the store throttled or blocked it, so nobody reads it as a quiet
    day: retries given up on HTTP 429/5xx, and block pages (CAPTCHA, access denied, 401/403)."""

    @monitors.name("No request given up after retries")
    def test_retries_not_exhausted(self):
        given_up = counted(self.data.stats, GIVEN_UP)
        retries = self.data.crawler.settings.getint("RETRY_TIMES")
        described = ", ".join(
            f"{count} {plural(count, 'request')} still HTTP {status}"
            f"{' (throttled)' if status == '429' else ''}"
            for status, count in given_up.items()
        )
        self.assertFalse(given_up, msg=f"retries exhausted ({retries} each): {described}")

    @monitors.name("No block pages")
    def test_no_block_pages(self):
        blocked = self.data.stats.get(BLOCKED_PAGES, 0)
        urls = self.data.stats.get(BLOCKED_PAGE_URLS, [])
        self.assertFalse(blocked, msg=f"store is blocking the crawl: {blocked} block {plural(blocked, 'page')}, "
                                      f"first {first(urls)}")


@monitors.name("Empty pages")
class EmptyPageMonitor(PlainMonitor):
    @monitors.name("A crawl without items names the pages that yielded nothing")
    def test_pages_yield_something(self):
        stats = self.data.stats
        empty = stats.get(EMPTY_PAGES, 0)
        if stats.get("item_scraped_count", 0) or not empty or stats.get(BLOCKED_PAGES, 0):
            return
        urls = stats.get(EMPTY_PAGE_URLS, [])
        self.fail(f"{empty} {plural(empty, 'page')} yielded nothing (no results, or the page "
                  f"structure changed): {', '.join(urls[:3])}")


@monitors.name("Coverage")
class CoverageMonitor(PlainMonitor):
    """A catalogue crawl is judged against the store's own totals: every region at least
    PRICEWATCH_MIN_COVERAGE of what the store says it has, no region skipped, no API answer carrying errors."""

    @monitors.name("Each region yields at least PRICEWATCH_MIN_COVERAGE of the store's total")
    def test_coverage(self):
        minimum = self.data.crawler.settings.getfloat("PRICEWATCH_MIN_COVERAGE")
        short = [f"{region} {counts['yielded']} of {counts['expected']} ({counts['ratio']:.1%})"
                 for region, counts in coverage_by_region(self.data.stats).items()
                 if counts["ratio"] is not None and counts["ratio"] < minimum]
        self.assertFalse(short, msg=f"coverage under {minimum:.0%}: {', '.join(short)}")

    @monitors.name("No region skipped")
    def test_no_region_skipped(self):
        skipped = self.data.stats.get(SKIPPED, [])
        self.assertFalse(skipped, msg=f"regions skipped: {'; '.join(skipped)}")

    @monitors.name("No API answer with errors")
    def test_no_api_errors(self):
        errors = self.data.stats.get(API_ERRORS, 0)
        samples = self.data.stats.get(API_ERROR_SAMPLES, [])
        self.assertFalse(errors, msg=f"{errors} API {plural(errors, 'answer')} with errors, first {first(samples)}")


class RecordHealth(Action):
    """Write the suite's verdict into the crawl stats."""

    def run_action(self):
        failed = self.result.monitors_failed_results
        stats = self.data.crawler.stats
        stats.set_value(HEALTH, "failed" if failed else "ok")
        stats.set_value(HEALTH_REASONS, [
            f"{result.monitor.name}: {result.reason or (result.error or '').strip().splitlines()[-1]}"
            for result in failed
        ])


class CrawlHealthSuite(MonitorSuite):
    monitors = [ItemCountMonitor, FieldCoverageMonitor, ErrorRatioMonitor, BlockingMonitor, EmptyPageMonitor,
                CoverageMonitor]
    monitors_finished_actions = [RecordHealth]
