"""Deal-post titles in the styles r/GameDeals uses, including the odd ones, through scrapers.deals."""
import pytest

from scrapers.deals import Deal, parse_deal_title

DEALS = [
    ("[Steam] Hades (-50%)", Deal("Steam", "Hades", None, None, 50)),
    ("[GOG] Witcher 3 GOTY ($7.49 / 75% off)", Deal("GOG", "Witcher 3 GOTY", "7.49", "USD", 75)),
    ("[Steam] Portal 2 (£1.79 / 90% off)", Deal("Steam", "Portal 2", "1.79", "GBP", 90)),
    ("[Steam] Hollow Knight (€7,49 / -50%)", Deal("Steam", "Hollow Knight", "7.49", "EUR", 50)),
    ("[GOG] Cyberpunk 2077 (CA$ 39.99/50% off)", Deal("GOG", "Cyberpunk 2077", "39.99", "CAD", 50)),
    ("[Steam] Stardew Valley (9.99 USD / 40%)", Deal("Steam", "Stardew Valley", "9.99", "USD", 40)),
    ("[Steam] Stardew Valley (9.99 / 40%)", Deal("Steam", "Stardew Valley", "9.99", None, 40)),
    ("[Steam] Half-Life 2 ($0.98 / -90%)", Deal("Steam", "Half-Life 2", "0.98", "USD", 90)),
    ("[Nuuvem] Elden Ring (R$ 99,95 / 60% off)", Deal("Nuuvem", "Elden Ring", "99.95", "BRL", 60)),
    ("[Steam] Wiedźmin 3 (24,99 zł / -80%)", Deal("Steam", "Wiedźmin 3", "24.99", "PLN", 80)),
    ("[Steam] Cities: Skylines ($1,000.00)", Deal("Steam", "Cities: Skylines", "1000.00", "USD", None)),
    # Free: price 0 and 100% off, whatever the wording.
    ("[Epic Games] Control (Free)", Deal("Epic Games", "Control", "0", None, 100)),
    ("[Epic Games] Hollow Knight (Free / 100% off)", Deal("Epic Games", "Hollow Knight", "0", None, 100)),
    ("[Prime Gaming] Fallout 76 (FREE with Prime)", Deal("Prime Gaming", "Fallout 76", "0", None, 100)),
    # A platform in parentheses is not a price; the price parentheses come last.
    ("[Amazon] Zelda: Tears of the Kingdom (Switch) ($49.99 / 29% off)",
     Deal("Amazon", "Zelda: Tears of the Kingdom", "49.99", "USD", 29)),
    # Bundles: a tier price with a game count, a pay-what-you-want minimum.
    ("[Humble Bundle] Humble Choice November ($11.99 / 8 games)",
     Deal("Humble Bundle", "Humble Choice November", "11.99", "USD", None)),
    ("[Itch.io] Pay what you want bundle ($5+)", Deal("Itch.io", "Pay what you want bundle", "5.00", "USD", None)),
    # A range or "up to" describes a sale of several items: no single price or discount is invented.
    ("[Fanatical] Build your own bundle ($2.99 - $8.99 / 75% off)",
     Deal("Fanatical", "Build your own bundle", None, None, 75)),
    ("[GOG] Witcher series ($9.99 / up to 85% off)", Deal("GOG", "Witcher series", "9.99", "USD", None)),
]
NOT_DEALS = [
    "[Fanatical] Build your own bundle ($2.99 - $8.99 / up to 80% off)",
    "[Steam] Summer Sale (Various)",
    "[Steam] Dota 2 (F2P)",
    "[PC] [H] Parallax [W] 12 keys",
    "[World] - Around 1.8 million Nigerians in Boko Haram region at risk of starvation: WFP",
    "Hades on sale (-50%)",
    "Weekly Deals Discussion Thread & Q&A",
    "",
    None,
]


@pytest.mark.parametrize(("title", "deal"), DEALS)
def test_deal_titles(title, deal):
    assert parse_deal_title(title) == deal


@pytest.mark.parametrize("title", NOT_DEALS)
def test_titles_without_a_price_discount_or_free_are_not_deals(title):
    assert parse_deal_title(title) is None


def test_fields_are_the_news_item_deal_fields():
    assert parse_deal_title("[Steam] Hades (-50%)").fields() == {
        "deal_store": "Steam", "deal_title": "Hades", "deal_price": None, "deal_currency": None,
        "deal_discount_percent": 50}
