"""Write a crawl's items to the landing area, where the loader picks them up.

<landing>/<source>/<YYYY-MM-DD>/<jobid>.jl.gz holds gzip JSON lines. While the crawl runs the file is
<jobid>.jl.gz.tmp; at close the crawl report <jobid>.stats.json is written first and the feed is then
renamed, so a loader that sees a complete feed also finds its report. The job id is Scrapyd's `_job` spider
argument when Scrapyd scheduled the crawl, otherwise a new timestamp+random id. The date is the crawl's
start date in UTC.

PRICEWATCH_LANDING: directory (None = foundation.config.landing_dir(); "" = off).
PRICEWATCH_CRAWL_REPORT_HOOKS: dotted paths of callables(report, crawler) run after the files are in place.
"""
import gzip
import json
import logging
import os
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.misc import load_object

from foundation import config
from scrapers.extensions.crawl_report import crawl_report

logger = logging.getLogger(__name__)

UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def new_job_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def job_id(spider) -> str:
    """Scrapyd's job id when Scrapyd scheduled the crawl (made safe as a file name), else a new one."""
    given = getattr(spider, "_job", None)
    return UNSAFE_IN_FILE_NAME.sub("-", str(given)) if given else new_job_id()


def write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


class LandingFeed:
    def __init__(self, crawler, root: Path):
        self.crawler = crawler
        self.root = root
        self.hooks = [load_object(path) for path in crawler.settings.getlist("PRICEWATCH_CRAWL_REPORT_HOOKS")]
        self.job = None
        self.feed_path = None
        self.file = None
        self.exporter = None

    @classmethod
    def from_crawler(cls, crawler):
        root = crawler.settings.get("PRICEWATCH_LANDING")
        if root is None:
            root = config.landing_dir()
        if not str(root):
            raise NotConfigured("PRICEWATCH_LANDING is empty")
        extension = cls(crawler, Path(root))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    @property
    def partial_path(self) -> Path:
        return self.feed_path.with_name(self.feed_path.name + ".tmp")

    @property
    def stats_path(self) -> Path:
        return self.feed_path.with_name(f"{self.job}.stats.json")

    def spider_opened(self, spider):
        self.job = job_id(spider)
        day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        self.feed_path = self.root / spider.name / day / f"{self.job}.jl.gz"
        self.feed_path.parent.mkdir(parents=True, exist_ok=True)
        self.file = gzip.open(self.partial_path, "wb")
        self.exporter = JsonLinesItemExporter(self.file, encoding="utf-8", ensure_ascii=False)
        self.exporter.start_exporting()
        self.crawler.stats.set_value("pricewatch/job", self.job)
        self.crawler.stats.set_value("pricewatch/feed", str(self.feed_path))
        logger.info("Landing feed: %s", self.feed_path)

    def item_scraped(self, item):
        self.exporter.export_item(item)

    def spider_closed(self, spider, reason):
        self.exporter.finish_exporting()
        self.file.close()
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        stats.setdefault("finish_time", datetime.now(timezone.utc))
        report = crawl_report(stats, spider=spider.name, job=self.job, feed=self.feed_path.name)
        write_atomically(self.stats_path, json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
        os.replace(self.partial_path, self.feed_path)
        logger.info("Landed %d items in %s", report["items_scraped"], self.feed_path)
        for hook in self.hooks:
            hook(report, self.crawler)
