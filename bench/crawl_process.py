"""One crawl of the crawl benchmark, in its own process so its peak RSS is its own:
`python -m bench.crawl_process pricewatch|bare BASE_URL APPIDS LANDING_DIR`. Prints the crawl's stats as
one JSON line. Both spiders get the same throughput settings (16 concurrent requests, no delay, no
AutoThrottle): the live politeness settings would measure the sleeps, not the work."""
import json
import logging
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

SAME_FOR_BOTH = {
    "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
}
PROBE = {"bench.response_gaps.ResponseGaps": 0}


def settings_for(kind: str, base_url: str, landing: str) -> Settings:
    if kind == "pricewatch":
        settings = get_project_settings()
        settings.setdict({**SAME_FOR_BOTH, "PRICEWATCH_REPLAY_URL": base_url, "PRICEWATCH_LANDING": landing,
                          "EXTENSIONS": {**settings.getdict("EXTENSIONS"), **PROBE}}, priority="cmdline")
        return settings
    return Settings({**SAME_FOR_BOTH, "EXTENSIONS": PROBE,
                     "FEEDS": {f"{landing}/bare.jl": {"format": "jsonlines"}}})


def main() -> None:
    kind, base_url, appids, landing = sys.argv[1:5]
    process = CrawlerProcess(settings_for(kind, base_url, landing), install_root_handler=False)
    logging.basicConfig(level=logging.WARNING)
    if kind == "pricewatch":
        crawler = process.create_crawler("steam")
        process.crawl(crawler, appids=appids, regions="US")
    else:
        from bench.bare_spider import BareAppdetailsSpider

        crawler = process.create_crawler(BareAppdetailsSpider)
        process.crawl(crawler, base_url=base_url, appids=appids)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({key: value for key, value in stats.items() if isinstance(value, (int, float))}))


if __name__ == "__main__":
    main()
