"""Steam store prices per region.

Whole-catalogue crawl: the store search (`search/results/?infinite=1`, JSON `results_html` pages of up to 100
rows) per region (`cc=`) and per category (games, DLC, bundles: PRICEWATCH_STEAM_SEARCH_CATEGORIES, which
say the kind), sorted by name so pages hold still while the crawl runs. Each row is a listing: app id or
bundle/package id, title, `data-price-final` (hundredths, KRW and JPY included), `data-discount` and the
struck-out regular price. Rows name no currency code: the storefront's currency is
PRICEWATCH_STEAM_CURRENCIES[region], and a region missing there is skipped (and fails the crawl's health).
`total_count` of each category's first page is the store's total for coverage.

A watch list (`appids=`) is priced with `api/appdetails?appids=<id>&cc=<region>` instead (title, game vs DLC);
featuredcategories specials (PRICEWATCH_STEAM_FEATURED) are priced that way too, keeping the discount's end.
Callbacks also read multi-app `filters=price_overview` responses and IStoreBrowseService/GetItems.

Arguments: regions=US,GB,DE  appids=413150,1245620 (price these instead of searching)
           pages=N (search pages per region and category, default PRICEWATCH_STEAM_SEARCH_PAGES; 0 = all)
"""
import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

from scrapy import Request
from scrapy.http import TextResponse
from w3lib.url import add_or_replace_parameters, url_query_cleaner

from scrapers.items import store_listing
from scrapers.pricing import discount_percent, from_minor, from_text, money
from scrapers.spiders import StoreSpider

STORE = "https://store.steampowered.com"
APPDETAILS = f"{STORE}/api/appdetails"
FEATURED = f"{STORE}/api/featuredcategories"
KINDS = {"game": "game", "dlc": "dlc"}
# Search row item keys: App_<appid>, Bundle_<bundleid>, Sub_<packageid>; bundles and packages have ids of
# their own number space, so their listings are "bundle/<id>" and "sub/<id>" (their store paths).
ROW_KEYS = {"App": "", "Bundle": "bundle/", "Sub": "sub/"}
ROW_PLATFORMS = {"win": "windows", "mac": "mac", "linux": "linux"}
# GetItems item_type: 0 app (game or DLC: not told), 1 package, 2 bundle.
STORE_ITEM_KINDS = {1: "bundle", 2: "bundle"}
# GetItems answers with kopecks and a formatted string but no currency code; only symbols that name exactly
# one currency are trusted, other items are skipped and counted.
UNAMBIGUOUS_SYMBOLS = {"руб": "RUB", "₽": "RUB", "₴": "UAH", "₩": "KRW", "€": "EUR", "£": "GBP", "₹": "INR",
                       "zł": "PLN", "₸": "KZT", "₺": "TRY", "₫": "VND", "฿": "THB"}


def app_url(appid) -> str:
    return f"{STORE}/app/{appid}/"


def without_tracking(url: str) -> str:
    """A store URL without Steam's `snr` navigation-tracking parameter."""
    return url_query_cleaner(url, ["snr"], remove=True)


def platforms_of(flags: dict) -> list[str]:
    return [name for name, available in (flags or {}).items() if available is True]


def stated_or_implied(stated, regular, price) -> int:
    """The discount Steam states; when it states none, the one its two prices give (a 0 there would contradict
    them, and the loader rejects a discount that does)."""
    return int(stated) if stated not in (None, "") else discount_percent(regular, price)


def iso_from_unix(seconds) -> str | None:
    if not seconds:
        return None
    return datetime.fromtimestamp(int(seconds), timezone.utc).isoformat().replace("+00:00", "Z")


def currency_from_formatted(text: str | None) -> str | None:
    symbols = [code for symbol, code in UNAMBIGUOUS_SYMBOLS.items() if symbol in (text or "")]
    return symbols[0] if len(set(symbols)) == 1 else None


