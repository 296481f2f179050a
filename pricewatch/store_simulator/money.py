"""Prices written the way store pages write them: symbol, thousands separator and decimals of each currency."""
from contracts import currencies

# currency -> (pattern, thousands separator, decimal separator)
FORMATS = {
    "USD": ("${}", ",", "."), "CAD": ("CDN$ {}", ",", "."), "GBP": ("£{}", ",", "."), "EUR": ("{}€", ".", ","),
    "KRW": ("₩ {}", ",", "."), "JPY": ("¥ {}", ",", "."), "KWD": ("{} KD", ",", "."), "BRL": ("R$ {}", ".", ","),
    "PLN": ("{}zł", " ", ","),
}


def formatted(minor: int, currency: str) -> str:
    pattern, thousands, decimal = FORMATS[currency]
    digits = currencies()[currency]
    whole, fraction = divmod(minor, 10 ** digits)
    number = f"{whole:,}".replace(",", thousands)
    if digits:
        number += decimal + f"{fraction:0{digits}d}"
    return pattern.format(number)
