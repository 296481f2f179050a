"""PlayStation Store: the whole catalogue from the category grid (GraphQL `categoryGridRetrieve`), whose
concepts (and, in product categories, products) carry their price as the store writes it ("112,800원",
"€9,95", isFree). One grid request lists PRICEWATCH_PSSTORE_PAGE_SIZE entries, so a region costs
totalCount / page size requests instead of one HTML page (0.5-0.9 MB) per concept. A concept listing is the
concept's default offer, under the concept id (`/concept/<id>` is its store page); a grid entry without a
price field (a query that does not select it) is priced from its concept page instead. `pageInfo.totalCount`
of each category is the store's total for coverage; the grid names no currency, so it comes from
PRICEWATCH_PSSTORE_CURRENCIES (a region missing there is skipped, which fails the crawl's health).

Concept pages and GraphQL product answers are still read (`pricewatch parse`, and grid entries without a
price): their prices live in Apollo cache blobs.

The web store renders every page from an Apollo cache shipped in `<script id="env:..." type="application/json">`
blobs ({args, overrides, cache, translations}); each blob holds a slice of the same normalised cache, so the
slices are merged by key before reading. A product's offers are its GameCTAs (`price` in the currency's minor units with a
currencyCode); add-ons listed on a concept page only carry a SkuPrice with formatted strings, read with
price-parser in the page's currency. The GraphQL `productRetrieveForUpsellWithCtas` answer has the same CTAs
inline. One listing per product and region: the public offer when there is one, else the best
subscription-tied offer (PS Plus price, EA Play discount, game-catalogue "Included") with `subscription` set.
Offers for owners of another product (PS4 -> PS5 upgrade prices) and game trials are never a listing.
"""
import json
from decimal import Decimal
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlencode, urlsplit

import scrapy

from scrapers import pricing
from scrapers.items import store_listing
from scrapers.spiders import LOCALE_IN_PATH, StoreSpider

STORE = "https://store.playstation.com"

DEFAULT_SETTINGS = {
    "PRICEWATCH_PSSTORE_GRAPHQL_URL": "https://web.np.playstation.com/api/graphql/v1/op",
    # Persisted-query hashes of the store web app; they rotate with its releases.
    "PRICEWATCH_PSSTORE_QUERIES": {
        "categoryGridRetrieve": "4ce7d410a4db2c8b635a48c1dcec375906ff63b19dadd87e073f8fd0c0481d35",
    },
    # Store categories crawled (the web store's "all games" browse category); add a category's id to list it too.
    "PRICEWATCH_PSSTORE_CATEGORIES": ["28c9c2b2-cecc-415c-9a08-482a605cb104"],
    # Grid entries per request: 300 as jonikanerva/psstore asks (the web store itself asks 24).
    "PRICEWATCH_PSSTORE_PAGE_SIZE": 300,
    # Region -> currency of its store: grid prices are text without a currency code.
    "PRICEWATCH_PSSTORE_CURRENCIES": {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "FI": "EUR",
                                      "IT": "EUR", "ES": "EUR", "NL": "EUR", "AT": "EUR", "PL": "PLN", "BR": "BRL",
                                      "JP": "JPY", "KR": "KRW", "TW": "TWD", "HK": "HKD", "AU": "AUD"},
    # How the store writes "free" where the grid price carries no isFree flag.
    "PRICEWATCH_PSSTORE_FREE_TEXTS": ["Free", "무료", "無料", "免費", "Gratis", "Kostenlos", "Gratuit", "Ilmainen",
                                      "Gratuito", "Darmowe"],
    # Region -> store locale; regions not listed use en-<region>.
    "PRICEWATCH_PSSTORE_LOCALES": {"US": "en-us", "GB": "en-gb", "DE": "de-de", "TW": "zh-hant-tw",
                                   "HK": "zh-hant-hk", "KR": "ko-kr", "JP": "ja-jp", "FR": "fr-fr"},
}

