"""Deal-post titles as r/GameDeals writes them: "[Steam] Hades (-50%)", "[GOG] Witcher 3 GOTY ($7.49 / 75% off)".

A title is a deal when it starts with a bracketed store and ends with parentheses saying a price, a discount
or "free". The parentheses hold slash- or comma-separated parts; the first part with an amount is the price
(price-parser reads it), the first "NN% off" / "-NN%" the discount. A range ("$4.99 - $19.99") or "up to NN%"
is a sale over several items, not one price, so it yields no price or no discount rather than a guess.
"""
import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from price_parser import Price

from scrapers import pricing

DEAL = re.compile(r"^\s*\[(?P<store>[^\[\]]{1,60})\]\s*(?P<rest>.+?)\s*$")
TRAILING_PARENS = re.compile(r"\s*\((?P<inside>[^()]*)\)\s*$")
DISCOUNT = re.compile(r"(?:^|[\s(/-])-?\s*(?P<percent>\d{1,3})\s*%")
UP_TO = re.compile(r"\bup\s+to\b", re.IGNORECASE)
FREE = re.compile(r"\b(?:free|100\s*%\s*off)\b", re.IGNORECASE)
RANGE = re.compile(r"\d\s*(?:-|–|to)\s*\D{0,4}\d", re.IGNORECASE)
# "/" and "," separate parts, except a decimal comma ("€7,49").
PART_SEPARATORS = re.compile(r"\s*(?:[/|;]|,(?!\d))\s*")
PLAIN_AMOUNT = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*$")
# What price-parser reports as the currency -> ISO 4217. A bare "$" on r/GameDeals means US dollars.
CURRENCY_SYMBOLS = {
    "$": "USD", "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
    "CA$": "CAD", "C$": "CAD", "CAD": "CAD", "A$": "AUD", "AU$": "AUD", "AUD": "AUD", "R$": "BRL", "BRL": "BRL",
    "¥": "JPY", "JPY": "JPY", "₩": "KRW", "KRW": "KRW", "ZŁ": "PLN", "PLN": "PLN", "₹": "INR", "INR": "INR",
}


@dataclass(frozen=True)
class Deal:
    deal_store: str
    deal_title: str
    deal_price: str | None = None
    deal_currency: str | None = None
    deal_discount_percent: int | None = None

    def fields(self) -> dict:
        return asdict(self)


def discount_of(text: str) -> int | None:
    if UP_TO.search(text):
        return None
    match = DISCOUNT.search(text)
    if match is None:
        return None
    percent = int(match.group("percent"))
    return percent if 0 <= percent <= 100 else None


def price_of(text: str) -> tuple[str | None, str | None]:
    """(amount, ISO currency) of the first part of `text` that states one amount; (None, None) when none does."""
    for part in PART_SEPARATORS.split(text):
        if "%" in part or not re.search(r"\d", part):
            continue
        if RANGE.search(part):
            return None, None
        price = Price.fromstring(part)
        if price.amount is None:
            continue
        currency = CURRENCY_SYMBOLS.get((price.currency or "").strip().upper())
        if currency is None and not PLAIN_AMOUNT.match(part):
            continue
        if currency is None:
            return str(price.amount), None
        return pricing.money(price.amount, currency), currency
    return None, None


def parse_deal_title(title: str | None) -> Deal | None:
    """The deal a post title announces, or None when the title is not a deal post."""
    match = DEAL.match(title or "")
    if match is None:
        return None
    store, rest = match.group("store").strip(), match.group("rest")
    details, name = [], rest
    while (paren := TRAILING_PARENS.search(name)) and paren.start() > 0:
        details.insert(0, paren.group("inside"))
        name = name[:paren.start()]
    price = currency = discount = None
    is_free = False
    for inside in details:
        if price is None:
            price, currency = price_of(inside)
        if discount is None:
            discount = discount_of(inside)
        is_free = is_free or bool(FREE.search(inside))
    if is_free and price is None and not RANGE.search(" ".join(details)):
        price, discount = "0", 100 if discount is None else discount
    if price is None and discount is None:
        return None
    if price is not None and Decimal(price) == 0 and currency is None:
        price = "0"
    return Deal(store, name.strip(" -–:"), price, currency, discount)
