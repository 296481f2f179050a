"""The store spiders (one module per store) and what they share.

Every store spider derives from StoreSpider: it gets the storefront regions to crawl (spider argument
`regions`, else setting PRICEWATCH_REGIONS) and must say which callback parses a given response
(`callback_for`), which is how `pricewatch parse` runs a saved page through the same code as a crawl.
The region of a response is `response.meta["region"]` when the request carried it (the spiders set it,
`pricewatch parse --region` too), else what the URL says (region_from_url).
A store spider measures its coverage (`self.coverage`, scrapers.coverage) and, with PRICEWATCH_RESUMABLE,
keeps its queue in a JOBDIR of its store and regions so a stopped crawl resumes (scrapers.extensions.resumable).
"""
import re
from urllib.parse import parse_qs, urlsplit

import scrapy

from scrapers.coverage import Coverage
from scrapers.extensions.resumable import job_dir

REGION = re.compile(r"^[A-Z]{2}$")
REGION_QUERY_PARAMS = ("cc", "country", "countryCode", "country_code", "region")
# Path locales such as /en-us/, /zh-hant-tw/, /pt_BR/, /en-gb/: the last part is the country.
LOCALE_IN_PATH = re.compile(r"^[a-z]{2}(?:-[a-z]{4})?[-_]([a-zA-Z]{2})$")


def parse_regions(value) -> list[str]:
    """Regions from "US,GB,de" or a list, upper-cased; anything not ISO 3166-1 alpha-2 is an error."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    regions = [item.strip().upper() for item in items if item.strip()]
    bad = [region for region in regions if not REGION.match(region)]
    if bad or not regions:
        raise ValueError(f"regions must be ISO 3166-1 alpha-2 codes like US,GB,DE; got {value!r}")
    return list(dict.fromkeys(regions))


def region_from_url(url: str) -> str | None:
    """The storefront country a store URL names (?cc=kr, ?country=GB, /en-us/...), or None."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for name in REGION_QUERY_PARAMS:
        for value in query.get(name, ()):
            if REGION.match(value.upper()):
                return value.upper()
    for segment in parts.path.split("/"):
        match = LOCALE_IN_PATH.match(segment)
        if match:
            return match.group(1).upper()
    return None


class PricewatchSpider(scrapy.Spider):
    """A spider whose store-specific knobs (`setting_defaults`) sit below the project's priority, so
    settings.py, `-s` and Scrapyd job settings all override them."""

    setting_defaults: dict = {}

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        settings.setdict(cls.setting_defaults, priority="default")


class StoreSpider(PricewatchSpider):
    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions_argument = regions
        self.coverage = Coverage(self)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.coverage = Coverage.attach(spider, crawler)
        settings = crawler.settings
        if settings.getbool("PRICEWATCH_RESUMABLE") and not settings.get("JOBDIR") and not settings.frozen:
            settings.set("JOBDIR", str(job_dir(spider.name, spider.regions)), priority="spider")
        return spider

    @property
    def regions(self) -> list[str]:
        return parse_regions(self.regions_argument or self.settings.get("PRICEWATCH_REGIONS"))

    def region_of(self, response) -> str | None:
        """Region of a response: the request's meta, else its URL; spiders may also look at the content."""
        request = getattr(response, "request", None)
        region = request.meta.get("region") if request is not None else None
        return region or region_from_url(response.url)

    def callback_for(self, response):
        """The bound callback that parses `response` (page kind told by its URL or content)."""
        raise NotImplementedError(f"{type(self).__name__} must implement callback_for(response)")
