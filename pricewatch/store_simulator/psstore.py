"""PlayStation Store GraphQL `categoryGridRetrieve` (web.np.playstation.com/api/graphql/v1/op, persisted-query
GET, locale in the `x-psn-store-locale-override` header) shaped like
psstore/graphql_categoryGridRetrieve_kr_krw_6concepts_TRIMMED_edited.json: data.categoryGridRetrieve
{concepts[] {id, name, price {basePrice, discountedPrice, discountText, isFree, serviceBranding}, products[]},
pageInfo {isLast, offset, size, totalCount}}. Prices are text only ("₩ 21,800", "$1,529.70", "Free",
"Not available"), as on the real grid."""
from pricewatch.store_simulator.catalogue import REGION_CURRENCIES, offer, products
from pricewatch.store_simulator.money import formatted
from pricewatch.store_simulator.server import Answer

HOSTS = ("web.np.playstation.com",)
MAX_SIZE = 1000
FIRST_CONCEPT = 10000000


def store_item_id(product) -> str:
    return str(FIRST_CONCEPT + product.number)


class Store:
    def __init__(self, size: int):
        self.listed = products(size)

    def answer(self, request) -> Answer:
        if request.arg("operationName") != "categoryGridRetrieve":
            return Answer.json({"errors": [{"message": "PersistedQueryNotFound"}], "data": None})
        region = request.headers.get("x-psn-store-locale-override", "en-us").rsplit("-", 1)[-1].upper()
        page = request.json_arg("variables").get("pageArgs") or {}
        size, start = min(int(page.get("size", 24)), MAX_SIZE), int(page.get("offset", 0))
        chosen = self.listed[start:start + size]
        return Answer.json({"data": {"categoryGridRetrieve": {
            "__typename": "CategoryGrid", "concepts": [self.concept(product, region) for product in chosen],
            "products": None,
            "pageInfo": {"__typename": "PageInfo", "isLast": start + size >= len(self.listed), "offset": start,
                         "size": size, "totalCount": len(self.listed)}}}})

    def concept(self, product, region: str) -> dict:
        terms = offer(product, region)
        currency = REGION_CURRENCIES[region]
        if not terms.for_sale:
            base = final = "Not available"
        elif terms.free:
            base = final = "Free"
        else:
            base, final = formatted(terms.regular, currency), formatted(terms.final, currency)
        return {"__typename": "Concept", "id": store_item_id(product), "name": product.title,
                "price": {"basePrice": base, "discountedPrice": final,
                          "discountText": f"-{terms.discount}%" if terms.discount else None,
                          "isFree": terms.for_sale and terms.free, "serviceBranding": ["NONE"]},
                "products": [{"__typename": "Product", "id": f"UP0000-PPSA{product.number:05d}_00-SIMULATED0000000"}]}
