"""GOG spider: every GOG recording through the callback a crawl uses, then replay crawls end to end.

Expected values were read off the raw files (corpus gog/*, tests/fixtures/handmade_gog_*)."""
import json
from pathlib import Path

import pytest
import scrapy
from crawl_fixtures import run_crawl
from scrapy.http import TextResponse
from twisted.python.failure import Failure

from pricewatch.cli import main
from pricewatch.commands.parse import build_spider, parse_file, project_settings

FIXTURES = Path(__file__).parent / "fixtures"
CATALOG = ("https://catalog.gog.com/v1/catalog?limit=48&order=asc:title&productType=in:game,pack,dlc"
           "&page={page}&countryCode=US&currencyCode=USD&locale=en-US")
SECTION = ("https://sections.gog.com/v1/pages/2f/sections/6a0b5e52-giveaway-state-of-mind"
           "?countryCode=US&currencyCode=USD&locale=en-US")
PRICES = "https://api.gog.com/products/prices?ids=1207658995,1207666073&countryCode=KR"
PRODUCTS = "https://api.gog.com/products?ids=1207658995,1207666073"
WATCHED = ["1207658995", "1207666073"]


def respond(path: Path, url: str, meta: dict | None = None) -> TextResponse:
    return TextResponse(url=url, body=path.read_bytes(), encoding="utf-8", request=scrapy.Request(url, meta=meta or {}))


def run_callback(spider, response) -> tuple[list[dict], list[scrapy.Request]]:
    output = list(spider.callback_for(response)(response))
    return ([value for value in output if isinstance(value, dict)],
            [value for value in output if isinstance(value, scrapy.Request)])


def listing(store_item_id, title, kind, url, currency, price, regular_price, discount_percent, is_free,
            platforms=(), region="US", **optional):
    return {"source": "gog", "store_item_id": store_item_id, "title": title, "kind": kind, "url": url,
            "region": region, "currency": currency, "price": price, "regular_price": regular_price,
            "discount_percent": discount_percent, "is_free": is_free, "platforms": list(platforms), **optional}


def without_time(items: list[dict]) -> list[dict]:
    assert all(item["scraped_at"].endswith("Z") for item in items)
    return [{key: value for key, value in item.items() if key != "scraped_at"} for item in items]


CATALOG_PAGE_1 = [
    listing("1211776926", "Dead Age 1 + 2 Bundle", "bundle", "https://www.gog.com/en/game/dead_age_1_2_bundle",
            "USD", "1.49", "29.59", 95, False),
    listing("1859396546", "Leisure Suit Larry - Wet Dreams Don't Dry", "game",
            "https://www.gog.com/en/game/leisure_suit_larry_wet_dreams_dont_dry", "USD", "1.49", "29.99", 95, False),
    listing("2147483119", "Leisure Suit Larry - Wet Dreams Dry Twice", "game",
            "https://www.gog.com/en/game/leisure_suit_larry_wet_dreams_dry_twice", "USD", "1.75", "34.99", 95, False),
]
GIVEAWAY = listing("1663581818", "State of Mind", "game", "https://www.gog.com/en/game/state_of_mind", "USD", "0.00",
                   "19.99", 100, True, ["linux", "mac", "windows"], release_date="2018-08-15",
                   discount_ends_at="2026-09-10T13:00:59Z")
# Page 2 without the giveaway's catalog entry (State of Mind at $1.99), which the giveaway replaces.
CATALOG_PAGE_2 = [
    listing("1207666073", "Akalabeth: World of Doom", "game", "https://www.gog.com/en/game/akalabeth_world_of_doom",
            "USD", "0.00", "0.00", 0, True, ["linux", "mac", "windows"], release_date="2014-12-24"),
    listing("1525634891", "Handmade Expansion Pass", "dlc", "https://www.gog.com/en/game/handmade_expansion_pass",
            "USD", "4.99", "4.99", 0, False, ["windows"], release_date="2021-03-02"),
    listing("1400000001", "Handmade Upcoming Pack", "bundle", "https://www.gog.com/en/game/handmade_upcoming_pack",
            None, None, None, 0, False, ["windows"]),
]
PRICED_WATCH_LIST = [
    listing("1207658995", "Deus Ex™ GOTY Edition", "game", "https://www.gog.com/game/deus_ex", "USD", "0.69", "6.99",
            90, False, ["windows"], region="KR", release_date="2012-01-26"),
    listing("1207666073", "Akalabeth: World of Doom", "game", "https://www.gog.com/game/akalabeth_world_of_doom",
            "USD", "0.00", "0.00", 0, True, ["linux", "mac", "windows"], region="KR", release_date="2014-12-24"),
]


