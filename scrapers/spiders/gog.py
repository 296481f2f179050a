"""GOG prices from three JSON APIs.

Default crawl, per region: the homepage giveaway sections (sections.gog.com), then every page of the catalog
(catalog.gog.com/v1/catalog) in title order: the site's default "trending" order moves products between pages
while a crawl reads them, so some would be read twice and others never. A product is reported once per region
however often it appears; `productCount` of the first page is the store's total for coverage. With the spider argument `ids` (a watch list of product ids): product metadata
(api.gog.com/products?ids=, titles but no prices), then the batch prices (api.gog.com/products/prices) per
region. GOG sells many regions in USD, so the currency asked for comes from PRICEWATCH_GOG_CURRENCIES.

A giveaway is free to claim while the catalog keeps showing the purchase price of the same product, so the
giveaway is crawled first and is the listing reported for that product and region (price 0, is_free).
"""
from decimal import Decimal
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import scrapy

from scrapers import pricing
from scrapers.items import store_listing, utc_timestamp
from scrapers.spiders import StoreSpider

DEFAULT_SETTINGS = {
    "PRICEWATCH_GOG_CATALOG_URL": "https://catalog.gog.com/v1/catalog",
    "PRICEWATCH_GOG_CATALOG_PARAMS": {"limit": 48, "order": "asc:title", "productType": "in:game,pack,dlc"},
    # Catalog pages per region; 0 crawls them all.
    "PRICEWATCH_GOG_MAX_PAGES": 0,
    # Homepage whose GIVEAWAY_SECTION sections are read before the catalog; empty skips giveaways.
    "PRICEWATCH_GOG_SECTIONS_URL": "https://sections.gog.com/v1/pages/2f",
    "PRICEWATCH_GOG_PRODUCTS_URL": "https://api.gog.com/products",
    "PRICEWATCH_GOG_PRICES_URL": "https://api.gog.com/products/prices",
    # Product ids per products/prices call (the API's limit).
    "PRICEWATCH_GOG_BATCH_SIZE": 50,
    "PRICEWATCH_GOG_PRODUCT_PAGE_URL": "https://www.gog.com/en/game/",
    "PRICEWATCH_GOG_LOCALE": "en-US",
    # Currency GOG is asked to price each region in; regions not listed (most of the world) pay in USD.
    "PRICEWATCH_GOG_DEFAULT_CURRENCY": "USD",
    "PRICEWATCH_GOG_CURRENCIES": {
        "GB": "GBP", "AU": "AUD", "BR": "BRL", "CA": "CAD", "CH": "CHF", "CN": "CNY", "DK": "DKK", "NO": "NOK",
        "PL": "PLN", "RU": "RUB", "SE": "SEK",
        **dict.fromkeys(("AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV",
                         "MT", "NL", "PT", "SI", "SK"), "EUR"),
    },
}

KINDS = {"game": "game", "pack": "bundle", "dlc": "dlc"}
PLATFORMS = {"windows": "windows", "osx": "mac", "linux": "linux"}


