"""Spidermon close monitors: did the crawl bring back enough items, with the fields filled, without errors?

The suite is switched on by SPIDERMON_ENABLED + SPIDERMON_SPIDER_CLOSE_MONITORS. Thresholds are settings:
SPIDERMON_MIN_ITEMS, SPIDERMON_FIELD_COVERAGE_RULES, PRICEWATCH_MAX_ERROR_RATIO. The verdict goes into the
crawl's stats (pricewatch/health, pricewatch/health_reasons), which the landing extension writes beside
the feed.
"""
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import FieldCoverageMonitor, ItemCountMonitor
from spidermon.core.actions import Action

HEALTH = "pricewatch/health"
HEALTH_REASONS = "pricewatch/health_reasons"


@monitors.name("Error ratio")
class ErrorRatioMonitor(Monitor):
    @monitors.name("Share of failed downloads is at most PRICEWATCH_MAX_ERROR_RATIO")
    def test_error_ratio(self):
        stats = self.data.stats
        responses = stats.get("downloader/response_count", 0)
        exceptions = stats.get("downloader/exception_count", 0)
        failed = exceptions + sum(
            count for key, count in stats.items()
            if key.startswith("downloader/response_status_count/") and int(key.rsplit("/", 1)[1]) >= 400
        )
        attempts = responses + exceptions
        if not attempts:
            self.skipTest("no downloads")
        ratio = failed / attempts
        limit = self.data.crawler.settings.getfloat("PRICEWATCH_MAX_ERROR_RATIO")
        self.assertLessEqual(ratio, limit, msg=f"{failed} of {attempts} downloads failed ({ratio:.0%} > {limit:.0%})")


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
    monitors = [ItemCountMonitor, FieldCoverageMonitor, ErrorRatioMonitor]
    monitors_finished_actions = [RecordHealth]
