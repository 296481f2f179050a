"""Nintendo eShop spider on the recorded price API, search and nintendo.com responses, and a replay crawl.

Expected values were read by eye from the recordings; handmade_eshop_price_gb_* are hand-made price answers
for the nsuids of the recorded Solr pages (the corpus has no price answer for them).
"""
import asyncio
from pathlib import Path

import jsonschema
import pytest
from crawl_fixtures import run_crawl
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from contracts import schema
from scrapers.spiders.eshop import EshopSpider

FIXTURES = Path(__file__).parent / "fixtures"
SOLR_DISCOUNTED = "solr_nintendo_europe_discounted_games_5rows_gbp_2025-09.json"
SOLR_LOOKUP = "solr_nintendo_europe_nsuid_lookup_fl_super_mario_party.json"
SOLR_URL = "https://searching.nintendo-europe.com/en/select?q=*&wt=json"


@pytest.fixture
def spider():
    """A fresh spider per test: a crawl's spider reports each listing once, so it keeps what it has seen."""
    return EshopSpider.from_crawler(get_crawler(EshopSpider))


def response(path, url, meta=None):
    kind = HtmlResponse if path.suffix == ".html" else TextResponse
    return kind(url=url, body=path.read_bytes(), encoding="utf-8", request=Request(url, meta=meta or {}))


def run(spider, resp):
    return list(spider.callback_for(resp)(resp))


def items(spider, resp):
    found = [out for out in run(spider, resp) if isinstance(out, dict)]
    for item in found:
        jsonschema.validate(item, schema("store_listing"))
        item.pop("scraped_at")
    return found


PRICE_CASES = [
    ("ec_price_v1_gb_gbp_discounted_1id_2026-06.json",
     "https://api.ec.nintendo.com/v1/price?country=GB&lang=en&ids=70070000027592",
     {"source": "eshop", "store_item_id": "70070000027592", "title": "", "kind": "bundle", "url": None,
      "region": "GB", "currency": "GBP", "price": "50.39", "regular_price": "125.99", "discount_percent": 60,
      "is_free": False, "platforms": [], "discount_ends_at": "2026-07-08T22:59:59Z"}),
    ("ec_price_v1_us_usd_regular_1id_2026-07.json",
     "https://api.ec.nintendo.com/v1/price?country=US&ids=70010000020840",
     {"source": "eshop", "store_item_id": "70010000020840", "title": "", "kind": "game", "url": None,
      "region": "US", "currency": "USD", "price": "19.99", "regular_price": "19.99", "discount_percent": 0,
      "is_free": False, "platforms": []}),
]


@pytest.mark.parametrize("name, url, expected", PRICE_CASES)
def test_price_api_alone(spider, corpus, name, url, expected):
    assert items(spider, response(corpus / "eshop" / name, url)) == [expected]


def test_price_region_from_the_response_when_the_url_has_none(spider, corpus):
    resp = response(corpus / "eshop" / PRICE_CASES[0][0], "https://api.ec.nintendo.com/v1/price")
    assert items(spider, resp)[0]["region"] == "GB"


def test_solr_search_asks_prices_for_its_nsuids(spider, corpus):
    out = run(spider, response(corpus / "eshop" / SOLR_DISCOUNTED, SOLR_URL, {"region": "GB"}))
    prices, next_page = out
    assert prices.url == ("https://api.ec.nintendo.com/v1/price?country=GB&lang=en&ids=70010000105315,"
                          "70070000028118,70010000024602,70010000065178,70010000061599")
    assert prices.meta["listings"]["70010000024602"] == {
        "title": "The Wardrobe: Even Better Edition",
        "url": "https://www.nintendo.com/en-gb/Games/Nintendo-Switch-download-software/"
               "The-Wardrobe-Even-Better-Edition-1672261.html",
        "platforms": ["switch"], "release_date": "2019-10-31T00:00:00Z"}
    assert "searching.nintendo-europe.com/en/select" in next_page.url and "start=5" in next_page.url


def test_solr_last_page_stops(spider, corpus):
    out = run(spider, response(corpus / "eshop" / SOLR_LOOKUP, SOLR_URL, {"region": "GB"}))
    assert [request.url for request in out] == [
        "https://api.ec.nintendo.com/v1/price?country=GB&lang=en&ids=70010000014063"]
    assert out[0].meta["listings"]["70010000014063"]["title"] == "Super Mario Party"


JOINED = [
    ("70010000105315", {"title": "Snapshot Girls", "kind": "game", "currency": "GBP", "price": "0.89",
                        "regular_price": "26.99", "discount_percent": 97, "is_free": False,
                        "discount_ends_at": "2025-09-12T22:59:59Z"}),
    ("70070000028118", {"title": "Hentai Games Collection Vol. 3", "kind": "bundle", "currency": None,
                        "price": None, "regular_price": None, "discount_percent": 0, "is_free": False}),
    ("70010000024602", {"title": "The Wardrobe: Even Better Edition", "kind": "game", "currency": "GBP",
                        "price": "0.89", "regular_price": "17.99", "discount_percent": 95, "is_free": False,
                        "discount_ends_at": "2025-09-11T22:59:59Z"}),
    ("70010000065178", {"title": "Sherlock Purr", "kind": "game", "currency": "GBP", "price": "0.00",
                        "regular_price": "0.00", "discount_percent": 0, "is_free": True}),
    ("70010000061599", {"title": "Rainbow Runner", "kind": "game", "currency": None, "price": None,
                        "regular_price": None, "discount_percent": 0, "is_free": False}),
]


