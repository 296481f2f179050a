"""Epic Games Store prices from the store's GraphQL `searchStore` catalog and the freeGamesPromotions JSON.

Both answer with the same `data.Catalog.searchStore.elements[]` offers, so one callback reads both. Prices are
`price.totalPrice` in minor units (`currencyInfo.decimals`, else the currency's ISO 4217 digits) and already
include every discount running when the response was made: upcoming promotions never change the price.
A game given away right now (discountPrice 0 under a running promotion) is reported as is_free with its
regular price and the promotion's end: it is free to claim at that moment.
"""
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import scrapy

from scrapers import pricing
from scrapers.items import store_listing, utc_timestamp
from scrapers.spiders import StoreSpider

# Only the fields the spider reads; `variables` carry country, locale and paging.
SEARCH_QUERY = """
query searchStoreQuery($country: String!, $allowCountries: String, $locale: String, $category: String,
                       $sortBy: String, $sortDir: String, $start: Int, $count: Int) {
  Catalog {
    searchStore(country: $country, allowCountries: $allowCountries, locale: $locale, category: $category,
                sortBy: $sortBy, sortDir: $sortDir, start: $start, count: $count) {
      elements {
        id title offerType productSlug releaseDate
        catalogNs { mappings(pageType: "productHome") { pageSlug pageType } }
        offerMappings { pageSlug pageType }
        price(country: $country) {
          totalPrice { discountPrice originalPrice currencyCode currencyInfo { decimals } }
          lineOffers { appliedRules { id endDate } }
        }
        promotions { promotionalOffers { promotionalOffers { startDate endDate } } }
      }
      paging { count total }
    }
  }
}
"""

DEFAULT_SETTINGS = {
    "PRICEWATCH_EPIC_GRAPHQL_URL": "https://store.epicgames.com/graphql",
    "PRICEWATCH_EPIC_SEARCH_OPERATION": "searchStoreQuery",
    "PRICEWATCH_EPIC_SEARCH_QUERY": SEARCH_QUERY,
    # Variables besides country/locale/start/count: which part of the catalog, in which order.
    "PRICEWATCH_EPIC_SEARCH_VARIABLES": {"category": "games/edition/base|bundles/games|addons",
                                         "sortBy": "releaseDate", "sortDir": "DESC"},
    "PRICEWATCH_EPIC_PAGE_SIZE": 40,
    # Catalog pages per region; 0 crawls them all.
    "PRICEWATCH_EPIC_MAX_PAGES": 0,
    # The weekly free-games feed, read besides the catalog; empty skips it.
    "PRICEWATCH_EPIC_FREE_GAMES_URL": "https://store-site-backend-static.ak.epicgames.com/freeGamesPromotions",
    "PRICEWATCH_EPIC_LOCALE": "en-US",
    "PRICEWATCH_EPIC_PAGE_URL": "https://store.epicgames.com/{locale}/p/{slug}",
}

KINDS = {"BASE_GAME": "game", "EDITION": "game", "DLC": "dlc", "ADD_ON": "dlc", "BUNDLE": "bundle"}
PAGE_TYPES = ("productHome", "offer")


def storefront_of(url: str) -> dict:
    """country/locale of a request: plain query parameters (freeGamesPromotions) or GraphQL variables."""
    query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    variables = json.loads(query.get("variables") or "{}")
    return {"country": variables.get("country") or query.get("country"),
            "locale": variables.get("locale") or query.get("locale"),
            "start": int(variables.get("start") or 0), "count": variables.get("count")}


