"""Nintendo eShop: store search (titles + nsuids) joined to the eShop price API.

Per region the store's own search lists the games: Nintendo of Europe's Solr index
(searching.nintendo-europe.com/<lang>/select, 1000 rows a page; Switch and Switch 2 games and DLC, since the
3DS and Wii U shops are closed) for European storefronts, Nintendo of America's Algolia index for the
Americas. Algolia returns at most 1000 hits per query however it is paged, so a query the index says has
more (`nbHits`) is split by the values of one facet after another (PRICEWATCH_ESHOP_ALGOLIA_SPLIT_FACETS,
the counts come in the same answer) until every part is under the cap, as favna/nintendo-switch-eshop splits
its queries by facet filters. Each search page gives nsuids and titles; the spider then asks the price API
(api.ec.nintendo.com/v1/price?country=..&ids=.., up to 50 nsuids a call) and joins the two by nsuid. The
search index's own price fields are not used: the price API is the store's price, with a currency. The
search totals (`numFound`, the unsplit `nbHits`) are the store's totals for coverage; an Americas region
without an Algolia key is skipped, which fails the crawl's health.
A price response parsed on its own (`pricewatch parse`) has no titles, so its items have an empty title.
nintendo.com product pages (`__NEXT_DATA__` product prices) are read too; the legacy AEM game pages and
legacy Algolia hits carry only display prices and are ignored.
"""
import json
import os
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import scrapy

from scrapers import pricing
from scrapers.items import store_listing
from scrapers.spiders import StoreSpider

PRICE_API = "https://api.ec.nintendo.com/v1/price"

DEFAULT_SETTINGS = {
    # Storefront -> language of the Nintendo of Europe search index serving it.
    "PRICEWATCH_ESHOP_SOLR_LANGS": {"GB": "en", "IE": "en", "DE": "de", "AT": "de", "FR": "fr", "ES": "es",
                                    "IT": "it", "NL": "nl", "PT": "pt", "AU": "en", "NZ": "en", "ZA": "en"},
    "PRICEWATCH_ESHOP_SOLR_URL": "https://searching.nintendo-europe.com/{lang}/select",
    "PRICEWATCH_ESHOP_SOLR_FILTER": "type:(GAME OR DLC) AND nsuid_txt:* AND system_type:nintendoswitch*",
    # Storefront -> Nintendo of America Algolia index; the search-only key comes from the environment.
    "PRICEWATCH_ESHOP_ALGOLIA_INDEXES": {"US": "store_game_en_us", "CA": "store_game_en_ca"},
    "PRICEWATCH_ESHOP_ALGOLIA_APP_ID": "U3B6GR4UA3",
    "PRICEWATCH_ESHOP_ALGOLIA_API_KEY": os.environ.get("PRICEWATCH_ESHOP_ALGOLIA_API_KEY", ""),
    # Facets an Americas query over the hit cap is split by, in turn (the NoA index's own facets).
    "PRICEWATCH_ESHOP_ALGOLIA_SPLIT_FACETS": ["platformCode", "priceRange", "topLevelFilters"],
    "PRICEWATCH_ESHOP_ALGOLIA_HIT_CAP": 1000,
    "PRICEWATCH_ESHOP_SEARCH_PAGE_SIZE": 1000,
    "PRICEWATCH_ESHOP_PRICE_BATCH": 50,
    "PRICEWATCH_ESHOP_PRICE_LANG": "en",
}

# The nsuid says what is sold: 7001... software, 7005... add-on content, 7007... bundle.
KIND_BY_NSUID_PREFIX = {"7001": "game", "7005": "dlc", "7007": "bundle"}
# Platform codes of the search indexes and nintendo.com pages, as one vocabulary.
PLATFORM_CODES = {"HAC": "switch", "BEE": "switch2", "CTR": "3ds", "WUP": "wiiu",
                  "NINTENDO_SWITCH": "switch", "NINTENDO_SWITCH_2": "switch2"}


def platform_name(code: str) -> str:
    return PLATFORM_CODES.get(code, code.lower())


def kind_of(nsuid: str) -> str:
    return KIND_BY_NSUID_PREFIX.get(str(nsuid)[:4], "other")


