"""The generated catalogue: `count` products per store, each priced in every region's currency.

Prices are chosen to exercise money handling: whole amounts in zero-decimal currencies (KRW, JPY), three
decimals (KWD), thousands separators (every 7th product costs 30 times more), free products, products not
for sale, and discounts from 10% to 90%. `expected` says what a correct spider reports for each listing.
"""
from dataclasses import dataclass
from decimal import Decimal

from contracts import currencies

REGION_CURRENCIES = {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FI": "EUR", "FR": "EUR", "KR": "KRW",
                     "JP": "JPY", "KW": "KWD", "BR": "BRL", "PL": "PLN"}
KINDS = ("game",) * 6 + ("dlc",) * 3 + ("bundle",)
DISCOUNTS = (0, 0, 10, 25, 50, 75, 90)
# Smallest step and the tail of a price per number of minor units: $x.99, ₩x,800, ¥x,x80, KD x.250.
PRICE_SHAPES = {2: (100, 99), 0: (1000, 800), 3: (1000, 250)}
JPY_SHAPE = (100, 80)


@dataclass(frozen=True)
class Product:
    number: int
    kind: str
    title: str


@dataclass(frozen=True)
class Offer:
    currency: str
    regular: int | None  # minor units; None: not for sale
    final: int | None

    @property
    def for_sale(self) -> bool:
        return self.regular is not None

    @property
    def free(self) -> bool:
        return self.final == 0

    @property
    def discount(self) -> int:
        if not self.for_sale or not self.regular:
            return 0
        return round((self.regular - self.final) * 100 / self.regular)

    def major(self, amount: int | None) -> str | None:
        if amount is None:
            return None
        digits = currencies()[self.currency]
        return str(Decimal(amount).scaleb(-digits).quantize(Decimal(1).scaleb(-digits)))


def products(count: int) -> list[Product]:
    return [Product(number, KINDS[number % len(KINDS)], f"Simulated {KINDS[number % len(KINDS)].title()} {number:06d}")
            for number in range(1, count + 1)]


def offer(product: Product, region: str) -> Offer:
    currency = REGION_CURRENCIES[region]
    number = product.number
    if number % 97 == 0:
        return Offer(currency, 0, 0)
    if number % 89 == 0:
        return Offer(currency, None, None)
    digits = currencies()[currency]
    step, tail = JPY_SHAPE if currency == "JPY" else PRICE_SHAPES[digits]
    regular = (number % 50 + 1) * step + tail
    if number % 7 == 0:
        regular *= 30
    discount = DISCOUNTS[number % len(DISCOUNTS)]
    return Offer(currency, regular, regular * (100 - discount) // 100)


def expected(store_ids: dict, count: int, region: str) -> dict:
    """{store item id: (currency, price, regular price, is_free)} of every listing a crawl should report."""
    listings = {}
    for product in products(count):
        terms = offer(product, region)
        listings[store_ids(product)] = ((terms.currency if terms.for_sale else None), terms.major(terms.final),
                                        terms.major(terms.regular), terms.for_sale and terms.free)
    return listings