# Offers that do not sell the product to everyone: ownership-gated upgrade prices.
OWNERSHIP_QUALIFICATIONS = {"ENTITLED_TO"}
KIND_BY_CLASSIFICATION = {
    "FULL_GAME": "game", "PREMIUM_EDITION": "game", "GAME_BUNDLE": "bundle", "BUNDLE": "bundle",
    "ADD_ON_PACK": "dlc", "ADD_ON": "dlc", "VIRTUAL_CURRENCY": "dlc", "ITEM": "dlc", "LEVEL": "dlc",
    "CHARACTER": "dlc", "COSTUME": "dlc", "SEASON_PASS": "dlc", "MAP": "dlc", "SOUNDTRACK": "dlc",
    "DEMO": "other", "THEME": "other", "AVATAR": "other",
}
KIND_BY_TOP_CATEGORY = {"GAME": "game", "ADD_ON": "dlc", "DEMO": "other", "THEME": "other", "AVATAR": "other"}


def region_of_locale(locale: str) -> str:
    """zh-hant-tw -> TW, en-us -> US."""
    return locale.rsplit("-", 1)[-1].upper()


def millis_to_iso(value) -> str | None:
    if not value:
        return None
    moment = datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


def merge_into(target: dict, update: dict) -> None:
    """Apollo cache merge: fields of the same entity from several slices add up."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_into(target[key], value)
        else:
            target[key] = value


class Offer:
    """One way to buy a product in one region, read from a Price (numbers) or SkuPrice (text) object."""

    def __init__(self, price: dict, cta_type: str = "", currency: str | None = None):
        self.cta_type = cta_type or ""
        self.raw = price
        self.currency = price.get("currencyCode") or currency
        branding = [name for name in (price.get("serviceBranding") or []) if name and name != "NONE"]
        conditional = (branding or price.get("isTiedToSubscription") or price.get("applicability") == "UPSELL"
                       or self.cta_type.startswith("UPSELL_"))
        self.subscription = (branding[0] if branding else "SUBSCRIPTION") if conditional else None
        self.regular, self.price = self._amounts(price)

    def _amounts(self, price):
        if not self.currency:
            return None, None
        if price.get("discountedValue") is not None and price.get("basePriceValue") is not None:
            # Minor units of the currency itself: HK$239.00 is 23900, but 33,800원 is 33800 (KRW has none).
            return (pricing.from_minor(price["basePriceValue"], self.currency),
                    pricing.from_minor(price["discountedValue"], self.currency))
        if price.get("isFree"):
            return pricing.money(0, self.currency), pricing.money(0, self.currency)
        regular = pricing.from_text(price.get("basePrice"), self.currency)
        final = pricing.from_text(price.get("discountedPrice"), self.currency)
        if final is None:
            return None, None
        return pricing.money(regular if regular is not None else final, self.currency), \
            pricing.money(final, self.currency)

    @property
    def usable(self) -> bool:
        """Priced, and a way for anyone (or any subscriber) to buy the product, not a trial or an upgrade."""
        qualifications = {q.get("type") for q in (self.raw.get("qualifications") or [])}
        return (self.price is not None and "TRIAL" not in self.cta_type
                and not (qualifications & OWNERSHIP_QUALIFICATIONS and not self.subscription))

    def rank(self):
        """Public offers first, then the cheapest."""
        return self.subscription is not None, Decimal(self.price)


class PsStoreSpider(StoreSpider):
    name = "psstore"
    allowed_domains = ["store.playstation.com", "web.np.playstation.com"]

    setting_defaults = DEFAULT_SETTINGS

    async def start(self):
        currencies = self.settings.getdict("PRICEWATCH_PSSTORE_CURRENCIES")
        for region in self.regions:
            if region not in currencies:
                self.coverage.skip(region, "no currency in PRICEWATCH_PSSTORE_CURRENCIES (grid prices name none)")
                continue
            for category in self.settings.getlist("PRICEWATCH_PSSTORE_CATEGORIES"):
                yield self.category_grid_request(self.locale_for(region), category, offset=0)

    def locale_for(self, region: str) -> str:
        return self.settings.getdict("PRICEWATCH_PSSTORE_LOCALES").get(region, f"en-{region.lower()}")

    def category_grid_request(self, locale: str, category: str, offset: int) -> scrapy.Request:
        variables = {"id": category,
                     "pageArgs": {"size": self.settings.getint("PRICEWATCH_PSSTORE_PAGE_SIZE"), "offset": offset},
                     "sortBy": {"name": "productReleaseDate", "isAscending": False},
                     "filterBy": [], "facetOptions": []}
        return self.graphql_request("categoryGridRetrieve", variables, locale)

    def graphql_request(self, operation: str, variables: dict, locale: str) -> scrapy.Request:
        query_hash = self.settings.getdict("PRICEWATCH_PSSTORE_QUERIES")[operation]
        query = urlencode({
            "operationName": operation,
            "variables": json.dumps(variables, separators=(",", ":")),
            "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": query_hash}},
                                     separators=(",", ":")),
        })
        # The locale travels in a header, which request fingerprints ignore: the same page of two regions has
        # one URL, so the duplicate filter must not drop the second.
        return scrapy.Request(f"{self.settings.get('PRICEWATCH_PSSTORE_GRAPHQL_URL')}?{query}",
                              headers={"x-psn-store-locale-override": locale, "content-type": "application/json"},
                              meta={"locale": locale, "region": region_of_locale(locale)},
                              callback=self.parse_graphql, dont_filter=True)

    def callback_for(self, response):
        if urlsplit(response.url).path.endswith("/op") or response.text.lstrip().startswith("{"):
            return self.parse_graphql
        return self.parse_store_page

    def parse(self, response, **kwargs):
        return self.callback_for(response)(response)

    # -- where the region comes from ------------------------------------------------------------------------

    def locale_of(self, response, content_locale: str | None = None) -> str:
        """The request's locale (crawl), else the URL's locale segment, else the region's, else the page's own."""
        request = getattr(response, "request", None)
        if request is not None and request.meta.get("locale"):
            return request.meta["locale"]
        first = urlsplit(response.url).path.strip("/").split("/")[0]
        if LOCALE_IN_PATH.match(first):
            return first.lower()
        region = self.region_of(response)
        if region:
            return self.locale_for(region.upper())
        if content_locale:
            return content_locale.lower()
        raise ValueError(f"no region for {response.url}: pass the region (--region)")

    # -- GraphQL -------------------------------------------------------------------------------------------

    def parse_graphql(self, response):
        body = response.json()
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            # Legacy chihiro container/product JSON (pre-2020 API) or a GraphQL error: nothing to price.
            self.logger.warning("no PlayStation Store GraphQL data in %s", response.url)
            return
        if data.get("categoryGridRetrieve"):
            yield from self.parse_category_grid(response, data["categoryGridRetrieve"])
        if data.get("productRetrieve"):
            locale = self.locale_of(response)
            concept = data["productRetrieve"].get("concept") or {}
            for product in concept.get("products") or [data["productRetrieve"]]:
                offers = [Offer(cta.get("price") or {}, cta.get("type")) for cta in product.get("webctas") or []]
                item = self.listing(product, offers, locale)
                if item:
                    yield item

    def parse_category_grid(self, response, grid: dict):
        """Grid entries are listings priced from their price text; entries without a price field are priced
        from their concept (or product) page."""
        locale = self.locale_of(response)
        region = region_of_locale(locale)
        category = json.loads(parse_qs(urlsplit(response.url).query).get("variables", ["{}"])[0]).get("id", "")
        page = grid.get("pageInfo") or {}
        if not page.get("offset") and page.get("totalCount") is not None:
            self.coverage.expect(region, page["totalCount"], part=category)
        currency = self.settings.getdict("PRICEWATCH_PSSTORE_CURRENCIES").get(region)
        for path, entries in (("concept", grid.get("concepts")), ("product", grid.get("products"))):
            for entry in entries or []:
                if "price" not in entry:
                    yield response.follow(f"{STORE}/{locale}/{path}/{entry['id']}", callback=self.parse_store_page,
                                          meta={"locale": locale, "region": region})
                elif self.coverage.first_time(region, entry["id"]):
                    yield self.grid_listing(entry, path, locale, currency)
        if page and not page.get("isLast") and page.get("size"):
            yield self.category_grid_request(locale, category, page.get("offset", 0) + page["size"])

    def grid_listing(self, entry: dict, path: str, locale: str, currency: str | None) -> dict:
        """A concept or product of the grid; no usable price (unavailable, announced) is not for sale."""
        price = dict(entry.get("price") or {})
        if price.get("discountedPrice") in self.settings.getlist("PRICEWATCH_PSSTORE_FREE_TEXTS"):
            price["isFree"] = True
        offer = Offer(price, currency=currency)
        usable = offer.usable and currency is not None
        return store_listing(
            source=self.name,
            store_item_id=entry["id"],
            title=entry.get("name"),
            kind=self.kind_of(entry) if path == "product" else "game",
            url=f"{STORE}/{locale}/{path}/{entry['id']}",
            region=region_of_locale(locale),
            currency=offer.currency if usable else None,
            price=offer.price if usable else None,
            regular_price=offer.regular if usable else None,
            discount_percent=pricing.discount_percent(offer.regular, offer.price) if usable else 0,
            is_free=usable and Decimal(offer.price) == 0,
            platforms=[p for p in entry.get("platforms") or [] if isinstance(p, str)],
            subscription=offer.subscription if usable else None,
        )

    # -- web store pages -----------------------------------------------------------------------------------

    def parse_store_page(self, response):
        cache = self.apollo_cache(response)
        next_data = response.css("script#__NEXT_DATA__::text").get()
        content_locale = json.loads(next_data).get("query", {}).get("locale") if next_data else None
        locale = self.locale_of(response, content_locale)
        products = {key.split(":", 1)[1]: value for key, value in cache.items() if key.startswith("Product:")}
        offers = self.cta_offers(cache, products)
        currency = next((offer.currency for ctas in offers.values() for offer in ctas if offer.currency), None)
        for product_id, product in products.items():
            product_offers = offers.get(product_id, [])
            if not product_offers and isinstance(product.get("price"), dict):
                product_offers = [Offer(product["price"], currency=currency)]
            item = self.listing(product, product_offers, locale)
            if item and self.coverage.first_time(item["region"], item["store_item_id"]):
                yield item

    def apollo_cache(self, response) -> dict:
        cache: dict = {}
        for blob in response.xpath('//script[starts-with(@id, "env:")]/text()').getall():
            for key, value in (json.loads(blob).get("cache") or {}).items():
                merge_into(cache.setdefault(key, {}), value)
        return cache

    def cta_offers(self, cache: dict, products: dict) -> dict:
        """Offers per product id; a CTA names its SKU, and a SKU id is its product id plus a suffix."""
        product_of_sku = {ref.get("__ref", "").split(":", 1)[-1]: product_id
                          for product_id, product in products.items() for ref in product.get("skus") or []}
        offers: dict = {}
        for key, cta in cache.items():
            if not key.startswith("GameCTA:") or not isinstance(cta.get("price"), dict):
                continue
            params = {param.get("name"): param.get("value") for param in (cta.get("action") or {}).get("param", [])}
            sku = params.get("skuId") or key.split(":")[3]
            product_id = product_of_sku.get(sku) or sku.rsplit("-", 1)[0]
            offers.setdefault(product_id, []).append(Offer(cta["price"], cta.get("type") or key.split(":")[1]))
        return offers

    # -- items ---------------------------------------------------------------------------------------------

    def listing(self, product: dict, offers: list, locale: str) -> dict | None:
        usable = sorted((offer for offer in offers if offer.usable), key=Offer.rank)
        if not usable or not product.get("id"):
            return None
        offer = usable[0]
        return store_listing(
            source=self.name,
            store_item_id=product["id"],
            title=product.get("name"),
            kind=self.kind_of(product),
            url=f"{STORE}/{locale}/product/{product['id']}",
            region=region_of_locale(locale),
            currency=offer.currency,
            price=offer.price,
            regular_price=offer.regular,
            discount_percent=pricing.discount_percent(offer.regular, offer.price),
            is_free=bool(offer.raw.get("isFree")) or Decimal(offer.price) == 0,
            platforms=[p for p in product.get("platforms") or [] if isinstance(p, str)],
            release_date=product.get("releaseDate") if isinstance(product.get("releaseDate"), str) else None,
            discount_ends_at=millis_to_iso(offer.raw.get("endTime")),
            subscription=offer.subscription,
        )

    @staticmethod
    def kind_of(product: dict) -> str:
        classification = product.get("storeDisplayClassification")
        if classification in KIND_BY_CLASSIFICATION:
            return KIND_BY_CLASSIFICATION[classification]
        if classification:  # add-ons (e.g. OTHER) listed on a concept page
            return "dlc" if product.get("topCategory") != "GAME" else "game"
        return KIND_BY_TOP_CATEGORY.get(product.get("topCategory"), "other")