class EpicSpider(StoreSpider):
    name = "epic"
    allowed_domains = ["epicgames.com"]

    setting_defaults = DEFAULT_SETTINGS

    async def start(self):
        locale = self.settings.get("PRICEWATCH_EPIC_LOCALE")
        for region in self.regions:
            if self.settings.get("PRICEWATCH_EPIC_FREE_GAMES_URL"):
                params = {"locale": locale, "country": region, "allowCountries": region}
                yield scrapy.Request(f"{self.settings.get('PRICEWATCH_EPIC_FREE_GAMES_URL')}?{urlencode(params)}",
                                     callback=self.parse_search_store, meta={"region": region})
            yield self.catalog_request(region, locale, start=0)

    def catalog_request(self, region: str, locale: str, start: int) -> scrapy.Request:
        variables = {**self.settings.getdict("PRICEWATCH_EPIC_SEARCH_VARIABLES"), "country": region,
                     "allowCountries": region, "locale": locale, "start": start,
                     "count": self.settings.getint("PRICEWATCH_EPIC_PAGE_SIZE")}
        params = {"operationName": self.settings.get("PRICEWATCH_EPIC_SEARCH_OPERATION"),
                  "variables": json.dumps(variables, separators=(",", ":"), sort_keys=True),
                  "query": " ".join(self.settings.get("PRICEWATCH_EPIC_SEARCH_QUERY").split())}
        return scrapy.Request(f"{self.settings.get('PRICEWATCH_EPIC_GRAPHQL_URL')}?{urlencode(params)}",
                              callback=self.parse_search_store, meta={"region": region})

    def callback_for(self, response):
        """Both recorded kinds (GraphQL searchStore, freeGamesPromotions) are searchStore results."""
        return self.parse_search_store

    def parse_search_store(self, response):
        storefront = storefront_of(response.url)
        region = (self.region_of(response) or storefront["country"] or "").upper()
        if not region:
            raise ValueError(f"no region for {response.url}: no country in the URL (pass a region)")
        data = response.json()
        if data.get("errors"):
            # GraphQL answers 200 with partial or no data when the query no longer fits the schema: a failure
            # of the crawl (its health says so), not a quiet short page.
            self.coverage.api_error(response.url, data["errors"])
        search = ((data.get("data") or {}).get("Catalog") or {}).get("searchStore") or {}
        paging = search.get("paging") or {}
        if storefront["count"] is not None and storefront["start"] == 0 and paging.get("total") is not None:
            self.coverage.expect(region, paging["total"])
        locale = storefront["locale"] or self.settings.get("PRICEWATCH_EPIC_LOCALE")
        for offer in search.get("elements") or []:
            # The free-games feed and the catalog list the same offers; each is reported once per region.
            if self.coverage.first_time(region, offer["id"]):
                yield self.listing(offer, region, locale)
        yield from self.next_page(region, storefront, paging)

    def next_page(self, region: str, storefront: dict, paging: dict):
        """Catalog pages go on while start + count is short of the total (the free-games feed has one page)."""
        if storefront["count"] is None:
            return
        count = int(storefront["count"])
        following = storefront["start"] + count
        max_pages = self.settings.getint("PRICEWATCH_EPIC_MAX_PAGES")
        if following < int(paging.get("total") or 0) and (not max_pages or following < max_pages * count):
            yield self.catalog_request(region, storefront["locale"], start=following)

    def listing(self, offer: dict, region: str, locale: str) -> dict:
        total = (offer.get("price") or {}).get("totalPrice") or {}
        currency = total.get("currencyCode")
        if currency and total.get("discountPrice") is not None:
            decimals = (total.get("currencyInfo") or {}).get("decimals")
            price = pricing.from_minor(total["discountPrice"], currency, decimals)
            regular = pricing.from_minor(total.get("originalPrice", total["discountPrice"]), currency, decimals)
        else:
            currency = price = regular = None
        discount = pricing.discount_percent(regular, price)
        return store_listing(
            source=self.name, store_item_id=offer["id"], title=offer.get("title"),
            kind=KINDS.get(offer.get("offerType"), "other"), url=self.page_url(offer, locale), region=region,
            currency=currency, price=price, regular_price=regular, discount_percent=discount,
            is_free=price is not None and total["discountPrice"] == 0,
            release_date=(offer.get("releaseDate") or "")[:10] or None,
            discount_ends_at=self.discount_end(offer) if discount else None,
        )

    def page_url(self, offer: dict, locale: str) -> str | None:
        """The offer's own store page (an add-on has one besides its game's), else its product's page."""
        mappings = (offer.get("offerMappings") or []) + ((offer.get("catalogNs") or {}).get("mappings") or [])
        slugs = [mapping["pageSlug"] for mapping in mappings
                 if mapping.get("pageSlug") and mapping.get("pageType") in PAGE_TYPES]
        product_slug = (offer.get("productSlug") or "").removesuffix("/home")
        slug = slugs[0] if slugs else product_slug
        return self.settings.get("PRICEWATCH_EPIC_PAGE_URL").format(locale=locale, slug=slug) if slug else None

    @staticmethod
    def discount_end(offer: dict) -> str | None:
        """When the price's discount ends: the earliest end of the rules applied to it, else of the running
        promotions (upcomingPromotionalOffers are not running and are ignored)."""
        rules = [rule for line in (offer.get("price") or {}).get("lineOffers") or []
                 for rule in line.get("appliedRules") or []]
        running = [promotion for group in (offer.get("promotions") or {}).get("promotionalOffers") or []
                   for promotion in group.get("promotionalOffers") or []]
        ends = [entry["endDate"] for entry in rules or running if entry.get("endDate")]
        return min(utc_timestamp(end) for end in ends) if ends else None
