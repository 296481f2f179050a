"""Every Steam recording through the callback the crawl uses, with values checked by eye against the files."""
import json
import subprocess
import sys

import pytest
from scrapy import Request

from foundation.errors import PricewatchError
from pricewatch.commands.parse import build_spider, parse_file, saved_response
from scrapers.pipelines.validation import contract_errors
from scrapers.settings import PRICEWATCH_ITEM_SCHEMAS
from scrapers.spiders.steam import stated_or_implied

APPDETAILS = "https://store.steampowered.com/api/appdetails"


def run(corpus, name, url=None, region=None):
    items, _ = parse_file("steam", corpus / "steam" / name, url, region)
    for item in items:
        assert contract_errors(item, PRICEWATCH_ITEM_SCHEMAS) == []
    return {(item["store_item_id"], item["region"]): item for item in items}


def outputs(corpus, name, url, regions="US,GB,DE"):
    spider = build_spider("steam", regions=regions)
    response = saved_response(corpus / "steam" / name, url)
    return list(spider.callback_for(response)(response))


PRICED = [
    # file, url, (appid, region), currency, price, regular, discount, is_free, kind, title
    ("appdetails_413150_stardew_krw_trimmed.json", f"{APPDETAILS}?appids=413150&cc=kr",
     ("413150", "KR"), "KRW", "16000", "16000", 0, False, "game", "Stardew Valley"),
    ("appdetails_filters_price_overview_multi_tr_usd_2026-07.json",
     f"{APPDETAILS}?appids=1245620,1091500,413150&cc=tr&filters=price_overview",
     ("1091500", "TR"), "USD", "13.49", "44.99", 70, False, "other", ""),
    ("appdetails_filters_price_overview_multi_tr_usd_2026-07.json",
     f"{APPDETAILS}?appids=1245620,1091500,413150&cc=tr&filters=price_overview",
     ("1245620", "TR"), "USD", "39.99", "39.99", 0, False, "other", ""),
    ("appdetails_filters_price_overview_multi_tr_usd_2026-07.json",
     f"{APPDETAILS}?appids=1245620,1091500,413150&cc=tr&filters=price_overview",
     ("413150", "TR"), "USD", "3.59", "5.99", 40, False, "other", ""),
    ("appdetails_filters_price_overview_multi_ua_uah_2026-07.json",
     f"{APPDETAILS}?appids=1245620,413150&cc=ua&filters=price_overview",
     ("1245620", "UA"), "UAH", "1799.00", "1799.00", 0, False, "other", ""),
    ("appdetails_filters_price_overview_multi_ua_uah_2026-07.json",
     f"{APPDETAILS}?appids=1245620,413150&cc=ua&filters=price_overview",
     ("413150", "UA"), "UAH", "137.00", "229.00", 40, False, "other", ""),
    ("appdetails_440_tf2_free_raw.json", f"{APPDETAILS}?appids=440&cc=us",
     ("440", "US"), "USD", "0.00", "0.00", 0, True, "game", "Team Fortress 2"),
    ("istorebrowse_getitems_ru_rub_4items_discount_and_unavailable_2026-09.json", None,
     ("620", "RU"), "RUB", "385.00", "385.00", 0, False, "other", "Portal 2"),
    ("istorebrowse_getitems_ru_rub_4items_discount_and_unavailable_2026-09.json", None,
     ("1282100", "RU"), "RUB", "573.00", "2869.00", 80, False, "other", "REMNANT II®"),
]


@pytest.mark.parametrize("name, url, key, currency, price, regular, discount, is_free, kind, title", PRICED)
def test_priced_items(corpus, name, url, key, currency, price, regular, discount, is_free, kind, title):
    item = run(corpus, name, url)[key]
    assert (item["currency"], item["price"], item["regular_price"], item["discount_percent"], item["is_free"]) == (
        currency, price, regular, discount, is_free)
    assert (item["kind"], item["title"]) == (kind, title)
    assert item["url"].startswith(f"https://store.steampowered.com/app/{key[0]}/")
    assert "snr=" not in item["url"] and "subscription" not in item


def test_getitems_unavailable_in_region_has_no_item_and_unpurchasable_has_no_price(corpus):
    items = run(corpus, "istorebrowse_getitems_ru_rub_4items_discount_and_unavailable_2026-09.json")
    assert set(items) == {("620", "RU"), ("1282100", "RU"), ("2669320", "RU")}  # 1091500: success 15
    fc25 = items[("2669320", "RU")]
    assert (fc25["price"], fc25["currency"], fc25["title"]) == (None, None, "EA SPORTS FC™ 25")
    assert items[("1282100", "RU")]["discount_ends_at"] == "2026-09-28T17:00:00Z"  # 1790614800


@pytest.mark.parametrize("name, url, expected", [
    ("appdetails_multi_game_dlc_fail_vn_trimmed.json", None,
     {("1245620", "VN"): ("game", "ELDEN RING"), ("2778580", "VN"): ("dlc", "ELDEN RING Shadow of the Erdtree")}),
    ("appdetails_multi_trimmed_with_success_false.json", None,
     {("1086940", "GB"): ("other", "Baldur's Gate 3"), ("440", "GB"): ("other", "Team Fortress 2")}),
])
def test_trimmed_appdetails_give_titles_and_kinds_but_never_a_price(corpus, name, url, expected):
    items = run(corpus, name, url)
    assert {key: (item["kind"], item["title"]) for key, item in items.items()} == expected
    assert all(item["price"] is None and item["currency"] is None for item in items.values())