class SteamSpider(StoreSpider):
    name = "steam"
    allowed_domains = ["store.steampowered.com", "api.steampowered.com"]

    def __init__(self, *args, appids=None, pages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.appids = [appid.strip() for appid in (appids or "").split(",") if appid.strip()]
        self.pages = int(pages) if pages else None

    @property
    def age_cookies(self) -> dict:
        """Cookies that answer Steam's age gate (birth date far in the past, mature content shown)."""
        return self.settings.getdict("PRICEWATCH_STEAM_AGE_COOKIES")

    def appdetails(self, appid, region, **meta) -> Request:
        url = add_or_replace_parameters(APPDETAILS, {
            "appids": str(appid), "cc": region.lower(), "l": self.settings.get("PRICEWATCH_STEAM_LANGUAGE")})
        return Request(url, callback=self.parse_appdetails, cookies=self.age_cookies, meta={"region": region, **meta})

    def search(self, region: str, category: str, start: int, page: int) -> Request:
        url = add_or_replace_parameters(self.settings.get("PRICEWATCH_STEAM_SEARCH_URL"), {
            "start": str(start), "count": str(self.settings.getint("PRICEWATCH_STEAM_SEARCH_PAGE_SIZE")),
            "category1": category, "cc": region.lower()})
        return Request(url, callback=self.parse_search, cookies=self.age_cookies,
                       meta={"region": region, "page": page})

    def kind_of_category(self, category: str | None) -> str:
        kinds = {value: kind for kind, value in self.settings.getdict("PRICEWATCH_STEAM_SEARCH_CATEGORIES").items()}
        return kinds.get(category, "other")

    async def start(self):
        if self.appids:
            for appid in self.appids:
                for region in self.regions:
                    yield self.appdetails(appid, region)
            return
        currencies = self.settings.getdict("PRICEWATCH_STEAM_CURRENCIES")
        for region in self.regions:
            if region not in currencies:
                self.coverage.skip(region, "no currency in PRICEWATCH_STEAM_CURRENCIES (search rows name none)")
                continue
            for category in self.settings.getdict("PRICEWATCH_STEAM_SEARCH_CATEGORIES").values():
                yield self.search(region, category, 0, 1)
        if self.settings.getbool("PRICEWATCH_STEAM_FEATURED"):
            for region in self.regions:
                yield Request(add_or_replace_parameters(FEATURED, {"cc": region.lower()}),
                              callback=self.parse_featured, meta={"region": region})

    def callback_for(self, response):
        path = urlsplit(response.url).path
        if path.startswith("/api/appdetails"):
            return self.parse_appdetails
        if path.startswith("/api/featuredcategories"):
            return self.parse_featured
        if "IStoreBrowseService/GetItems" in path:
            return self.parse_store_items
        if path.startswith("/search"):
            return self.parse_search
        return self.callback_by_content(response)

    def callback_by_content(self, response):
        """For saved files without their URL: tell the page kind by its shape."""
        text = response.text.lstrip()
        if not text.startswith("{"):
            if "search_result_row" in text:
                return self.parse_search
            raise ValueError(f"not a Steam page this spider reads: {response.url}")
        data = json.loads(text)
        if "results_html" in data:
            return self.parse_search
        if "specials" in data:
            return self.parse_featured
        if "store_items" in data.get("response", {}):
            return self.parse_store_items
        if any(key.isdigit() for key in data):
            return self.parse_appdetails
        raise ValueError(f"not a Steam page this spider reads: {response.url}")

    def region_of(self, response) -> str:
        region = super().region_of(response)
        if region is None and "input_json" in response.url:
            context = json.loads(parse_qs(urlsplit(response.url).query)["input_json"][0]).get("context", {})
            region = (context.get("country_code") or "").upper() or None
        if region is None:
            raise ValueError(f"cannot tell the storefront region of {response.url}; give it (cc=, --region)")
        return region

    def parse_search(self, response):
        """Search results: JSON {results_html, total_count, start} or the HTML rows themselves; every row with
        a price block is a listing of the response's region, then the next page of the same category."""
        region = self.region_of(response)
        query = parse_qs(urlsplit(response.url).query)
        category = query.get("category1", [None])[0]
        kind = self.kind_of_category(category)
        if response.text.lstrip().startswith("{"):
            data = response.json()
            rows = TextResponse(url=response.url, body=data.get("results_html") or "", encoding="utf-8")
        else:
            data, rows = {}, response
        currency = self.settings.getdict("PRICEWATCH_STEAM_CURRENCIES").get(region)
        start = int(query.get("start", [data.get("start", 0)])[0])
        if start == 0 and data.get("total_count") is not None:
            self.coverage.expect(region, int(data["total_count"]), part=kind)
        found = rows.css("a.search_result_row")
        for row in found:
            item = self.row_listing(row, region, currency, kind)
            if item and self.coverage.first_time(region, item["store_item_id"]):
                yield item
        count = int(query.get("count", ["0"])[0])
        page = response.meta.get("page", 1)
        max_pages = self.pages if self.pages is not None else self.settings.getint("PRICEWATCH_STEAM_SEARCH_PAGES")
        if found and count and start + count < int(data.get("total_count") or 0) \
                and (not max_pages or page < max_pages):
            yield self.search(region, category, start + count, page + 1)

    def row_listing(self, row, region: str, currency: str | None, kind: str) -> dict | None:
        """A search row: `data-price-final` hundredths; no price block means not for sale."""
        key_kind, _, number = (row.attrib.get("data-ds-itemkey") or "").partition("_")
        if key_kind not in ROW_KEYS or not number.isdigit():
            self.crawler.stats.inc_value("steam/search/unknown_rows")
            return None
        final = row.css("[data-price-final]::attr(data-price-final)").get()
        priced = bool(final and final.isdigit() and currency)
        price = from_minor(int(final), currency, 2) if priced else None
        original = from_text(row.css(".discount_original_price::text").get(), currency) if priced else None
        regular = money(original, currency) if original is not None else price
        href = row.attrib.get("href")
        return store_listing(
            source=self.name,
            store_item_id=f"{ROW_KEYS[key_kind]}{number}",
            title=row.css("span.title::text").get("").strip(),
            kind="bundle" if key_kind != "App" else kind,
            url=without_tracking(href) if href else None,
            region=region,
            currency=currency if priced else None,
            price=price,
            regular_price=regular,
            discount_percent=stated_or_implied(row.css("[data-discount]::attr(data-discount)").get(), regular, price),
            is_free=priced and int(final) == 0,
            platforms=[ROW_PLATFORMS[name] for name in ROW_PLATFORMS
                       if row.css(f"span.platform_img.{name}")],
            release_date=" ".join(row.css(".search_released::text").get("").split()) or None,
        )

    def parse_featured(self, response):
        """featuredcategories: the specials are priced through appdetails, keeping the discount's end."""
        region = self.region_of(response)
        for special in response.json().get("specials", {}).get("items", []):
            if special.get("type") == 0:
                yield self.appdetails(special["id"], region, discount_ends_at=iso_from_unix(special.get("discount_expiration")))

    def parse_appdetails(self, response):
        """appdetails for one app (full data) or several (filters=price_overview: prices only)."""
        region = self.region_of(response)
        for appid, entry in response.json().items():
            if not appid.isdigit():
                continue
            if not entry.get("success"):
                self.crawler.stats.inc_value("steam/appdetails/unavailable")
                continue
            yield self.app_listing(appid, entry.get("data") or {}, region, response.meta)

    def app_listing(self, appid, data: dict, region: str, meta) -> dict:
        offer = data.get("price_overview")
        is_free = bool(data.get("is_free"))
        currency = offer["currency"] if offer else None
        if is_free and not currency:
            currency = self.settings.getdict("PRICEWATCH_STEAM_CURRENCIES").get(region)
        if offer:
            price, regular = from_minor(offer["final"], currency, 2), from_minor(offer["initial"], currency, 2)
        elif is_free:
            price = regular = money(0, currency) if currency else "0"
        else:
            price = regular = None
        release = data.get("release_date") or {}
        return store_listing(
            source=self.name,
            store_item_id=appid,
            title=data.get("name") or meta.get("title") or "",
            kind=KINDS.get(data.get("type"), "other" if data.get("type") else meta.get("kind", "other")),
            url=app_url(appid),
            region=region,
            currency=currency,
            price=price,
            regular_price=regular,
            discount_percent=offer.get("discount_percent", 0) if offer else 0,
            is_free=is_free,
            platforms=platforms_of(data.get("platforms")),
            release_date=release.get("date") or None,
            discount_ends_at=meta.get("discount_ends_at") if offer and offer.get("discount_percent") else None,
        )

    def parse_store_items(self, response):
        """IStoreBrowseService/GetItems: success 1 priced (or not for sale), 15 = not sold in this region."""
        region = self.region_of(response)
        for item in response.json().get("response", {}).get("store_items", []):
            if item.get("success") != 1:
                continue
            offer = item.get("best_purchase_option")
            currency = currency_from_formatted(offer.get("formatted_final_price")) if offer else None
            if offer and currency is None:
                self.crawler.stats.inc_value("steam/store_items/unknown_currency")
                continue
            final = offer.get("final_price_in_cents") if offer else None
            original = offer.get("original_price_in_cents", final) if offer else None
            discounts = (offer or {}).get("active_discounts") or [{}]
            price = from_minor(final, currency, 2) if offer else None
            regular = from_minor(original, currency, 2) if offer else None
            yield store_listing(
                source=self.name,
                store_item_id=item.get("appid") or item["id"],
                title=item.get("name"),
                kind=STORE_ITEM_KINDS.get(item.get("item_type"), "other"),
                url=without_tracking(f"{STORE}/{item['store_url_path']}/") if item.get("store_url_path") else None,
                region=region,
                currency=currency,
                price=price,
                regular_price=regular,
                discount_percent=stated_or_implied((offer or {}).get("discount_pct"), regular, price),
                is_free=False,
                discount_ends_at=iso_from_unix(discounts[0].get("discount_end_date")),
            )
