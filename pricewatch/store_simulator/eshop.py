"""Nintendo eShop: the European Solr search, the Americas Algolia index and the price API.

Solr (searching.nintendo-europe.com/<lang>/select) answers like eshop/solr_nintendo_europe_*: response
{numFound, start, docs[] {title, nsuid_txt[], url, type, playable_on_txt}}, `rows` docs from `start`.
Algolia (u3b6gr4ua3-dsn.algolia.net/1/indexes/<index>) answers like eshop/algolia_store_game_en_us_*:
{hits[] {nsuid, title, url, platformCode, priceRange, topLevelFilters}, nbHits, page, nbPages, hitsPerPage, facets}; like the
real index it never returns hits past the first 1000 of a query (paginationLimitedTo), and takes `filters`
of the form facet:"value" AND ... and `facets` (JSON list) whose value counts it returns.
The price API (api.ec.nintendo.com/v1/price) answers like eshop/ec_price_v1_*: prices[] {title_id,
sales_status, regular_price {amount, currency, raw_value}, discount_price {...}}, at most 50 ids a call."""
import json
import re

from pricewatch.store_simulator.catalogue import REGION_CURRENCIES, offer, products
from pricewatch.store_simulator.money import formatted
from pricewatch.store_simulator.server import Answer

HOSTS = ("searching.nintendo-europe.com", "u3b6gr4ua3-dsn.algolia.net", "api.ec.nintendo.com")
NSUID_PREFIXES = {"game": "7001", "dlc": "7005", "bundle": "7007"}
PLATFORMS = ("NINTENDO_SWITCH", "NINTENDO_SWITCH_2")
PRICE_RANGES = ("Free to start", "$0 - $4.99", "$5 - $9.99", "$10 - $19.99", "$20 - $39.99", "$40+")
TOP_LEVEL_FILTERS = ("Games", "Deals", "Coming soon", "Demo available")
HIT_CAP = 1000
PRICE_BATCH = 50
FILTER = re.compile(r'(\w+):"((?:[^"\\]|\\.)*)"')


def store_item_id(product) -> str:
    return f"{NSUID_PREFIXES[product.kind]}{product.number:010d}"


class Store:
    def __init__(self, size: int):
        self.listed = sorted(products(size), key=lambda product: product.title)
        self.by_nsuid = {store_item_id(product): product for product in self.listed}

    def answer(self, request) -> Answer:
        if request.host == "api.ec.nintendo.com":
            return self.prices(request)
        if request.host.endswith("algolia.net"):
            return self.algolia(request)
        return self.solr(request)

    def solr(self, request) -> Answer:
        start, rows = int(request.arg("start", 0)), int(request.arg("rows", 10))
        docs = [{"title": product.title, "nsuid_txt": [store_item_id(product)], "type": "GAME",
                 "url": f"/en-gb/Games/Nintendo-Switch-download-software/{product.number}.html",
                 "playable_on_txt": ["HAC"], "dates_released_dts": ["2020-01-01T00:00:00Z"]}
                for product in self.listed[start:start + rows]]
        return Answer.json({"responseHeader": {"status": 0}, "response": {"numFound": len(self.listed),
                                                                          "start": start, "docs": docs}})

    @staticmethod
    def facets_of(product) -> dict:
        return {"platformCode": PLATFORMS[product.number % 2],
                "priceRange": PRICE_RANGES[product.number // 2 % len(PRICE_RANGES)],
                "topLevelFilters": TOP_LEVEL_FILTERS[product.number // 12 % len(TOP_LEVEL_FILTERS)]}

    def algolia(self, request) -> Answer:
        wanted = {name: value.replace('\\"', '"') for name, value in FILTER.findall(request.arg("filters", ""))}
        matching = [product for product in self.listed
                    if all(self.facets_of(product).get(name) == value for name, value in wanted.items())]
        per_page, page = int(request.arg("hitsPerPage", 20)), int(request.arg("page", 0))
        reachable = matching[:HIT_CAP]
        chosen = reachable[page * per_page:(page + 1) * per_page]
        counts = {}
        for name in json.loads(request.arg("facets") or "[]"):
            for product in matching:
                value = self.facets_of(product).get(name)
                if value is not None:  # Algolia counts only the values hits have
                    counts.setdefault(name, {}).setdefault(value, 0)
                    counts[name][value] += 1
        hits = [{"nsuid": store_item_id(product), "title": product.title, "url": f"/us/store/products/{product.number}/",
                 **self.facets_of(product), "objectID": str(product.number)} for product in chosen]
        return Answer.json({"hits": hits, "nbHits": len(matching), "page": page,
                            "nbPages": -(-len(reachable) // per_page), "hitsPerPage": per_page,
                            "exhaustiveNbHits": True, "facets": counts})

    def prices(self, request) -> Answer:
        region = request.arg("country", "US").upper()
        ids = request.arg("ids", "").split(",")
        if len(ids) > PRICE_BATCH:
            return Answer.json({"error": {"code": "invalid_param", "message": "too many ids"}}, status=400)
        return Answer.json({"personalized": False, "country": region,
                            "prices": [self.price(nsuid, region) for nsuid in ids]})

    def price(self, nsuid: str, region: str) -> dict:
        product = self.by_nsuid.get(nsuid)
        terms = offer(product, region) if product else None
        if terms is None or not terms.for_sale:
            return {"title_id": int(nsuid), "sales_status": "not_found"}
        currency = REGION_CURRENCIES[region]
        entry = {"title_id": int(nsuid), "sales_status": "onsale",
                 "regular_price": {"amount": formatted(terms.regular, currency), "currency": currency,
                                   "raw_value": terms.major(terms.regular)}}
        if terms.discount:
            entry["discount_price"] = {"amount": formatted(terms.final, currency), "currency": currency,
                                       "raw_value": terms.major(terms.final),
                                       "start_datetime": "2026-01-01T00:00:00Z", "end_datetime": "2027-01-01T00:00:00Z"}
        return entry