class EshopSpider(StoreSpider):
    name = "eshop"
    allowed_domains = ["api.ec.nintendo.com", "searching.nintendo-europe.com", "algolia.net", "nintendo.com"]

    setting_defaults = DEFAULT_SETTINGS

    async def start(self):
        for region in self.regions:
            request = self.search_request(region, offset=0)
            if request is None:
                self.coverage.skip(region, "no search index for it (PRICEWATCH_ESHOP_SOLR_LANGS, or "
                                           "PRICEWATCH_ESHOP_ALGOLIA_INDEXES with PRICEWATCH_ESHOP_ALGOLIA_API_KEY)")
                continue
            yield request

    # -- search -----------------------------------------------------------------------------------------------

    def search_request(self, region: str, offset: int, filters: tuple = ()) -> scrapy.Request | None:
        size = self.settings.getint("PRICEWATCH_ESHOP_SEARCH_PAGE_SIZE")
        lang = self.settings.getdict("PRICEWATCH_ESHOP_SOLR_LANGS").get(region)
        if lang:
            query = urlencode({"q": "*", "fq": self.settings.get("PRICEWATCH_ESHOP_SOLR_FILTER"),
                               "fl": "title,nsuid_txt,url,type,playable_on_txt,dates_released_dts",
                               "sort": "sorting_title asc", "rows": size, "start": offset, "wt": "json"})
            return scrapy.Request(f"{self.settings.get('PRICEWATCH_ESHOP_SOLR_URL').format(lang=lang)}?{query}",
                                  callback=self.parse_solr, meta={"region": region})
        index = self.settings.getdict("PRICEWATCH_ESHOP_ALGOLIA_INDEXES").get(region)
        key = self.settings.get("PRICEWATCH_ESHOP_ALGOLIA_API_KEY")
        if index and key:
            app = self.settings.get("PRICEWATCH_ESHOP_ALGOLIA_APP_ID")
            facets = self.settings.getlist("PRICEWATCH_ESHOP_ALGOLIA_SPLIT_FACETS")[len(filters):][:1]
            params = {"query": "", "hitsPerPage": size, "page": offset // size}
            if filters:
                params["filters"] = " AND ".join(filters)
            if facets:
                params["facets"] = json.dumps(facets)
            return scrapy.Request(f"https://{app.lower()}-dsn.algolia.net/1/indexes/{index}?{urlencode(params)}",
                                  headers={"X-Algolia-Application-Id": app, "X-Algolia-API-Key": key},
                                  callback=self.parse_algolia, meta={"region": region, "filters": filters})
        return None

    def parse_solr(self, response):
        """Nintendo of Europe Solr: response.docs[] {nsuid_txt[], title, url (site path), playable_on_txt}."""
        result = response.json().get("response") or {}
        listings = {}
        for doc in result.get("docs") or []:
            for nsuid in doc.get("nsuid_txt") or []:
                listings[str(nsuid)] = {
                    "title": doc.get("title"),
                    "url": f"https://www.nintendo.com{doc['url']}" if doc.get("url") else None,
                    "platforms": [platform_name(code) for code in doc.get("playable_on_txt") or []],
                    "release_date": (doc.get("dates_released_dts") or [None])[0],
                }
        region = self.required_region(response)
        if not result.get("start") and result.get("numFound") is not None:
            self.coverage.expect(region, result["numFound"])
        if not listings:
            return
        yield from self.price_requests(region, listings)
        start, rows = result.get("start", 0), len(result.get("docs") or [])
        if rows and start + rows < result.get("numFound", 0):
            yield self.search_request(region, offset=start + rows)

    def parse_algolia(self, response):
        """Nintendo of America Algolia: hits[] {nsuid, title, url (site path), platform...}, page, nbPages,
        nbHits; a first page over the hit cap is split by the next facet instead of being paged."""
        body = response.json()
        request = getattr(response, "request", None)
        filters = tuple(request.meta.get("filters", ())) if request is not None else ()
        if body.get("page", 0) == 0:
            split = yield from self.split_algolia(response, body, filters)
            if split:
                return
        listings = {
            str(hit["nsuid"]): {
                "title": hit.get("title"),
                "url": f"https://www.nintendo.com{hit['url']}" if hit.get("url") else None,
                "platforms": [platform_name(hit["platformCode"])] if hit.get("platformCode") else [],
                "release_date": hit.get("releaseDate"),
            }
            for hit in body.get("hits") or [] if isinstance(hit, dict) and hit.get("nsuid")
        }
        if not listings:
            self.logger.info("eshop: no search hits with an nsuid in %s", response.url)
            return
        region = self.required_region(response)
        yield from self.price_requests(region, listings)
        if body.get("page", 0) + 1 < body.get("nbPages", 0):
            yield self.search_request(region, offset=(body["page"] + 1) * body.get("hitsPerPage", 0), filters=filters)

    def split_algolia(self, response, body: dict, filters: tuple):
        """States the region's total (unfiltered query) and, when the hits exceed the cap, asks one query per
        value of the next split facet; returns whether it split. A saved answer without a region (pricewatch
        parse) is only read."""
        region = self.region_of(response)
        if region is None:
            return False
        if not filters and body.get("nbHits") is not None:
            self.coverage.expect(region, body["nbHits"])
        facets = self.settings.getlist("PRICEWATCH_ESHOP_ALGOLIA_SPLIT_FACETS")[len(filters):][:1]
        values = (body.get("facets") or {}).get(facets[0], {}) if facets else {}
        if body.get("nbHits", 0) <= self.settings.getint("PRICEWATCH_ESHOP_ALGOLIA_HIT_CAP") or not values:
            return False
        for value in values:
            escaped = str(value).replace('"', '\\"')
            yield self.search_request(region, offset=0, filters=(*filters, f'{facets[0]}:"{escaped}"'))
        return True

    def price_requests(self, region: str, listings: dict):
        nsuids = list(listings)
        batch = self.settings.getint("PRICEWATCH_ESHOP_PRICE_BATCH")
        for first in range(0, len(nsuids), batch):
            ids = nsuids[first:first + batch]
            query = urlencode({"country": region, "lang": self.settings.get("PRICEWATCH_ESHOP_PRICE_LANG"),
                               "ids": ",".join(ids)}, safe=",")
            yield scrapy.Request(f"{PRICE_API}?{query}", callback=self.parse_prices,
                                 meta={"region": region, "listings": {nsuid: listings[nsuid] for nsuid in ids}})

    # -- prices -----------------------------------------------------------------------------------------------

    def parse_prices(self, response):
        """Price API: prices[] {title_id, sales_status, regular_price, discount_price?} in the country's currency."""
        body = response.json()
        region = self.required_region(response, body.get("country"))
        request = getattr(response, "request", None)
        listings = (request.meta.get("listings") if request is not None else None) or {}
        for entry in body.get("prices") or []:
            nsuid = str(entry["title_id"])
            if self.coverage.first_time(region, nsuid):
                yield self.listing(nsuid, listings.get(nsuid, {}), region, entry)

    def listing(self, nsuid: str, listing: dict, region: str, entry: dict) -> dict:
        regular = entry.get("regular_price") or {}
        discount = entry.get("discount_price") or {}
        on_sale = entry.get("sales_status") == "onsale" and regular.get("raw_value") is not None
        currency = regular.get("currency") if on_sale else None
        regular_price = pricing.money(regular["raw_value"], currency) if on_sale else None
        price = pricing.money(discount.get("raw_value") or regular["raw_value"], currency) if on_sale else None
        return store_listing(
            source=self.name, store_item_id=nsuid, title=listing.get("title"), kind=kind_of(nsuid),
            url=listing.get("url"), region=region, currency=currency, price=price, regular_price=regular_price,
            discount_percent=pricing.discount_percent(regular_price, price),
            is_free=on_sale and Decimal(price) == 0,
            platforms=listing.get("platforms") or (), release_date=listing.get("release_date"),
            discount_ends_at=discount.get("end_datetime") if on_sale else None,
        )

    # -- nintendo.com pages -----------------------------------------------------------------------------------

    def parse_product_page(self, response):
        """nintendo.com/<locale>/store/products/<slug>/: __NEXT_DATA__ product with nsuid and a price range."""
        data = response.css("script#__NEXT_DATA__::text").get()
        product = (json.loads(data).get("props", {}).get("pageProps", {}).get("product") if data else None) or {}
        prices = (product.get("prices") or {}).get("minimum") or {}
        if not product.get("nsuid") or prices.get("finalPrice") is None or not prices.get("currency"):
            self.logger.info("eshop: no product price in %s (legacy or non-product page)", response.url)
            return
        region = self.required_region(response)
        currency = prices["currency"]
        regular = pricing.money(prices.get("regularPrice", prices["finalPrice"]), currency)
        price = pricing.money(prices["finalPrice"], currency)
        platform = (product.get("platform") or {}).get("code")
        yield store_listing(
            source=self.name, store_item_id=product["nsuid"], title=(product.get("name") or "").strip(),
            kind=kind_of(product["nsuid"]), url=product.get("detailPageUrl") or response.url, region=region,
            currency=currency, price=price, regular_price=regular,
            discount_percent=pricing.discount_percent(regular, price), is_free=Decimal(price) == 0,
            platforms=[platform_name(platform)] if platform else (), release_date=product.get("releaseDate"),
        )

    # -- dispatch -----------------------------------------------------------------------------------------------

    def callback_for(self, response):
        if not response.text.lstrip().startswith(("{", "[")):
            return self.parse_product_page
        host = urlsplit(response.url).hostname or ""
        if host.endswith("api.ec.nintendo.com"):
            return self.parse_prices
        if host.startswith("searching.nintendo-europe"):
            return self.parse_solr
        if host.endswith("algolia.net"):
            return self.parse_algolia
        return self.parse_by_shape

    def parse_by_shape(self, response):
        """A saved JSON file whose URL says nothing: recognise the price API, Solr or Algolia by its keys."""
        body = response.json()
        if isinstance(body, dict) and "prices" in body:
            yield from self.parse_prices(response)
        elif isinstance(body, dict) and isinstance(body.get("response"), dict):
            yield from self.parse_solr(response)
        elif isinstance(body, dict) and isinstance(body.get("hits"), list):
            yield from self.parse_algolia(response)
        else:
            self.logger.info("eshop: unrecognised JSON at %s ignored (e.g. a single legacy Algolia hit)",
                             response.url)

    def parse(self, response, **kwargs):
        return self.callback_for(response)(response)

    def required_region(self, response, stated: str | None = None) -> str:
        """The request's or URL's region, else the one the response states."""
        region = self.region_of(response) or stated
        if not region:
            raise ValueError(f"no region for {response.url}: pass the region (--region)")
        return region.upper()
