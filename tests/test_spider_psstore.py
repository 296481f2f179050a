"""PlayStation Store spider on the recorded pages and GraphQL answers, and a replay crawl.

Expected values were read by eye from the recordings (env:* GameCTA prices, SkuPrice strings, GraphQL webctas).
"""
import jsonschema
import pytest
from crawl_fixtures import run_crawl
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from contracts import schema
from scrapers.spiders.psstore import PsStoreSpider

GRAPHQL = "https://web.np.playstation.com/api/graphql/v1/op?operationName=productRetrieveForUpsellWithCtas"
DIABLO = "page_concept_231761_diablo4_tw_twd_discounted_2026-05.html"
PRAGMATA = "page_concept_10002075_pragmata_tw_twd_full_price_2026-05.html"
FREE = "page_concept_10012874_free_to_play_tw_twd_2026-05.html"
NBA = "page_concept_10014149_nba2k26_tw_twd_psplus_trial_2026-05.html"
ANNOUNCED = "page_concept_10014992_announced_no_price_tw_2026-05.html"
FFXV = "graphql_productRetrieveForUpsellWithCtas_hk_hkd_ffxv_no_discount_empty_ctas_2023-02.json"
PVZ = "graphql_productRetrieveForUpsellWithCtas_hk_hkd_pvz_bfn_psplus_ea_discounts_2023-02.json"
UNCHARTED = "graphql_productRetrieveForUpsellWithCtas_hk_hkd_uncharted_sale_and_psplus_catalog_2023-02.json"


@pytest.fixture
def spider():
    """A fresh spider per test: a crawl's spider reports each listing once, so it keeps what it has seen."""
    return PsStoreSpider.from_crawler(get_crawler(PsStoreSpider))


def page(corpus, name):
    concept = name.split("_")[2]
    url = f"https://store.playstation.com/zh-hant-tw/concept/{concept}"
    return HtmlResponse(url=url, body=(corpus / "psstore" / name).read_bytes(), encoding="utf-8", request=Request(url))


def graphql(corpus, name, region="HK", url=GRAPHQL):
    return TextResponse(url=url, body=(corpus / "psstore" / name).read_bytes(), encoding="utf-8",
                        request=Request(url, meta={"region": region}))


def run(spider, response):
    return list(spider.callback_for(response)(response))


def items_by_id(spider, response):
    items = [out for out in run(spider, response) if isinstance(out, dict)]
    for item in items:
        jsonschema.validate(item, schema("store_listing"))
    return {item["store_item_id"]: item for item in items}


def priced(item):
    keys = ("title", "kind", "region", "currency", "price", "regular_price", "discount_percent", "is_free")
    return {key: item[key] for key in keys} | {key: item[key] for key in ("subscription", "discount_ends_at")
                                              if key in item}


