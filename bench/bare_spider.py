"""The baseline for the crawl benchmark: a bare Scrapy spider (Scrapy's default settings, no pricewatch
component) reading the same appdetails pages with the same field lookups as pricewatch's Steam spider."""
import scrapy


class BareAppdetailsSpider(scrapy.Spider):
    name = "bare_appdetails"

    def __init__(self, base_url: str, appids: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url
        self.appids = appids.split(",")

    async def start(self):
        for appid in self.appids:
            yield scrapy.Request(f"{self.base_url}/store.steampowered.com/api/appdetails?appids={appid}&cc=us&l=english")

    def parse(self, response):
        for appid, entry in response.json().items():
            data = entry.get("data") or {}
            offer = data.get("price_overview") or {}
            yield {
                "source": "steam", "store_item_id": appid, "title": data.get("name"), "kind": data.get("type"),
                "region": "US", "currency": offer.get("currency"), "price": offer.get("final"),
                "regular_price": offer.get("initial"), "discount_percent": offer.get("discount_percent"),
                "is_free": data.get("is_free"), "platforms": [k for k, v in data.get("platforms", {}).items() if v],
                "release_date": data.get("release_date", {}).get("date"),
            }
