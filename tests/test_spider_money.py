"""Money in every store's format: zero-decimal currencies (JPY, KRW), three decimals (KWD), thousands separators,
free, not for sale, subscription-only. Recorded cases come from ../shared/corpus; where no recording has the
case, a hand-made fixture written from the store's documented format (tests/fixtures/handmade_*_money_cases.json)
stands in, and the case says so. Stores that never sell in a currency kind have no case for it: Steam, GOG and
the eShop price no storefront in a three-decimal currency (Kuwait and Bahrain pay in USD there), GOG sells
nothing in JPY or KRW (Korea pays USD: gog/api_products_prices_batch_kr_usd_*), and only the PlayStation
Store has subscription-only prices. Price text (PlayStation grid, Steam's struck-out price) is read by
scrapers.pricing.from_text, whose cases below include the three-decimal dinars no store page here shows."""
import pytest

from foundation import config
from pricewatch.commands.parse import parse_file
from pricewatch.replay import HANDMADE_DIR
from scrapers.pipelines.validation import contract_errors
from scrapers.pricing import from_text
from scrapers.settings import PRICEWATCH_ITEM_SCHEMAS

STEAM_SEARCH = "https://store.steampowered.com/search/results/?query&start=0&count=100&infinite=1&category1=998"
PS_GRID = ("https://web.np.playstation.com/api/graphql/v1/op?operationName=categoryGridRetrieve"
           "&variables=%7B%22id%22%3A%22games%22%7D")
PS_PRODUCT = "https://web.np.playstation.com/api/graphql/v1/op?operationName=productRetrieve"
EPIC = "https://store.epicgames.com/graphql?operationName=searchStoreQuery"
ESHOP_PRICE = "https://api.ec.nintendo.com/v1/price?lang=en"
GOG_CATALOG = "https://catalog.gog.com/v1/catalog?page=1"