PAGE_CASES = [
    (DIABLO, "UP0002-PPSA02442_00-DIVBASEGAME00000", {
        "title": "《暗黑破壞神® IV》- 標準版 (簡體中文, 韓文, 英文, 繁體中文, 日文)", "kind": "bundle", "region": "TW",
        "currency": "TWD", "price": "945.00", "regular_price": "1575.00", "discount_percent": 40, "is_free": False,
        "discount_ends_at": "2026-05-27T14:59:00Z"}),
    (DIABLO, "UP0002-PPSA02442_00-DIVLOHCOMBO00000", {
        "title": "《暗黑破壞神® IV：憎恨時代合輯》 (簡體中文, 韓文, 英文, 繁體中文, 日文)", "kind": "bundle", "region": "TW",
        "currency": "TWD", "price": "2030.00", "regular_price": "2030.00", "discount_percent": 0, "is_free": False}),
    # add-on listed with a SkuPrice (formatted string only), in the page's currency
    (DIABLO, "UP0002-PPSA02442_00-D4LOHSTANDARD000", {
        "title": "《暗黑破壞神® IV：憎恨之王™》標準版 (中英韓文版)", "kind": "dlc", "region": "TW",
        "currency": "TWD", "price": "1160.00", "regular_price": "1160.00", "discount_percent": 0, "is_free": False}),
    (PRAGMATA, "UP0102-PPSA02530_00-PRAGMATA00000000", {
        "title": "PRAGMATA (簡體中文, 韓文, 英文, 繁體中文, 日文)", "kind": "game", "region": "TW",
        "currency": "TWD", "price": "1690.00", "regular_price": "1690.00", "discount_percent": 0, "is_free": False}),
    (PRAGMATA, "UP0102-PPSA02530_00-PRAGMATADX000000", {
        "title": "PRAGMATA Deluxe Edition (簡體中文, 韓文, 英文, 繁體中文, 日文)", "kind": "bundle", "region": "TW",
        "currency": "TWD", "price": "1991.00", "regular_price": "1991.00", "discount_percent": 0, "is_free": False}),
    (FREE, "UB1244-PPSA26558_00-PWRDNTEGB0000000", {
        "title": "異環 (簡體中文, 韓文, 英文, 繁體中文, 日文)", "kind": "game", "region": "TW",
        "currency": "TWD", "price": "0.00", "regular_price": "0.00", "discount_percent": 0, "is_free": True}),
    (FREE, "UB1244-PPSA26558_00-PWRDNTE3280VC000", {
        "title": "異環-異晶×3280 (中日英韓文版)", "kind": "dlc", "region": "TW",
        "currency": "TWD", "price": "1691.00", "regular_price": "1691.00", "discount_percent": 0, "is_free": False}),
    # PS Plus member gift pack: NT$0 only with PS Plus
    (FREE, "UB1244-PPSA26558_00-PWRDNTEPSPLUS000", {
        "title": "《異環》 PlayStation®Plus 會員禮包 (中日英韓文版)", "kind": "dlc", "region": "TW",
        "currency": "TWD", "price": "0.00", "regular_price": "0.00", "discount_percent": 0, "is_free": True,
        "subscription": "PS_PLUS"}),
    # offer0 is a PS Plus game trial, offer1 the public full price: the public price is the listing
    (NBA, "UP1001-PPSA28420_00-NBA2K26000000000", {
        "title": "適用於PS5®的《NBA 2K26》 (簡體中文, 韓文, 英文, 繁體中文, 日文)", "kind": "game", "region": "TW",
        "currency": "TWD", "price": "2090.00", "regular_price": "2090.00", "discount_percent": 0, "is_free": False}),
    (NBA, "UP1001-PPSA28420_00-NBA2K26PGA2K2500", {
        "title": "《NBA 2K26》x《PGA TOUR 2K25》同捆 (簡體中文, 韓文, 英文, 繁體中文, 日文)", "kind": "bundle",
        "region": "TW", "currency": "TWD", "price": "747.00", "regular_price": "2989.00", "discount_percent": 75,
        "is_free": False, "discount_ends_at": "2026-05-27T14:59:00Z"}),
]


@pytest.mark.parametrize("name, product_id, expected", PAGE_CASES)
def test_concept_page_listing(spider, corpus, name, product_id, expected):
    item = items_by_id(spider, page(corpus, name))[product_id]
    assert priced(item) == expected
    assert item["url"] == f"https://store.playstation.com/zh-hant-tw/product/{product_id}"


@pytest.mark.parametrize("name, count", [(DIABLO, 12), (PRAGMATA, 4), (FREE, 8), (NBA, 15), (ANNOUNCED, 0)])
def test_concept_page_yields_one_listing_per_priced_product(spider, corpus, name, count):
    assert len(items_by_id(spider, page(corpus, name))) == count


def test_announced_concept_has_no_price(spider, corpus):
    assert run(spider, page(corpus, ANNOUNCED)) == []


def test_unavailable_add_on_is_not_listed(spider, corpus):
    # SkuPrice "無法使用" (unavailable): no number, no listing
    assert "UP1001-PPSA28420_00-VCDIG20000000000" not in items_by_id(spider, page(corpus, NBA))