@pytest.mark.parametrize("nsuid, expected", JOINED)
def test_prices_joined_to_search_titles(spider, corpus, nsuid, expected):
    search = run(spider, response(corpus / "eshop" / SOLR_DISCOUNTED, SOLR_URL, {"region": "GB"}))[0]
    prices = response(FIXTURES / "handmade_eshop_price_gb_5ids.json", search.url, search.meta)
    item = {found["store_item_id"]: found for found in items(spider, prices)}[nsuid]
    assert {key: item.get(key) for key in expected} == expected
    assert item["region"] == "GB" and item["platforms"] == ["switch"]
    assert item["url"].startswith("https://www.nintendo.com/en-gb/Games/")


def test_nintendo_com_product_page(spider, corpus):
    url = "https://www.nintendo.com/pt-br/store/products/pokemon-scarlet-and-pokemon-violet-double-pack-switch/"
    name = "page_nintendo_com_pt_br_store_product_pokemon_sv_double_pack_brl_2022-06_rendered.html"
    assert items(spider, response(corpus / "eshop" / name, url)) == [{
        "source": "eshop", "store_item_id": "70070000014505",
        "title": "Pokémon Scarlet and Pokémon Violet Double Pack", "kind": "bundle", "url": url, "region": "BR",
        "currency": "BRL", "price": "598.00", "regular_price": "598.00", "discount_percent": 0, "is_free": False,
        "platforms": ["switch"], "release_date": "2022-11-18T00:00:00.000Z"}]


@pytest.mark.parametrize("name, url", [
    ("page_nintendo_com_pt_br_games_detail_eastward_brl_2021_legacy_aem.html",
     "https://www.nintendo.com/pt_BR/games/detail/eastward-switch/"),
    ("algolia_noa_legacy_hit_pt_br_pokemon_legends_arceus_msrp_2021.json",
     "https://u3b6gr4ua3-dsn.algolia.net/1/indexes/ncom_game_pt_br/query"),
    ("algolia_noa_legacy_hit_pt_br_pokemon_legends_arceus_msrp_2021.json", "https://example.org/saved.json"),
])
def test_legacy_formats_yield_nothing(spider, corpus, name, url):
    assert run(spider, response(corpus / "eshop" / name, url)) == []


def test_search_without_region_is_a_clear_error(spider, corpus):
    with pytest.raises(ValueError, match="no region"):
        run(spider, response(corpus / "eshop" / SOLR_LOOKUP, SOLR_URL))


@pytest.mark.slow
def test_replay_crawl(replay_server, tmp_path):
    crawl = run_crawl("eshop", replay_server.url, tmp_path, regions="GB")
    assert crawl.returncode == 0, crawl.log[-3000:]
    found = {item["store_item_id"]: item for item in crawl.items}
    for item in found.values():
        jsonschema.validate(item, schema("store_listing"))
    assert set(found) == {"70010000105315", "70070000028118", "70010000024602", "70010000065178",
                          "70010000061599", "70010000014063"}
    assert found["70010000014063"]["title"] == "Super Mario Party"
    assert found["70010000014063"]["price"] == "49.99"


async def started(spider) -> list:
    return [request async for request in spider.start()]


@pytest.mark.parametrize(("key", "searched", "skipped"), [
    ("", ["searching.nintendo-europe.com"], ["US"]),  # no Algolia key: the Americas are skipped, and say so
    ("search-key", ["searching.nintendo-europe.com", "u3b6gr4ua3-dsn.algolia.net"], []),
])
def test_a_region_without_a_search_index_is_skipped_as_a_failure(key, searched, skipped):
    crawler = get_crawler(EshopSpider, {"PRICEWATCH_ESHOP_ALGOLIA_API_KEY": key})
    spider = EshopSpider.from_crawler(crawler, regions="GB,US")
    requests = asyncio.run(started(spider))
    assert [request.url.split("/")[2] for request in requests] == searched
    assert sorted(spider.coverage.state["skipped"]) == skipped


def test_algolia_over_the_hit_cap_is_split_by_the_next_facet(tmp_path):
    spider = EshopSpider.from_crawler(get_crawler(EshopSpider, {"PRICEWATCH_ESHOP_ALGOLIA_API_KEY": "search-key"}))
    answer = tmp_path / "algolia.json"
    answer.write_text('{"hits": [], "nbHits": 2500, "page": 0, "nbPages": 1, "hitsPerPage": 1000,'
                      ' "facets": {"platformCode": {"NINTENDO_SWITCH": 1500, "NINTENDO_SWITCH_2": 1000}}}')
    url = "https://u3b6gr4ua3-dsn.algolia.net/1/indexes/store_game_en_us?query=&hitsPerPage=1000&page=0"
    out = run(spider, response(answer, url, {"region": "US", "filters": ()}))
    assert [request.meta["filters"] for request in out] == [
        ('platformCode:"NINTENDO_SWITCH"',), ('platformCode:"NINTENDO_SWITCH_2"',)]
    assert all("priceRange" in request.url for request in out)  # the facet each part may split by next
    assert spider.coverage.state["expected"] == {"US": 2500}
