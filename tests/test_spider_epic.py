"""Epic spider: both Epic recordings (freeGamesPromotions, GraphQL searchStore) and hand-made GraphQL pages
through the callback a crawl uses, then a replay crawl end to end.

Expected values were read off the raw files (corpus epic/*, tests/fixtures/handmade_epic_*)."""
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import scrapy
from crawl_fixtures import run_crawl
from scrapy.http import TextResponse

from pricewatch.commands.parse import build_spider, parse_file

FIXTURES = Path(__file__).parent / "fixtures"
FREE_GAMES_VN = ("https://store-site-backend-static.ak.epicgames.com/freeGamesPromotions"
                 "?locale=en-US&country=VN&allowCountries=VN")
PAGE = "https://store.epicgames.com/en-US/p/"


def listing(store_item_id, title, kind, slug, currency, price, regular_price, discount_percent, is_free, region,
            **optional):
    return {"source": "epic", "store_item_id": store_item_id, "title": title, "kind": kind,
            "url": PAGE + slug if slug else None, "region": region, "currency": currency, "price": price,
            "regular_price": regular_price, "discount_percent": discount_percent, "is_free": is_free,
            "platforms": [], **optional}


def vn(*args, **optional):
    return listing(*args, "VND", *optional.pop("prices"), region="VN", **optional)


FREE_GAMES_VN_ITEMS = [
    vn("1f723b00df58467998c4984ca39915ad", "Them's Fightin' Herds", "game", "thems-fightin-herds",
       prices=("186000", "186000", 0, False)),
    vn("d3e5b556640144bfa5de2d5d3b283d68", "Model Builder: Complete Edition", "game",
       "model-builder-complete-edition-f9b456", prices=("188000", "188000", 0, False)),
    vn("921e40c4c69f4d728914ca2a4f0aa407", "Eternal Threads", "game", "eternal-threads-197169",
       prices=("209000", "209000", 0, False)),
    vn("be5600439b434624802764f704755cde", "Ghostrunner 2", "game", "ghostrunner-2",
       prices=("156800", "784000", 80, False), discount_ends_at="2026-09-24T17:00:00Z"),
    # An add-on's own offer page, not its game's product page (catalogNs maps to lost-castle-abb2e2).
    vn("4a88d0dc64114b20b67339c74543f859", "Lost Castle: The Old Ones Awaken", "dlc",
       "lost-castle-lost-castle-the-old-ones-awaken-db1545", prices=("21000", "42000", 50, False),
       discount_ends_at="2026-09-13T23:59:00Z"),
    # Only upcoming promotions: full price now.
    vn("944b5b5d646d46bc92bc33edfe983d26", "LISA: The Definitive Edition", "bundle", "lisa-the-definitive-edition",
       prices=("313000", "313000", 0, False)),
    vn("f967cff9761c4198b4e972cfd71e40d7", "Monument Valley", "game", "monument-valley-1d99d3",
       prices=("28750", "115000", 75, False), discount_ends_at="2026-09-17T15:00:00Z"),
    # Current giveaways (promotion discountPercentage 0 = pay 0 %): free now, regular price kept.
    vn("c76046dddcdb43619c33ce0395941033", "Luftrausers", "game", "luftrausers-51e5e9",
       prices=("0", "104000", 100, True), discount_ends_at="2026-09-17T15:00:00Z"),
    vn("e9bb092228f544c582e2c9395fae96f3", "Astral Ascent", "game", "astral-ascent-b33bc2",
       prices=("0", "260000", 100, True), discount_ends_at="2026-09-17T15:00:00Z"),
    # Next week's giveaways: not free yet.
    vn("8a20c6c8d5b5417e800c687e9d72013e", "Mindcop", "game", "mindcop-78e6c1", prices=("130000", "130000", 0, False)),
    vn("b9ff3f98367a45cdac289dff6683a2bc", "Shogun Showdown", "game", "shogun-showdown-61832d",
       prices=("157000", "157000", 0, False)),
]
# No currencyInfo in this selection: USD's ISO 4217 two digits.
CATALOG_US_ITEMS = [
    listing("b8cc76ce7d6645f0a282b843a072cc78", "Alone With You", "game", "alone-with-you-028a15", "USD", "0.00",
            "9.99", 100, True, "US", discount_ends_at="2026-09-10T15:00:00Z"),
    listing("76f6442553d4495bb17c6db2c76db4d9", "NoRush!", "game", "norush-67f385", "USD", "0.00", "2.49", 100, True,
            "US", discount_ends_at="2026-09-09T09:00:00Z"),
]
CATALOG_GB_ITEMS = [
    listing("a1b2c3d4e5f60718293a4b5c6d7e8f90", "Handmade Sale Game", "game", "handmade-sale-game-4f2a1b", "GBP",
            "19.99", "29.99", 33, False, "GB", release_date="2023-05-04", discount_ends_at="2026-10-01T15:00:00Z"),
    listing("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "Handmade Deluxe Edition", "game", "handmade-deluxe", "GBP", "44.99",
            "44.99", 0, False, "GB", release_date="2024-11-20"),
    listing("5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b", "Handmade Announced Game", "game", "handmade-announced-game", None,
            None, None, 0, False, "GB", release_date="2099-01-01"),
    listing("c0ffee00c0ffee00c0ffee00c0ffee00", "Handmade Free Cosmetic Pack", "dlc",
            "handmade-sale-game-free-cosmetic-pack-77aa01", "GBP", "0.00", "0.00", 0, True, "GB",
            release_date="2025-02-14"),
]


@pytest.fixture
def spider():
    return build_spider("epic")


def catalog_url(spider, region: str, start: int) -> str:
    return spider.catalog_request(region, "en-US", start).url