GRAPHQL_CASES = [
    (FFXV, "JP0082-CUSA01570_00-FFXVROYALEDITION", {
        "title": "FINAL FANTASY XV ROYAL EDITION (日语, 英语)", "kind": "game", "region": "HK", "currency": "HKD",
        "price": "390.00", "regular_price": "390.00", "discount_percent": 0, "is_free": False}),
    (FFXV, "JP0082-CUSA13402_00-ONLINESTANDALONE", {
        "title": "FINAL FANTASY XV MULTIPLAYER: COMRADES (日英文版)", "kind": "game", "region": "HK",
        "currency": "HKD", "price": "79.00", "regular_price": "79.00", "discount_percent": 0, "is_free": False}),
    # only offer: a PS Plus member price (serviceBranding PS_PLUS, qualification ENTITLED_TO the PLUS entitlement)
    (PVZ, "UP0006-CUSA10863_00-ASIA000000000003", {
        "title": "植物大战僵尸™: 和睦小镇保卫战 (日语, 韩语, 简体中文, 繁体中文, 英语)", "kind": "game", "region": "HK",
        "currency": "HKD", "price": "38.24", "regular_price": "239.00", "discount_percent": 84, "is_free": False,
        "subscription": "PS_PLUS", "discount_ends_at": "2023-03-01T15:59:00Z"}),
    # public HK$469.00 wins over the EA Play -10% upsell
    (PVZ, "UP0006-CUSA10863_00-FAMILYBUNDLE2020", {
        "title": "EA 植物飞车捆绑包 (日语, 韩语, 简体中文, 繁体中文, 英语)", "kind": "game", "region": "HK",
        "currency": "HKD", "price": "469.00", "regular_price": "469.00", "discount_percent": 0, "is_free": False}),
    (PVZ, "UP0006-CUSA10863_00-ASIA000000000004", {
        "title": "《植物大战僵尸™：和睦小镇保卫战》豪华版 (日语, 韩语, 简体中文, 繁体中文, 英语)", "kind": "game",
        "region": "HK", "currency": "HKD", "price": "319.00", "regular_price": "319.00", "discount_percent": 0,
        "is_free": False}),
    # game catalogue "包含" (Included) is the only offer: tied to PS Plus, never a public price
    (UNCHARTED, "HP9000-CUSA08352_00-UNCHD4LOSTLEGACY", {
        "title": "UNCHARTED: The Lost Legacy™ (中英韩文版)", "kind": "game", "region": "HK", "currency": "HKD",
        "price": "0.00", "regular_price": "148.00", "discount_percent": 100, "is_free": True,
        "subscription": "PS_PLUS"}),
    (UNCHARTED, "HP9000-CUSA00912_00-U4UTLLBUNDLE0000", {
        "title": "《UNCHARTED 4: A Thief’s End》和《UNCHARTED: The Lost Legacy》数字版组合包 (游戏)", "kind": "game",
        "region": "HK", "currency": "HKD", "price": "318.00", "regular_price": "318.00", "discount_percent": 0,
        "is_free": False}),
]


@pytest.mark.parametrize("name, product_id, expected", GRAPHQL_CASES)
def test_graphql_product_listing(spider, corpus, name, product_id, expected):
    assert priced(items_by_id(spider, graphql(corpus, name))[product_id]) == expected


@pytest.mark.parametrize("name, product_id", [
    (FFXV, "HP0082-CUSA13603_00-ONLINESTANDALONE"),  # webctas []
    (FFXV, "HP0082-CUSA01706_00-GAMEROYALEDITION"),  # owned: DOWNLOAD only, all-null price
    (UNCHARTED, "HP9000-CUSA00912_00-ASIAPLACEHOLDER0"),  # owned: DOWNLOAD only
    # HK$80.00 is a PS4-owner upgrade offer (ENTITLED_TO the PS4 game), the other CTA a PS Plus trial
    (UNCHARTED, "HP9000-PPSA05686_00-UNCHARTED4R00000"),
])
def test_graphql_products_without_a_listing(spider, corpus, name, product_id):
    assert product_id not in items_by_id(spider, graphql(corpus, name))