@pytest.fixture
def spider():
    return build_spider("gog")


def test_catalog_page_items_and_next_page(spider, corpus):
    items, requests = run_callback(spider, respond(corpus / "gog/catalog_v1_usd_3_products_discounted_trimmed.json",
                                                   CATALOG.format(page=1)))
    assert without_time(items) == CATALOG_PAGE_1
    assert [request.url for request in requests] == [CATALOG.format(page=2)]


def test_catalog_stops_at_max_pages(corpus):
    settings = project_settings()
    settings.set("PRICEWATCH_GOG_MAX_PAGES", 1)
    spider = build_spider("gog", settings)
    _, requests = run_callback(spider, respond(corpus / "gog/catalog_v1_usd_3_products_discounted_trimmed.json",
                                               CATALOG.format(page=1)))
    assert requests == []


def test_giveaway_is_free_until_its_end_then_the_catalog(spider, corpus):
    items, requests = run_callback(spider, respond(corpus / "gog/sections_giveaway_section_properties_usd_2026-09.json",
                                                   SECTION, {"region": "US", "section_ids": []}))
    assert without_time(items) == [GIVEAWAY]
    assert [request.url for request in requests] == [CATALOG.format(page=1)]


def test_catalog_entry_of_a_giveaway_is_not_reported(spider, corpus):
    run_callback(spider, respond(corpus / "gog/sections_giveaway_section_properties_usd_2026-09.json", SECTION))
    items, _ = run_callback(spider, respond(FIXTURES / "handmade_gog_catalog_us_page2_giveaway_free_dlc_unpriced.json",
                                            CATALOG.format(page=2)))
    assert without_time(items) == CATALOG_PAGE_2


def test_catalog_entry_is_reported_without_a_giveaway(spider):
    items, _ = run_callback(spider, respond(FIXTURES / "handmade_gog_catalog_us_page2_giveaway_free_dlc_unpriced.json",
                                            CATALOG.format(page=2)))
    assert without_time(items)[0] == listing(
        "1663581818", "State of Mind", "game", "https://www.gog.com/en/game/state_of_mind", "USD", "1.99", "19.99", 90,
        False, ["linux", "mac", "windows"], release_date="2018-08-15")


def test_sections_page_follows_giveaway_sections_only(spider):
    url = "https://sections.gog.com/v1/pages/2f?countryCode=US&currencyCode=USD&locale=en-US"
    items, requests = run_callback(spider, respond(FIXTURES / "handmade_gog_sections_page_2f_us.json", url))
    assert items == []
    assert [request.url for request in requests] == [SECTION]
    assert requests[0].meta["section_ids"] == []


def test_failed_giveaway_lookup_still_crawls_the_catalog(spider):
    failure = Failure(ConnectionRefusedError("sections.gog.com down"))
    failure.request = spider.sections_request("US")
    assert [request.url for request in spider.catalog_after_failure(failure)] == [CATALOG.format(page=1)]


def test_products_metadata_has_no_prices_and_asks_prices_per_region(corpus):
    spider = build_spider("gog", regions="KR,DE")
    items, requests = run_callback(spider, respond(corpus / "gog/api_products_batch_ids_2_metadata_no_price.json",
                                                   PRODUCTS))
    assert items == []
    assert [request.url for request in requests] == [PRICES, PRICES.replace("KR", "DE")]


def test_watch_list_ids_not_known_to_gog_are_counted(corpus):
    spider = build_spider("gog", regions="KR")
    url = "https://api.gog.com/products?ids=1207658995,1207666073,1"
    _, [request] = run_callback(spider, respond(corpus / "gog/api_products_batch_ids_2_metadata_no_price.json", url))
    assert request.url == PRICES
    assert spider.crawler.stats.get_value("pricewatch/gog/unknown_ids") == 1


def test_watch_list_ids_must_be_numbers():
    with pytest.raises(ValueError, match="GOG product ids"):
        build_spider("gog", ids="deus_ex")


