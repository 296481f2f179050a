"""Scrapy settings of the pricewatch spiders.

Every pricewatch component is switched on here and can be switched off per run (`-s NAME=...`); each one
raises NotConfigured when its setting is empty. Deployment-specific values come from the environment.
"""
import os

import contracts

BOT_NAME = "pricewatch"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

# Politeness: identify ourselves, obey robots.txt, keep per-store concurrency low and let AutoThrottle adapt.
PRICEWATCH_CONTACT = os.environ.get("PRICEWATCH_CONTACT", "https://github.com/pricewatch/pricewatch")
USER_AGENT = f"pricewatch/0.1 (+{PRICEWATCH_CONTACT})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many tasks for every response's output; store pages yield a handful of items, and the
# default 100 cost 15% of crawl throughput (bench/RESULTS.md, crawl).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False

# Retries on throttling and server errors, waiting as the server asks (Retry-After) or with exponential backoff
# that grows to minutes (10 s, 20 s ... 5 min 20 s: about 10 minutes in all), because store limits are
# counted over windows of minutes (Steam: 5 minutes).
RETRY_ENABLED = True
RETRY_TIMES = 6
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524]
PRICEWATCH_RETRY_BACKOFF_BASE = 10.0
PRICEWATCH_RETRY_MAX_DELAY = 900.0

# Per-store request budgets {host: [requests, seconds]} from each store's documented or observed limit
# (docs/spiders.md says where each number comes from); scrapers.middlewares.budget.
PRICEWATCH_REQUEST_BUDGETS = {
    "store.steampowered.com": [200, 300],
    "api.steampowered.com": [100000, 86400],
    "web.np.playstation.com": [60, 60],
    "catalog.gog.com": [60, 60],
    "sections.gog.com": [60, 60],
    "api.gog.com": [60, 60],
    "store.epicgames.com": [30, 60],
    "store-site-backend-static.ak.epicgames.com": [30, 60],
    "api.ec.nintendo.com": [60, 60],
    "searching.nintendo-europe.com": [60, 60],
    "u3b6gr4ua3-dsn.algolia.net": [60, 60],
}
PRICEWATCH_REQUEST_BUDGETS_REPLAYED = False

# Resumable crawls: a store crawl keeps its queue in $PRICEWATCH_HOME/jobs/<spider>/<regions> (Scrapy JOBDIR)
# and picks up where it stopped after a restart; the directory is removed once a crawl finishes.
PRICEWATCH_RESUMABLE = True

# Coverage: a crawl fails its health when a region yields less than this share of what the store says it has.
PRICEWATCH_MIN_COVERAGE = 0.95

# Replay: when set (URL of `pricewatch replay serve`), every request goes to the replay server instead.
# None means "read $PRICEWATCH_REPLAY_URL when the crawl starts".
PRICEWATCH_REPLAY_URL = None

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapers.middlewares.budget.RequestBudgetMiddleware": 545,
    "scrapers.middlewares.retry.RetryAfterMiddleware": 550,
    "scrapers.middlewares.replay.ReplayMiddleware": 840,
}
SPIDER_MIDDLEWARES = {
    "scrapers.middlewares.empty_pages.EmptyPageMiddleware": 950,
    "scrapers.middlewares.block_pages.BlockPageMiddleware": 960,
}
# Pages that yield nothing and carry one of these (title or text) or a status below are the store blocking us.
PRICEWATCH_BLOCK_PAGE_MARKERS = (r"captcha|access denied|are you a robot|are you human|verify you are (?:a )?human"
                                 r"|unusual traffic|request (?:was )?blocked")
PRICEWATCH_BLOCK_STATUSES = [401, 403]

# Storefront regions crawled by every store spider; a spider argument `regions` overrides it.
PRICEWATCH_REGIONS = "US,GB,DE"

# Every item is checked against the JSON Schema of its contract, chosen by the item's `source`; the contracts
# name their sources, so a new source needs no setting here.
ITEM_PIPELINES = {
    "scrapers.pipelines.validation.ContractValidationPipeline": 100,
}
PRICEWATCH_ITEM_SCHEMAS = contracts.kind_of_source()

# Landing feed: gzip JSON lines in <landing>/<source>/<date>/<jobid>.jl.gz plus <jobid>.stats.json.
# None means foundation.config.landing_dir() ($PRICEWATCH_LANDING or $PRICEWATCH_HOME/landing) when the crawl
# starts; an empty string switches it off. Independent of FEEDS, so Scrapyd's items_dir or `-o` only add
# feeds beside it.
PRICEWATCH_LANDING = None
# Dotted paths of callables(report: dict, crawler) run after the stats file is written (e.g. run comparison).
PRICEWATCH_CRAWL_REPORT_HOOKS = []
FEEDS = {}

EXTENSIONS = {
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
    "scrapers.extensions.resumable.FinishedJobCleanup": 800,
    "scrapers.extensions.landing.LandingFeed": 900,
}

# Spidermon close monitors; failures are written into the stats file as `health: failed` with reasons.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["scrapers.extensions.monitors.CrawlHealthSuite"]
SPIDERMON_MIN_ITEMS = 1
SPIDERMON_ADD_FIELD_COVERAGE = True
SPIDERMON_FIELD_COVERAGE_RULES = {
    "dict/store_item_id": 1.0,
    "dict/title": 0.9,
    "dict/region": 1.0,
}
SPIDERMON_FIELD_COVERAGE_SKIP_IF_NO_ITEM = True
PRICEWATCH_MAX_ERROR_RATIO = 0.2

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# Steam: the whole catalogue from the store search, per category (kind -> category1), 100 rows a page (the
# most the search returns), sorted by name so the pages hold still during a crawl; pages per category
# (0 = all); the featured specials through appdetails (off: the search already lists them); language; age gate.
PRICEWATCH_STEAM_SEARCH_URL = ("https://store.steampowered.com/search/results/?query=&sort_by=Name_ASC&infinite=1"
                               "&l=english")
PRICEWATCH_STEAM_SEARCH_CATEGORIES = {"game": "998", "dlc": "21", "bundle": "996"}
PRICEWATCH_STEAM_SEARCH_PAGE_SIZE = 100
PRICEWATCH_STEAM_SEARCH_PAGES = 0
PRICEWATCH_STEAM_FEATURED = False
PRICEWATCH_STEAM_LANGUAGE = "english"
# Steam names no currency for free apps; a free app is priced 0 in its storefront's currency, taken from here.
# Storefronts missing here give free apps no currency, and the contract then drops them (counted).
PRICEWATCH_STEAM_CURRENCIES = {
    "US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR", "NL": "EUR", "AT": "EUR",
    "BE": "EUR", "FI": "EUR", "IE": "EUR", "PT": "EUR", "PL": "PLN", "NO": "NOK", "CH": "CHF", "RU": "RUB",
    "UA": "UAH", "TR": "USD", "BR": "BRL", "MX": "MXN", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "JP": "JPY",
    "KR": "KRW", "CN": "CNY", "IN": "INR", "ID": "IDR", "SG": "SGD", "TH": "THB", "VN": "VND", "PH": "PHP",
    "MY": "MYR", "TW": "TWD", "HK": "HKD", "ZA": "ZAR", "IL": "ILS", "SA": "SAR", "AE": "AED", "KZ": "KZT",
    "CL": "CLP", "CO": "COP", "PE": "PEN", "UY": "UYU", "CR": "CRC", "QA": "QAR", "KW": "KWD",
}
PRICEWATCH_STEAM_AGE_COOKIES = {"birthtime": "470703601", "lastagecheckage": "1-January-1985", "mature_content": "1"}