CASES = [
    # case, store, file (corpus path, or handmade: fixture), url, region, store item id,
    # (currency, price, regular price, is_free, subscription)
    ("KRW recorded", "steam", "steam/search_results_fragment_kr_krw_25rows_discounted.html",
     f"{STEAM_SEARCH}&cc=kr", "KR", "1478500", ("KRW", "16350", "21800", False, None)),
    ("JPY hand-made", "steam", "handmade:handmade_steam_search_jp_jpy_money_cases.json", f"{STEAM_SEARCH}&cc=jp",
     "JP", "1001", ("JPY", "1980", "2480", False, None)),
    ("JPY thousands hand-made", "steam", "handmade:handmade_steam_search_jp_jpy_money_cases.json",
     f"{STEAM_SEARCH}&cc=jp", "JP", "1002", ("JPY", "12980", "12980", False, None)),
    ("free hand-made", "steam", "handmade:handmade_steam_search_jp_jpy_money_cases.json", f"{STEAM_SEARCH}&cc=jp",
     "JP", "1003", ("JPY", "0", "0", True, None)),
    ("not for sale hand-made", "steam", "handmade:handmade_steam_search_jp_jpy_money_cases.json",
     f"{STEAM_SEARCH}&cc=jp", "JP", "1004", (None, None, None, False, None)),
    ("KRW appdetails recorded", "steam", "steam/appdetails_413150_stardew_krw_trimmed.json",
     "https://store.steampowered.com/api/appdetails?appids=413150&cc=kr", "KR", "413150",
     ("KRW", "16000", "16000", False, None)),

    ("KRW recorded", "psstore", "psstore/graphql_categoryGridRetrieve_kr_krw_6concepts_TRIMMED_edited.json", PS_GRID,
     "KR", "10000730", ("KRW", "112800", "112800", False, None)),
    ("free recorded", "psstore", "psstore/graphql_categoryGridRetrieve_kr_krw_6concepts_TRIMMED_edited.json", PS_GRID,
     "KR", "10002427", ("KRW", "0", "0", True, None)),
    ("not for sale recorded", "psstore",
     "psstore/graphql_categoryGridRetrieve_products_fi_eur_6_discounted_and_unavailable_TRIMMED_2026-05.json",
     PS_GRID, "FI", "EP8424-PPSA34421_00-CTS26EXPERTUPG01", (None, None, None, False, None)),
    ("KRW values recorded", "psstore",
     "psstore/graphql_productRetrieve_kr_krw_tekken8_season3_pass_dlc_full_price_basePriceValue_eq_won_2026.json",
     PS_PRODUCT, "KR", "HP0700-PPSA10593_00-TK8S3CHARASTPASS", ("KRW", "33800", "33800", False, None)),
    ("JPY hand-made", "psstore", "handmade:handmade_psstore_grid_jp_jpy_money_cases.json", PS_GRID, "JP",
     "20000001", ("JPY", "1984", "2480", False, None)),
    ("free JPY hand-made", "psstore", "handmade:handmade_psstore_grid_jp_jpy_money_cases.json", PS_GRID, "JP",
     "20000002", ("JPY", "0", "0", True, None)),
    ("not for sale hand-made", "psstore", "handmade:handmade_psstore_grid_jp_jpy_money_cases.json", PS_GRID, "JP",
     "20000003", (None, None, None, False, None)),
    ("subscription-only hand-made", "psstore", "handmade:handmade_psstore_grid_jp_jpy_money_cases.json", PS_GRID,
     "JP", "20000004", ("JPY", "0", "1100", True, "PS_PLUS")),

    ("KRW decimals 0 recorded", "epic",
     "epic/graphql_searchStore_catalog_kr_krw_decimals0_3_elements_full_price_total6990_2026.json",
     f"{EPIC}&variables=%7B%22country%22%3A%22KR%22%7D", "KR", "4a388c43e26746069b1eafc72bb14add",
     ("KRW", "204700", "204700", False, None)),
    ("three decimals hand-made", "epic", "handmade:handmade_epic_searchStore_kw_kwd_money_cases.json",
     f"{EPIC}&variables=%7B%22country%22%3A%22KW%22%7D", "KW", "kwd-1", ("KWD", "1.125", "1.250", False, None)),
    ("three decimals thousands hand-made", "epic", "handmade:handmade_epic_searchStore_kw_kwd_money_cases.json",
     f"{EPIC}&variables=%7B%22country%22%3A%22KW%22%7D", "KW", "kwd-2", ("KWD", "1529.700", "1529.700", False, None)),
    ("free hand-made", "epic", "handmade:handmade_epic_searchStore_kw_kwd_money_cases.json",
     f"{EPIC}&variables=%7B%22country%22%3A%22KW%22%7D", "KW", "kwd-3", ("KWD", "0.000", "0.000", True, None)),
    ("not for sale hand-made", "epic", "handmade:handmade_epic_searchStore_kw_kwd_money_cases.json",
     f"{EPIC}&variables=%7B%22country%22%3A%22KW%22%7D", "KW", "kwd-4", (None, None, None, False, None)),

    ("JPY hand-made", "eshop", "handmade:handmade_eshop_price_jp_jpy_money_cases.json", f"{ESHOP_PRICE}&country=JP",
     "JP", "70010000000001", ("JPY", "1984", "2480", False, None)),
    ("free hand-made", "eshop", "handmade:handmade_eshop_price_jp_jpy_money_cases.json", f"{ESHOP_PRICE}&country=JP",
     "JP", "70010000000002", ("JPY", "0", "0", True, None)),
    ("not for sale any more hand-made", "eshop", "handmade:handmade_eshop_price_jp_jpy_money_cases.json",
     f"{ESHOP_PRICE}&country=JP", "JP", "70010000000003", (None, None, None, False, None)),
    ("unknown to the store hand-made", "eshop", "handmade:handmade_eshop_price_jp_jpy_money_cases.json",
     f"{ESHOP_PRICE}&country=JP", "JP", "70010000000004", (None, None, None, False, None)),
    ("discount recorded", "eshop", "eshop/ec_price_v1_gb_gbp_discounted_1id_2026-06.json",
     f"{ESHOP_PRICE}&country=GB", "GB", "70070000027592", ("GBP", "50.39", "125.99", False, None)),

    ("thousands hand-made", "gog", "handmade:handmade_gog_catalog_pl_pln_money_cases.json",
     f"{GOG_CATALOG}&countryCode=PL&currencyCode=PLN", "PL", "3000000001", ("PLN", "1529.70", "1529.70", False, None)),
    ("free hand-made", "gog", "handmade:handmade_gog_catalog_pl_pln_money_cases.json",
     f"{GOG_CATALOG}&countryCode=PL&currencyCode=PLN", "PL", "3000000002", ("PLN", "0.00", "0.00", True, None)),
    ("not for sale hand-made", "gog", "handmade:handmade_gog_catalog_pl_pln_money_cases.json",
     f"{GOG_CATALOG}&countryCode=PL&currencyCode=PLN", "PL", "3000000003", (None, None, None, False, None)),
    ("KRW storefront priced in USD recorded", "gog", "gog/api_products_prices_batch_kr_usd_2ids_discount_and_free.json",
     "https://api.gog.com/products/prices?ids=1207658995,1207666073&countryCode=KR", "KR", "1207666073",
     ("USD", "0.00", "0.00", True, None)),
]


def path_of(name: str):
    return HANDMADE_DIR / name.removeprefix("handmade:") if name.startswith("handmade:") else config.corpus_dir() / name


@pytest.mark.parametrize(("case", "store", "name", "url", "region", "item_id", "expected"), CASES,
                         ids=[f"{case[1]}-{case[0]}" for case in CASES])
def test_money(case, store, name, url, region, item_id, expected):
    items, _ = parse_file(store, path_of(name), url, region)
    found = {item["store_item_id"]: item for item in items}
    item = found[item_id]
    assert (item["currency"], item["price"], item["regular_price"], item["is_free"], item.get("subscription")) \
        == expected
    assert contract_errors(item, PRICEWATCH_ITEM_SCHEMAS) == []


@pytest.mark.parametrize(("text", "currency", "amount"), [
    ("₩ 21,800", "KRW", "21800"),        # thousands separator, no decimals
    ("112,800원", "KRW", "112800"),
    ("¥1.980", "JPY", "1980"),           # a dot grouping yen is not a decimal point
    ("¥ 12,980", "JPY", "12980"),
    ("KD 1.250", "KWD", "1.250"),        # three decimals, not 1,250
    ("1.250 د.ك", "KWD", "1.250"),
    ("KD 1,529.700", "KWD", "1529.700"),
    ("BD 12.500", "BHD", "12.500"),
    ("€9,95", "EUR", "9.95"),
    ("1.234,56 €", "EUR", "1234.56"),
    ("$1,529.70", "USD", "1529.70"),
    ("1 529,70 zł", "PLN", "1529.70"),
    ("Free", "USD", "0"),
    ("Ei saatavilla", "EUR", None),
])
def test_price_text_by_the_currencys_own_decimals(text, currency, amount):
    value = from_text(text, currency)
    assert (None if value is None else str(value)) == amount