@pytest.mark.parametrize("expected", PRICED_WATCH_LIST, ids=lambda item: item["store_item_id"])
def test_batch_prices_with_metadata(corpus, expected):
    spider = build_spider("gog", regions="KR")
    _, [prices_request] = run_callback(spider, respond(corpus / "gog/api_products_batch_ids_2_metadata_no_price.json",
                                                       PRODUCTS))
    items, _ = run_callback(spider, respond(corpus / "gog/api_products_prices_batch_kr_usd_2ids_discount_and_free.json",
                                            PRICES, prices_request.meta))
    assert expected in without_time(items)


def test_batch_prices_alone_are_cents_with_the_region_of_the_response(spider, corpus):
    """Without metadata (a saved prices file) the region comes from the response's own link."""
    path = corpus / "gog/api_products_prices_batch_kr_usd_2ids_discount_and_free.json"
    response = TextResponse(url=path.as_uri(), body=path.read_bytes(), encoding="utf-8")
    items, _ = run_callback(spider, response)
    assert [(item["store_item_id"], item["region"], item["title"], item["kind"], item["currency"], item["price"],
             item["regular_price"], item["discount_percent"], item["is_free"]) for item in items] == [
        ("1207658995", "KR", "", "other", "USD", "0.69", "6.99", 90, False),
        ("1207666073", "KR", "", "other", "USD", "0.00", "0.00", 0, True),
    ]


def test_prices_pick_the_storefront_currency(spider):
    prices = [{"currency": {"code": "USD"}, "basePrice": "1999 USD", "finalPrice": "999 USD"},
              {"currency": {"code": "PLN"}, "basePrice": "8999 PLN", "finalPrice": "4499 PLN"}]
    assert spider.price_in(prices, "PLN")["finalPrice"] == "4499 PLN"
    assert spider.price_in(prices, "EUR")["finalPrice"] == "999 USD"
    assert spider.cents("4499 PLN", "PLN") == "44.99"
    with pytest.raises(ValueError, match="not in EUR"):
        spider.cents("4499 PLN", "EUR")


def test_region_currency_map(spider):
    regions = ("US", "GB", "DE", "KR", "PL")
    assert [spider.currency_for(region) for region in regions] == ["USD", "GBP", "EUR", "USD", "PLN"]


def test_saved_catalog_without_region_is_a_clear_error(spider, corpus):
    path = corpus / "gog/catalog_v1_usd_3_products_discounted_trimmed.json"
    response = TextResponse(url=path.as_uri(), body=path.read_bytes(), encoding="utf-8")
    with pytest.raises(ValueError, match="no region"):
        run_callback(spider, response)


@pytest.mark.parametrize("recording, count", [
    ("gog/catalog_v1_usd_3_products_discounted_trimmed.json", 3),
    ("gog/sections_giveaway_section_properties_usd_2026-09.json", 1),
    ("gog/api_products_prices_batch_kr_usd_2ids_discount_and_free.json", 2),
    ("gog/api_products_batch_ids_2_metadata_no_price.json", 0),
])
def test_parse_command_finds_url_from_routes(corpus, recording, count):
    items, _ = parse_file("gog", corpus / recording)
    assert len(items) == count


def test_parse_command_prints_json_lines(corpus, capsys):
    assert main(["parse", "gog", str(corpus / "gog/sections_giveaway_section_properties_usd_2026-09.json")]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["store_item_id"] for line in out.splitlines()] == ["1663581818"]
    assert "1 items" in err


@pytest.mark.slow
def test_replay_crawl_giveaway_then_catalog(replay_server, tmp_path):
    crawl = run_crawl("gog", replay_server.url, tmp_path, regions="US,DE")
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert without_time(crawl.items) == [GIVEAWAY, *CATALOG_PAGE_1, *CATALOG_PAGE_2]
    assert not list(crawl.landing.rglob("*.tmp"))
    assert (crawl.report["spider"], crawl.report["health"], crawl.report["items_invalid"]) == ("gog", "ok", 0)


@pytest.mark.slow
def test_replay_crawl_watch_list(replay_server, tmp_path):
    crawl = run_crawl("gog", replay_server.url, tmp_path, regions="KR", ids=",".join(WATCHED))
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert sorted(without_time(crawl.items), key=lambda item: item["store_item_id"]) == PRICED_WATCH_LIST
