"""Epic Games Store GraphQL `searchStore` (store.epicgames.com/graphql, GET with operationName, variables and
query) shaped like epic/graphql_searchStore_*: data.Catalog.searchStore {elements[], paging {count, total}};
`price.totalPrice` {discountPrice, originalPrice} in minor units with `currencyCode` and
`currencyInfo.decimals`, `price: null` for an offer not for sale; `start`/`count` page the catalogue. The
weekly free-games feed answers the same shape with no element. With `errors_every=N`, every Nth catalogue
page answers 200 with a GraphQL `errors` list and no data, as Epic does when a query stops fitting its schema."""
import itertools

from contracts import currencies
from pricewatch.store_simulator.catalogue import REGION_CURRENCIES, offer, products
from pricewatch.store_simulator.server import Answer

HOSTS = ("store.epicgames.com", "store-site-backend-static.ak.epicgames.com")
OFFER_TYPES = {"game": "BASE_GAME", "dlc": "DLC", "bundle": "BUNDLE"}
MAX_COUNT = 1000


def store_item_id(product) -> str:
    return f"{product.number:032x}"


def search_store(elements: list, total: int) -> dict:
    return {"data": {"Catalog": {"searchStore": {"elements": elements,
                                                 "paging": {"count": len(elements), "total": total}}}}}


class Store:
    def __init__(self, size: int, errors_every: int = 0):
        self.listed = products(size)
        self.errors_every = errors_every
        self.pages = itertools.count(1)

    def answer(self, request) -> Answer:
        if request.host != "store.epicgames.com":
            return Answer.json(search_store([], 0))
        if self.errors_every and next(self.pages) % self.errors_every == 0:
            return Answer.json({"errors": [{"message": "Cannot query field \"releaseDate\" on type \"CatalogOffer\"",
                                            "locations": [{"line": 5, "column": 23}]}], "data": None})
        variables = request.json_arg("variables")
        region = variables["country"].upper()
        start, count = int(variables.get("start", 0)), min(int(variables.get("count", 40)), MAX_COUNT)
        chosen = self.listed[start:start + count]
        return Answer.json(search_store([self.element(product, region) for product in chosen], len(self.listed)))

    def element(self, product, region: str) -> dict:
        terms = offer(product, region)
        slug = product.title.lower().replace(" ", "-")
        price = None
        if terms.for_sale:
            price = {"totalPrice": {"discountPrice": terms.final, "originalPrice": terms.regular,
                                    "currencyCode": REGION_CURRENCIES[region],
                                    "currencyInfo": {"decimals": currencies()[REGION_CURRENCIES[region]]}},
                     "lineOffers": [{"appliedRules": []}]}
        return {"id": store_item_id(product), "title": product.title, "offerType": OFFER_TYPES[product.kind],
                "productSlug": slug, "releaseDate": "2020-01-01T00:00:00.000Z",
                "catalogNs": {"mappings": [{"pageSlug": slug, "pageType": "productHome"}]}, "offerMappings": [],
                "price": price, "promotions": None}