def test_region_is_required_for_graphql_answers(spider, corpus):
    response = TextResponse(url=GRAPHQL, body=(corpus / "psstore" / PVZ).read_bytes(), encoding="utf-8",
                            request=Request(GRAPHQL))
    with pytest.raises(ValueError, match="no region"):
        run(spider, response)


@pytest.mark.parametrize(("name", "region", "entry_id", "expected"), [
    # file, region, concept or product id, (kind, currency, price, regular, discount, free) read by eye
    ("graphql_categoryGridRetrieve_kr_krw_6concepts_TRIMMED_edited.json", "KR", "10000730",
     ("game", "KRW", "112800", "112800", 0, False)),                   # "112,800원": won, no decimals
    ("graphql_categoryGridRetrieve_kr_krw_6concepts_TRIMMED_edited.json", "KR", "10002427",
     ("game", "KRW", "0", "0", 0, True)),                              # "무료" (free), no isFree in the trim
    ("graphql_categoryGridRetrieve_products_fi_eur_6_discounted_and_unavailable_TRIMMED_2026-05.json", "FI",
     "UB1029-PPSA34991_00-0305564308280273", ("game", "EUR", "5.97", "9.95", 40, False)),  # "€5,97"
    ("graphql_categoryGridRetrieve_products_fi_eur_6_discounted_and_unavailable_TRIMMED_2026-05.json", "FI",
     "EP8424-PPSA34421_00-CTS26EXPERTUPG01", ("dlc", None, None, None, 0, False)),  # "Ei saatavilla"
])
def test_category_grid_entries_are_listings_priced_from_their_text(spider, corpus, name, region, entry_id, expected):
    out = run(spider, graphql(corpus, name, region))
    items = {item["store_item_id"]: item for item in out if isinstance(item, dict)}
    item = items[entry_id]
    assert (item["kind"], item["currency"], item["price"], item["regular_price"], item["discount_percent"],
            item["is_free"]) == expected


def test_category_grid_states_its_total_and_asks_the_next_page(spider, corpus):
    out = run(spider, graphql(corpus, "graphql_categoryGridRetrieve_kr_krw_6concepts_TRIMMED_edited.json", "KR"))
    (next_page,) = [request for request in out if isinstance(request, Request)]
    assert "categoryGridRetrieve" in next_page.url and "%22offset%22%3A24" in next_page.url
    assert next_page.headers["x-psn-store-locale-override"] == b"ko-kr"
    assert spider.coverage.state["expected"] == {"KR": 7571}


@pytest.mark.parametrize("name", ["chihiro_product_us_shadow_of_the_colossus_2018.json",
                                  "chihiro_container_us_flashsale18lp_2018_legacy.json"])
def test_legacy_chihiro_json_yields_nothing(spider, corpus, name):
    url = "https://store.playstation.com/store/api/chihiro/00_09_000/container/US/en/999/X"
    assert run(spider, graphql(corpus, name, "US", url=url)) == []


@pytest.mark.slow
def test_replay_crawl(replay_server, tmp_path):
    crawl = run_crawl("psstore", replay_server.url, tmp_path, regions="TW")
    assert crawl.returncode == 0, crawl.log[-3000:]
    items = crawl.items
    for item in items:
        jsonschema.validate(item, schema("store_listing"))
    ids = {item["store_item_id"] for item in items}
    assert len(items) == len(ids) == 12 + 4 + 8 + 15
    assert {"UP0002-PPSA02442_00-DIVBASEGAME00000", "UP0102-PPSA02530_00-PRAGMATA00000000",
            "UB1244-PPSA26558_00-PWRDNTEGB0000000", "UP1001-PPSA28420_00-NBA2K26000000000"} <= ids
    assert {item["region"] for item in items} == {"TW"}