def run_callback(spider, path: Path, url: str, meta: dict | None = None):
    request = scrapy.Request(url, meta=meta or {})
    response = TextResponse(url=url, body=path.read_bytes(), encoding="utf-8", request=request)
    output = list(spider.callback_for(response)(response))
    return ([value for value in output if isinstance(value, dict)],
            [value for value in output if isinstance(value, scrapy.Request)])


def without_time(items: list[dict]) -> list[dict]:
    assert all(item["scraped_at"].endswith("Z") for item in items)
    return [{key: value for key, value in item.items() if key != "scraped_at"} for item in items]


@pytest.mark.parametrize("expected", FREE_GAMES_VN_ITEMS, ids=lambda item: item["title"])
def test_free_games_promotions(spider, corpus, expected):
    items, requests = run_callback(spider, corpus / "epic/freeGamesPromotions_vn_vnd_11_elements_2026-09.json",
                                   FREE_GAMES_VN)
    assert expected in without_time(items)
    assert len(items) == 11
    assert requests == []


@pytest.mark.parametrize("expected", CATALOG_US_ITEMS, ids=lambda item: item["title"])
def test_graphql_catalog_without_currency_info(spider, corpus, expected):
    recording = corpus / "epic/graphql_searchStore_catalog_us_usd_2_free_promos_2026-09.json"
    items, requests = run_callback(spider, recording, catalog_url(spider, "US", 0))
    assert expected in without_time(items)
    assert requests == []  # paging total 2: one page


def test_graphql_catalog_pages_on_until_the_total(spider):
    items, requests = run_callback(spider, FIXTURES / "handmade_epic_searchStore_gb_gbp_page1.json",
                                   catalog_url(spider, "GB", 0))
    assert without_time(items) == CATALOG_GB_ITEMS[:3]
    assert [request.url for request in requests] == [catalog_url(spider, "GB", 40)]
    items, requests = run_callback(spider, FIXTURES / "handmade_epic_searchStore_gb_gbp_page2.json",
                                   catalog_url(spider, "GB", 40))
    assert without_time(items) == CATALOG_GB_ITEMS[3:]
    assert requests == []


def test_catalog_request_carries_query_and_storefront_in_settings(spider):
    query = parse_qs(urlsplit(catalog_url(spider, "DE", 80)).query)
    variables = json.loads(query["variables"][0])
    assert query["operationName"] == ["searchStoreQuery"]
    assert "searchStore(" in query["query"][0]
    assert (variables["country"], variables["allowCountries"], variables["locale"], variables["start"],
            variables["count"]) == ("DE", "DE", "en-US", 80, 40)


def test_an_offer_listed_twice_is_reported_once_per_region(spider, corpus):
    path = corpus / "epic/graphql_searchStore_catalog_us_usd_2_free_promos_2026-09.json"
    first, _ = run_callback(spider, path, catalog_url(spider, "US", 0))
    again, _ = run_callback(spider, path, catalog_url(spider, "US", 0))
    elsewhere, _ = run_callback(spider, path, catalog_url(spider, "GB", 0))
    assert (len(first), len(again), len(elsewhere)) == (2, 0, 2)


def test_graphql_errors_in_a_200_answer_are_counted_for_the_health(spider, tmp_path):
    answer = tmp_path / "errors.json"
    answer.write_text(json.dumps({"errors": [{"message": "Cannot query field \"releaseDate\""}], "data": None}))
    items, requests = run_callback(spider, answer, catalog_url(spider, "US", 0))
    assert (items, requests) == ([], [])
    assert spider.coverage.state["errors"] == 1
    assert "Cannot query field" in spider.coverage.state["error_samples"][0]


def test_saved_file_region_from_argument(spider, corpus):
    path = corpus / "epic/freeGamesPromotions_vn_vnd_11_elements_2026-09.json"
    items, _ = run_callback(spider, path, path.as_uri(), {"region": "VN"})
    assert {item["region"] for item in items} == {"VN"}
    with pytest.raises(ValueError, match="no region"):
        run_callback(build_spider("epic"), path, path.as_uri())


@pytest.mark.parametrize("recording, count", [
    ("epic/freeGamesPromotions_vn_vnd_11_elements_2026-09.json", 11),
    ("epic/graphql_searchStore_catalog_us_usd_2_free_promos_2026-09.json", 2),
])
def test_parse_command_finds_url_from_routes(corpus, recording, count):
    items, _ = parse_file("epic", corpus / recording)
    assert len(items) == count


@pytest.mark.slow
def test_replay_crawl(replay_server, tmp_path):
    crawl = run_crawl("epic", replay_server.url, tmp_path, regions="US,GB,VN")
    assert crawl.returncode == 0, crawl.log[-3000:]
    items = without_time(crawl.items)
    key = lambda item: (item["region"], item["store_item_id"])  # noqa: E731
    assert sorted(items, key=key) == sorted(FREE_GAMES_VN_ITEMS + CATALOG_US_ITEMS + CATALOG_GB_ITEMS, key=key)
    assert not list(crawl.landing.rglob("*.tmp"))
    assert (crawl.report["spider"], crawl.report["items_invalid"]) == ("epic", 0)
    # The hand-made GB pages announce 41 offers (paging.total) and hold 4: coverage says so, the rest is healthy.
    assert crawl.report["coverage"]["GB"] == {"expected": 41, "yielded": 4, "ratio": 0.0976}
    assert crawl.report["health_reasons"] == [
        "Coverage/Each region yields at least PRICEWATCH_MIN_COVERAGE of the store's total: "
        "coverage under 95%: GB 4 of 41 (9.8%)"]
