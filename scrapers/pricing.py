"""Money as the feed contract wants it: decimal strings in major units of an ISO 4217 currency.

Stores disagree on units (Steam: hundredths for every currency, Epic: minor units with a decimals field,
GOG and eShop: decimal strings, some pages only a formatted string). Numbers are always preferred over
formatted text; text goes through price-parser, never through hand-made regexes.
"""
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from price_parser import Price

from contracts import currencies


def minor_units(currency: str) -> int:
    """Digits after the decimal point for `currency` (ISO 4217); unknown codes are an error."""
    try:
        return currencies()[currency.upper()]
    except KeyError:
        raise ValueError(f"unknown currency {currency!r}") from None


def money(amount, currency: str) -> str:
    """A decimal amount in major units, written with the currency's own number of decimals."""
    value = Decimal(str(amount))
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return str(value.quantize(exponent, rounding=ROUND_HALF_UP))


def from_minor(amount, currency: str, decimals: int | None = None) -> str:
    """An integer count of minor units (e.g. cents) as major units; `decimals` when the store states its own."""
    digits = minor_units(currency) if decimals is None else int(decimals)
    return money(Decimal(int(amount)).scaleb(-digits), currency)


# The last separator in a number and the digits after it ("1.234,56" -> ",", "56").
LAST_GROUP = re.compile(r"([.,'\u00a0\u202f ])(\d+)$")


def from_text(text: str, currency: str | None = None) -> Decimal | None:
    """The amount in a formatted price ("14,99€", "₩ 16,000", "$1.49", "KD 1.250"), or None when there is none.

    price-parser reads a lone separator before three digits as thousands, which is right for "₩ 16,000" but
    wrong for the three-decimal dinars ("KD 1.250" is 1.250); and "¥1.980" is 1980 yen, not 1.98. So when the
    currency is known its ISO 4217 digits decide: a zero-decimal currency has no decimals unless two or fewer
    digits close the number, a three-decimal currency's last separator before exactly three digits is the
    decimal point."""
    if text is None:
        return None
    try:
        price = Price.fromstring(str(text), currency_hint=currency)
    except InvalidOperation:
        return None
    if price.amount is None or not currency or currency.upper() not in currencies():
        return price.amount
    number = (price.amount_text or "").strip()
    last = LAST_GROUP.search(number)
    digits = minor_units(currency)
    if digits == 0 and last and len(last.group(2)) == 3:
        return Decimal(re.sub(r"\D", "", number))
    if digits == 3 and last and len(last.group(2)) == 3:
        whole = re.sub(r"\D", "", number[:last.start()]) or "0"
        return Decimal(f"{whole}.{last.group(2)}")
    return price.amount


def discount_percent(regular, price) -> int:
    """Discount from two prices, rounded half up to a whole percent (0 when either is missing or zero)."""
    if regular in (None, "") or price in (None, ""):
        return 0
    regular, price = Decimal(str(regular)), Decimal(str(price))
    if regular <= 0 or price >= regular:
        return 0
    return int(((regular - price) * 100 / regular).quantize(Decimal(1), rounding=ROUND_HALF_UP))