def query_param(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


def release_date(text: str | None) -> str | None:
    """ISO date of GOG's "2018.08.15" (catalog) or "2012-01-26T05:57:00+0100" (products API)."""
    if not text:
        return None
    return text[:10].replace(".", "-")


def request_meta(response) -> dict:
    """Meta of the request behind `response`; empty for a response built without one."""
    return response.meta if response.request is not None else {}


class GogSpider(StoreSpider):
    name = "gog"
    allowed_domains = ["gog.com"]

    def __init__(self, *args, ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ids = [product_id.strip() for product_id in (ids or "").split(",") if product_id.strip()]
        if not all(product_id.isdigit() for product_id in self.ids):
            raise ValueError(f"ids must be GOG product ids (numbers) separated by commas; got {ids!r}")

    setting_defaults = DEFAULT_SETTINGS

    def currency_for(self, region: str) -> str:
        default = self.settings.get("PRICEWATCH_GOG_DEFAULT_CURRENCY")
        return self.settings.getdict("PRICEWATCH_GOG_CURRENCIES").get(region, default)

    def storefront(self, region: str) -> dict:
        """Query parameters that choose the storefront of `region`."""
        return {"countryCode": region, "currencyCode": self.currency_for(region),
                "locale": self.settings.get("PRICEWATCH_GOG_LOCALE")}

    def region_of(self, response, data=None) -> str:
        """The request's region, else the countryCode of the URL or of the response's own link (prices API)."""
        self_link = data.get("_links", {}).get("self", {}).get("href", "") if isinstance(data, dict) else ""
        region = super().region_of(response) or query_param(self_link, "countryCode")
        if not region:
            raise ValueError(f"no region for {response.url}: no countryCode in the URL (pass a region)")
        return region.upper()

    async def start(self):
        if self.ids:
            size = self.settings.getint("PRICEWATCH_GOG_BATCH_SIZE")
            for first in range(0, len(self.ids), size):
                batch = ",".join(self.ids[first:first + size])
                url = f"{self.settings.get('PRICEWATCH_GOG_PRODUCTS_URL')}?{urlencode({'ids': batch}, safe=',')}"
                yield scrapy.Request(url, callback=self.parse_products)
            return
        for region in self.regions:
            if self.settings.get("PRICEWATCH_GOG_SECTIONS_URL"):
                yield self.sections_request(region)
            else:
                yield self.catalog_request(region, page=1)

    # Requests

    def sections_request(self, region: str) -> scrapy.Request:
        url = f"{self.settings.get('PRICEWATCH_GOG_SECTIONS_URL')}?{urlencode(self.storefront(region))}"
        return scrapy.Request(url, callback=self.parse_sections, errback=self.catalog_after_failure,
                              meta={"region": region})

    def after_giveaways(self, region: str, section_ids: list[str]) -> scrapy.Request:
        """The next giveaway section of `region`, or the catalog once none is left."""
        if not section_ids:
            return self.catalog_request(region, page=1)
        url = (f"{self.settings.get('PRICEWATCH_GOG_SECTIONS_URL')}/sections/{quote(section_ids[0], safe='')}"
               f"?{urlencode(self.storefront(region))}")
        return scrapy.Request(url, callback=self.parse_giveaway, errback=self.catalog_after_failure,
                              meta={"region": region, "section_ids": section_ids[1:]})

    def catalog_after_failure(self, failure):
        """A giveaway lookup that failed must not cost the region its catalog."""
        self.logger.warning("GOG giveaway lookup failed, crawling the catalog anyway: %s", failure.value)
        meta = failure.request.meta
        yield self.after_giveaways(meta["region"], meta.get("section_ids", []))

    def catalog_request(self, region: str, page: int) -> scrapy.Request:
        params = {**self.settings.getdict("PRICEWATCH_GOG_CATALOG_PARAMS"), "page": page, **self.storefront(region)}
        url = f"{self.settings.get('PRICEWATCH_GOG_CATALOG_URL')}?{urlencode(params, safe=':,')}"
        return scrapy.Request(url, callback=self.parse_catalog, meta={"region": region})

    # Callbacks

    def callback_for(self, response):
        """The callback for a GOG response, by URL, else by the shape of the JSON."""
        parts = urlsplit(response.url)
        if parts.hostname == "catalog.gog.com":
            return self.parse_catalog
        if parts.hostname == "sections.gog.com":
            return self.parse_giveaway if "/sections/" in parts.path else self.parse_sections
        if parts.hostname == "api.gog.com":
            return self.parse_prices if parts.path.endswith("/prices") else self.parse_products
        data = response.json()
        if isinstance(data, list):
            return self.parse_products
        if "_embedded" in data:
            return self.parse_prices
        if "properties" in data:
            return self.parse_giveaway
        if "sections" in data:
            return self.parse_sections
        return self.parse_catalog

    def parse_catalog(self, response):
        region = self.region_of(response)
        data = response.json()
        page = int(query_param(response.url, "page") or 1)
        if page == 1 and data.get("productCount") is not None:
            self.coverage.expect(region, data["productCount"])
        for product in data.get("products") or []:
            if self.coverage.first_time(region, product["id"]):
                yield self.catalog_listing(product, region)
        last_page = int(data.get("pages") or page)
        max_pages = self.settings.getint("PRICEWATCH_GOG_MAX_PAGES")
        if page < last_page and (not max_pages or page < max_pages):
            yield self.catalog_request(region, page + 1)

    def parse_sections(self, response):
        """The homepage's list of sections: follow the giveaway ones, then the catalog."""
        region = self.region_of(response)
        section_ids = [section["sectionId"] for section in response.json().get("sections") or []
                       if section.get("sectionType") == "GIVEAWAY_SECTION"]
        yield self.after_giveaways(region, section_ids)

    def parse_giveaway(self, response):
        region = self.region_of(response)
        properties = response.json().get("properties") or {}
        product = properties.get("product")
        if product:
            listing = self.catalog_listing(product, region)
            if listing["currency"]:
                free = pricing.money(0, listing["currency"])
                listing.update(price=free, is_free=True,
                               discount_percent=pricing.discount_percent(listing["regular_price"], free),
                               discount_ends_at=utc_timestamp(properties.get("endDate")))
            if self.coverage.first_time(region, listing["store_item_id"]):
                yield listing
        yield self.after_giveaways(region, request_meta(response).get("section_ids", []))

    def parse_products(self, response):
        """Watch-list metadata (no prices): ask for the prices of the listed products in every region."""
        products = {str(product["id"]): self.product_details(product) for product in response.json()}
        unknown = [product_id for product_id in (query_param(response.url, "ids") or "").split(",")
                   if product_id and product_id not in products]
        if unknown:
            self.logger.warning("GOG knows no product %s", ", ".join(unknown))
            self.crawler.stats.inc_value("pricewatch/gog/unknown_ids", len(unknown))
        if not products:
            return
        for region in self.regions:
            params = {"ids": ",".join(products), "countryCode": region}
            url = f"{self.settings.get('PRICEWATCH_GOG_PRICES_URL')}?{urlencode(params, safe=',')}"
            yield scrapy.Request(url, callback=self.parse_prices, meta={"region": region, "products": products})

    def parse_prices(self, response):
        data = response.json()
        region = self.region_of(response, data)
        details = request_meta(response).get("products", {})
        for entry in data["_embedded"]["items"]:
            product_id = str(entry["_embedded"]["product"]["id"])
            offer = self.price_in(entry["_embedded"]["prices"], self.currency_for(region))
            currency = offer["currency"]["code"] if offer else None
            final = self.cents(offer["finalPrice"], currency) if offer else None
            base = self.cents(offer["basePrice"], currency) if offer else None
            described = details.get(product_id, {"title": "", "kind": "other", "url": None})
            yield store_listing(source=self.name, store_item_id=product_id, region=region, currency=currency,
                                price=final, regular_price=base, discount_percent=pricing.discount_percent(base, final),
                                is_free=final is not None and Decimal(final) == 0, **described)

    # Field mapping

    def catalog_listing(self, product: dict, region: str) -> dict:
        """A listing from the product shape the catalog and the giveaway section share."""
        money = product.get("price") or {}
        final, base = money.get("finalMoney") or {}, money.get("baseMoney") or {}
        currency = final.get("currency") if final.get("amount") is not None else None
        price = pricing.money(final["amount"], currency) if currency else None
        regular = pricing.money(base.get("amount", final.get("amount")), currency) if currency else None
        return store_listing(
            source=self.name, store_item_id=product["id"], title=product.get("title"),
            kind=KINDS.get(product.get("productType"), "other"),
            url=product.get("storeLink") or (self.settings.get("PRICEWATCH_GOG_PRODUCT_PAGE_URL") + product["slug"]
                                             if product.get("slug") else None),
            region=region, currency=currency, price=price, regular_price=regular,
            discount_percent=pricing.discount_percent(regular, price),
            is_free=price is not None and Decimal(price) == 0,
            platforms=[PLATFORMS.get(name, name) for name in product.get("operatingSystems") or []],
            release_date=release_date(product.get("releaseDate")),
        )

    @staticmethod
    def product_details(product: dict) -> dict:
        """The non-price fields of a listing from api.gog.com/products metadata."""
        systems = product.get("content_system_compatibility") or {}
        return {
            "title": product.get("title"),
            "kind": KINDS.get(product.get("game_type"), "other"),
            "url": (product.get("links") or {}).get("product_card"),
            "platforms": [PLATFORMS.get(name, name) for name, supported in systems.items() if supported],
            "release_date": release_date(product.get("release_date")),
        }

    @staticmethod
    def price_in(prices: list[dict], currency: str) -> dict | None:
        """The price in the storefront's currency, else the first one GOG offers for the country."""
        for price in prices:
            if price["currency"]["code"] == currency:
                return price
        return prices[0] if prices else None

    @staticmethod
    def cents(text: str, currency: str) -> str:
        """The prices API writes amounts as minor units with a currency suffix: "699 USD" is 6.99."""
        amount, _, suffix = text.partition(" ")
        if suffix and suffix != currency:
            raise ValueError(f"GOG price {text!r} is not in {currency}")
        return pricing.from_minor(int(amount), currency)