def test_region_from_argument_when_the_url_does_not_name_one(corpus):
    name = "appdetails_filters_price_overview_multi_eur.json"
    with pytest.raises(PricewatchError, match="cannot tell the storefront region"):
        run(corpus, name)
    items = run(corpus, name, region="de")
    assert {key: (item["currency"], item["price"]) for key, item in items.items()} == {
        ("999", "DE"): ("EUR", "29.99"), ("346110", "DE"): ("EUR", "59.99")}


SEARCH = "https://store.steampowered.com/search/results/?query&start=0&count=100&infinite=1&l=english"


@pytest.mark.parametrize(("name", "url", "key", "expected"), [
    # file, url, (id, region), (kind, title, currency, price, regular, discount, free, platforms) read by eye
    ("search_results_json_usd_5rows_discounted_trimmed.json", f"{SEARCH}&category1=998&cc=us", ("381210", "US"),
     ("game", "Dead by Daylight", "USD", "7.99", "19.99", 60, False, ["windows"])),
    ("search_results_json_usd_5rows_discounted_trimmed.json", f"{SEARCH}&category1=998&cc=us", ("1091500", "US"),
     ("game", "Cyberpunk 2077", "USD", "17.99", "59.99", 70, False, ["mac", "windows"])),
    # data-price-final 1635000 is hundredths of won; the struck-out "₩ 21,800" has a thousands separator.
    ("search_results_fragment_kr_krw_25rows_discounted.html", f"{SEARCH}&category1=21&cc=kr", ("1478500", "KR"),
     ("dlc", "Big Walk", "KRW", "16350", "21800", 25, False, ["mac", "windows"])),
])
def test_search_rows_are_listings_of_the_region_and_category(corpus, name, url, key, expected):
    items = run(corpus, name, url)
    item = items[key]
    assert (item["kind"], item["title"], item["currency"], item["price"], item["regular_price"],
            item["discount_percent"], item["is_free"], item["platforms"]) == expected
    assert "snr=" not in item["url"]


def test_search_json_states_the_total_and_asks_the_next_page_of_its_category(corpus):
    spider = build_spider("steam", regions="US")
    response = saved_response(corpus / "steam" / "search_results_json_usd_5rows_discounted_trimmed.json",
                              f"{SEARCH}&category1=998&cc=us")
    outputs = list(spider.callback_for(response)(response))
    (next_page,) = [output for output in outputs if isinstance(output, Request)]
    assert "start=100" in next_page.url and "category1=998" in next_page.url and next_page.meta["page"] == 2
    assert spider.coverage.state["expected"] == {"US": 99893}
    assert len(spider.coverage.state["seen"]["US"]) == 5


def test_search_html_fragment_rows(corpus):
    items = run(corpus, "search_results_fragment_kr_krw_25rows_discounted.html", f"{SEARCH}&category1=998&cc=kr")
    assert len(items) == 25 and all(item["currency"] == "KRW" for item in items.values())
    assert items[("1478500", "KR")]["title"] == "Big Walk"


def test_featured_specials_priced_through_appdetails_keeping_discount_end(corpus):
    url = "https://store.steampowered.com/api/featuredcategories?cc=us&l=english&specials=3"
    requests = outputs(corpus, "featuredcategories_specials_usd_3items_trimmed.json", url)
    # discount_expiration 1791478800 in the file
    assert [(r.url, r.meta["discount_ends_at"]) for r in requests] == [
        (f"{APPDETAILS}?appids={appid}&cc=us&l=english", "2026-10-08T17:00:00Z") for appid in (1091500, 1086940, 2406770)]


def test_full_featured_response_uses_only_the_specials(corpus):
    requests = outputs(corpus, "featuredcategories_full_usd_2026-07.json",
                       "https://store.steampowered.com/api/featuredcategories?cc=us")
    assert len(requests) == 10 and "appids=1091500&" in requests[0].url


@pytest.mark.slow
def test_pricewatch_parse_prints_json_lines(corpus):
    done = subprocess.run([sys.executable, "-m", "pricewatch.cli", "parse", "steam",
                           str(corpus / "steam" / "appdetails_413150_stardew_krw_trimmed.json")],
                          capture_output=True, text=True, check=True)
    (line,) = done.stdout.splitlines()
    assert json.loads(line)["price"] == "16000"
    assert "1 items, 0 requests ignored" in done.stderr


@pytest.mark.slow
def test_pricewatch_parse_unknown_source_and_unparseable_file(tmp_path):
    junk = tmp_path / "junk.html"
    junk.write_text("<html>nothing here</html>")
    for source, message in (("nosuchstore", "unknown source 'nosuchstore'"), ("steam", "not a Steam page")):
        done = subprocess.run([sys.executable, "-m", "pricewatch.cli", "parse", source, str(junk)],
                              capture_output=True, text=True)
        assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_scrapy_list_shows_the_spiders():
    from foundation import config
    done = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=config.PROJECT_ROOT,
                          capture_output=True, text=True, check=True)
    assert "steam" in done.stdout.split()


@pytest.mark.parametrize("stated, regular, price, discount", [
    ("50", "19.99", "9.99", 50),            # stated: taken as Steam writes it
    (0, "19.99", "19.99", 0),
    (None, "20.00", "10.00", 50),           # none stated: the two prices give it, never a contradicting 0
    ("", "20.00", "10.00", 50),
    (None, None, None, 0),                  # not for sale
])
def test_a_discount_steam_does_not_state_is_the_one_its_prices_give(stated, regular, price, discount):
    assert stated_or_implied(stated, regular, price) == discount
