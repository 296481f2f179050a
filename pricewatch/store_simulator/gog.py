"""GOG catalog (catalog.gog.com/v1/catalog) shaped like gog/catalog_v1_*: {pages, productCount, products[]} with
`price.finalMoney`/`baseMoney` amounts as decimal strings ("1.49"), formatted `final`/`base`, and `price: null`
for a product not for sale; `page` counts from 1, `limit` products a page. Ordered by title, except
"trending", which, as on the live site, moves products between pages while a crawl reads them (here: by one
product per request). The homepage sections (sections.gog.com) list no giveaway."""
import itertools

from pricewatch.store_simulator.catalogue import REGION_CURRENCIES, offer, products
from pricewatch.store_simulator.money import formatted
from pricewatch.store_simulator.server import Answer

HOSTS = ("catalog.gog.com", "sections.gog.com")
KINDS = {"game": "game", "dlc": "dlc", "bundle": "pack"}
MAX_LIMIT = 100
FIRST_ID = 1200000000


def store_item_id(product) -> str:
    return str(FIRST_ID + product.number)


class Store:
    def __init__(self, size: int):
        self.listed = sorted(products(size), key=lambda product: product.title)
        self.requests = itertools.count()

    def answer(self, request) -> Answer:
        if request.host == "sections.gog.com":
            return Answer.json({"sections": []})
        region = request.arg("countryCode", "US").upper()
        currency = request.arg("currencyCode") or REGION_CURRENCIES[region]
        limit = min(int(request.arg("limit", 48)), MAX_LIMIT)
        page = int(request.arg("page", 1))
        listed = self.listed
        if "trending" in request.arg("order", ""):
            shift = next(self.requests) % len(listed)
            listed = listed[shift:] + listed[:shift]
        chosen = listed[(page - 1) * limit:page * limit]
        return Answer.json({"pages": -(-len(listed) // limit), "productCount": len(listed),
                            "products": [self.product(product, region, currency) for product in chosen]})

    def product(self, product, region: str, currency: str) -> dict:
        terms = offer(product, region)
        price = None
        if terms.for_sale:
            price = {"final": formatted(terms.final, currency), "base": formatted(terms.regular, currency),
                     "discount": f"-{terms.discount}%" if terms.discount else None,
                     "finalMoney": {"amount": terms.major(terms.final), "currency": currency,
                                    "discount": terms.major(terms.regular - terms.final)},
                     "baseMoney": {"amount": terms.major(terms.regular), "currency": currency}}
        slug = product.title.lower().replace(" ", "_")
        return {"id": store_item_id(product), "slug": slug, "title": product.title,
                "productType": KINDS[product.kind], "price": price, "operatingSystems": ["windows"],
                "releaseDate": "2020.01.01", "storeLink": f"https://www.gog.com/en/game/{slug}"}
