"""Resumable store crawls: each crawl of a store and its regions keeps Scrapy's JOBDIR (pending requests, seen
requests, spider state) under $PRICEWATCH_HOME/jobs/<spider>/<regions>, so a crawl stopped by a restart
continues where it was. Once a crawl finishes, its directory goes: the next day's crawl starts afresh
instead of finding every request already seen.

`job_dir` is called by StoreSpider.from_crawler (the regions are spider arguments, known only there);
FinishedJobCleanup (EXTENSIONS, after Scrapy's SpiderState has written the state) removes the directory.
"""
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from foundation import config


def job_dir(spider: str, regions: list[str]) -> Path:
    return config.home() / "jobs" / spider / "-".join(regions)


class FinishedJobCleanup:
    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("JOBDIR")
        if not path or not crawler.settings.getbool("PRICEWATCH_RESUMABLE"):
            raise NotConfigured("no JOBDIR of a resumable crawl")
        extension = cls(Path(path))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider, reason):
        if reason == "finished":
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            spider.logger.info("crawl stopped (%s): it resumes from %s", reason, self.path)
