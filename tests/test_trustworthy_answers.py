"""Answers a user can trust (issue 15): stale listings stop being current, filters come before ranking, and a
watch rule's new low is judged across the game's listings. Each test builds the situation through the ETL and
reads the reporting views and `pricewatch report`, or `pricewatch games`."""
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from etl_fixtures import rows, run_etl
from loader_fixtures import listing, write_feed

from loader import build_loader
from pricewatch import etl_cycle
from pricewatch.cli import main

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def best(capsys, *argv) -> list[tuple]:
    assert main(["report", "best", "--format", "json", *argv]) == 0
    return [(row["store"], row["region"], row["price"]) for row in json.loads(capsys.readouterr().out)]


@pytest.fixture
def delisted(admin, staging):
    """Steam US crawled today. Hollow Knight's sale at 5.00 was last seen a month ago (the store stopped
    listing it; the sale ended 25 days ago); GOG sells it at 9.99, seen today. Celeste's sale was seen
    yesterday, but its end passed since. Stardew Valley went unseen for 40 days, then came back at 12.00."""
    staging.change("367520", days_ago(60).isoformat(), price="14.99", regular_price="14.99")
    staging.change("367520", days_ago(31).isoformat(), price="5.00", regular_price="14.99", discount_percent=67,
                   discount_ends_at=days_ago(25).isoformat())
    staging.confirm("367520", days_ago(30).isoformat())
    staging.change("1308320452", days_ago(30).isoformat(), source="gog", price="9.99", regular_price="14.99",
                   discount_percent=33)
    staging.confirm("1308320452", days_ago(0).isoformat(), source="gog")
    staging.change("504230", days_ago(3).isoformat(), title="Celeste", price="4.99", regular_price="19.99",
                   discount_percent=75, discount_ends_at=days_ago(0.5).isoformat())
    staging.confirm("504230", days_ago(1).isoformat())
    staging.change("413150", days_ago(50).isoformat(), title="Stardew Valley", price="14.99", regular_price="14.99")
    staging.change("413150", days_ago(10).isoformat(), title="Stardew Valley", price="12.00", regular_price="14.99",
                   discount_percent=20)
    staging.confirm("413150", days_ago(0).isoformat())
    for source in ("steam", "gog"):
        assert run_etl(admin, source)["status"] == "succeeded"
    return admin


def test_a_listing_unseen_for_longer_than_the_rule_allows_is_not_current(delisted, capsys):
    assert rows(delisted, "select store, title, price from reporting.current_prices order by store, title") == [
        ("gog", "Hollow Knight", Decimal("9.99")), ("steam", "Stardew Valley", Decimal("12.00"))]
    assert rows(delisted, "select game, store, price from reporting.best_prices order by game") == [
        ("Hollow Knight", "gog", Decimal("9.99")), ("Stardew Valley", "steam", Decimal("12.00"))]
    assert rows(delisted, """
        select store, current_price, all_time_low, at_all_time_low from reporting.historical_lows
        where title = 'Hollow Knight' order by store""") == [
        ("gog", Decimal("9.99"), Decimal("9.99"), True), ("steam", None, Decimal("5.00"), None)]
    assert best(capsys, "--game", "hollow") == [("gog", "US", "9.99")]


def test_the_latest_crawl_of_each_store_and_region_is_kept_by_the_etl(delisted, staging):
    """The freshness rule reads core.latest_crawl, which each run moves to its newest sighting (a change or a
    confirmation) of the store and region; a store the run did not see keeps its own."""
    latest = "select store, region, crawled_at from core.latest_crawl order by store, region"
    assert rows(delisted, latest) == [("gog", "US", days_ago(0)), ("steam", "US", days_ago(0))]
    staging.confirm("504230", days_ago(-0.01).isoformat())
    for source in ("steam", "gog"):
        assert run_etl(delisted, source)["status"] == "succeeded"
    assert rows(delisted, latest) == [("gog", "US", days_ago(0)), ("steam", "US", days_ago(-0.01))]


def test_the_timeline_marks_the_days_a_listing_went_unseen(delisted):
    days = rows(delisted, """
        select (current_date - day), listed, price from reporting.price_timeline
        where title = %s and store = 'steam' order by day""", ("Hollow Knight",))
    assert days[0] == (60, True, Decimal("14.99"))
    assert (30, True, Decimal("5.00")) in days and (29, False, None) in days
    assert days[-1] == (0, False, None)
    stardew = dict((age, price) for age, _, price in rows(delisted, """
        select (current_date - day), listed, price from reporting.price_timeline where title = 'Stardew Valley'"""))
    # Back after 40 unseen days at a new price: the old price is not carried across the gap.
    assert stardew[50] == Decimal("14.99") and stardew[30] is None and stardew[10] == stardew[0] == Decimal("12.00")


def test_how_long_a_listing_may_go_unseen_is_a_setting(delisted, capsys):
    with delisted.cursor() as cur:
        cur.execute("update core.freshness set stale_after = interval '60 days'")
    # The sale's own end date still ends it; without one, the month-old price would be current again.
    assert best(capsys, "--game", "hollow") == [("gog", "US", "9.99")]
    with delisted.cursor() as cur:
        cur.execute("update core.price_history set discount_ends_at = null")
    assert best(capsys, "--game", "hollow") == [("steam", "US", "5.00")]


@pytest.fixture
def euro_offers(admin, staging):
    """Hollow Knight in euros: cheapest on Steam FR, dearer on Steam DE and on GOG DE."""
    for store_item_id, source, region, price in [("367520", "steam", "FR", "11.99"), ("367520", "steam", "DE", "13.99"),
                                                 ("1308320452", "gog", "DE", "12.99")]:
        staging.change(store_item_id, days_ago(1).isoformat(), source=source, region=region, currency="EUR",
                       price=price, regular_price="14.99", discount_percent=0)
    for source in ("steam", "gog"):
        assert run_etl(admin, source)["status"] == "succeeded"
    return admin


@pytest.mark.parametrize("argv, expected", [
    ([], [("steam", "FR", "11.99")]),
    (["--region", "de"], [("gog", "DE", "12.99")]),
    (["--store", "steam", "--region", "DE"], [("steam", "DE", "13.99")]),
    (["--store", "gog"], [("gog", "DE", "12.99")]),
])
def test_report_best_filters_before_ranking(euro_offers, capsys, argv, expected):
    assert best(capsys, *argv) == expected


def test_best_prices_in_a_region_is_a_function_of_the_views(euro_offers):
    assert rows(euro_offers, "select store, price from reporting.best_prices_in(null, 'DE')") == [
        ("gog", Decimal("12.99"))]


def test_a_new_low_is_judged_across_the_games_listings_in_the_region_and_currency(admin, staging):
    staging.change("367520", "2026-01-01T12:00:00Z", price="5.00", regular_price="19.99", discount_percent=75)
    staging.change("367520", "2026-02-01T12:00:00Z", price="19.99", regular_price="19.99")
    staging.change("1308320452", "2026-01-01T12:00:00Z", source="gog", price="19.99", regular_price="19.99")
    staging.change("1308320452", "2026-03-01T12:00:00Z", source="gog", price="15.00", regular_price="19.99",
                   discount_percent=25)
    staging.change("1308320452", "2026-04-01T12:00:00Z", source="gog", price="4.00", regular_price="19.99",
                   discount_percent=80)
    for source in ("steam", "gog"):
        run_etl(admin, source)
    with admin.cursor() as cur:
        cur.execute("""
            insert into core.watch_rule (title, anchor_listing_id, region, new_low, created_at)
            select 'Hollow Knight', listing_id, 'US', 'all_time', '2025-01-01' from core.listing
            where store_item_id = '1308320452' returning watch_rule_id""")
        rule = cur.fetchone()[0]
    # GOG at 15.00 is its own low, but Steam sold the game at 5.00: only 4.00 is a new low of the game.
    assert rows(admin, """
        select store, price::text from reporting.watchlist_alerts where watch_rule_id = %s
        order by price_since""", (rule,)) == [("gog", "4.00")]


def test_a_listing_back_at_the_same_price_after_a_gap_starts_a_new_period(admin, staging):
    staging.change("413150", days_ago(50).isoformat(), title="Stardew Valley", price="14.99", regular_price="14.99")
    staging.confirm("413150", days_ago(49).isoformat())
    assert run_etl(admin)["status"] == "succeeded"
    staging.confirm("413150", days_ago(48).isoformat())
    assert run_etl(admin)["status"] == "succeeded"
    for age in (2, 0):
        staging.confirm("413150", days_ago(age).isoformat())
        assert run_etl(admin)["status"] == "succeeded"
    assert rows(admin, """
        select (current_date - valid_from::date), (current_date - held_until::date), is_current
        from reporting.price_history order by valid_from""") == [(50, 48, False), (2, None, True)]
    listed = dict(rows(admin, "select (current_date - day), listed from reporting.price_timeline"))
    assert listed[48] and not listed[47] and not listed[3] and listed[2] and listed[0]


def test_a_drop_across_a_currency_round_trip_is_a_drop(admin, staging, capsys):
    for day, currency, price in [("2026-01-01", "USD", "20.00"), ("2026-02-01", "EUR", "15.00"),
                                 ("2026-03-01", "USD", "10.00")]:
        staging.change("367520", f"{day}T12:00:00Z", currency=currency, price=price, regular_price="20.00")
    assert run_etl(admin)["status"] == "succeeded"
    assert rows(admin, "select currency, old_price::text, new_price::text from reporting.price_drops") == [
        ("USD", "20.00", "10.00")]
    assert main(["report", "drops", "--format", "json"]) == 0
    assert [(row["old_price"], row["new_price"]) for row in json.loads(capsys.readouterr().out)] == [("20.00", "10.00")]


SAME_MOMENT = "same listing and scraped_at as a record already loaded, with different content"


@pytest.mark.parametrize("second_file, reasons", [
    # Alone in its file, or with a later record of the listing: either way the moment is taken.
    ([listing(price="1.99")], [(1, SAME_MOMENT)]),
    ([listing(price="1.99"), listing(scraped_at="2026-11-02T10:00:00Z")], [(1, SAME_MOMENT)]),
    # Identical: the same state seen again, nothing to reject.
    ([listing()], []),
])
def test_records_at_the_same_moment_follow_one_rule_within_and_across_files(db_url, admin, tmp_path, second_file,
                                                                            reasons):
    with build_loader({"DATABASE_URL": db_url}) as loader:
        loader.load(write_feed(tmp_path / "first.jl", [listing(), listing(price="2.99")]))
        loader.load(write_feed(tmp_path / "second.jl", second_file))
    assert rows(admin, "select line_number, reason from ops.load_reject order by feed_file_id, line_number") == [
        (2, "same listing and scraped_at as line 1 with different content"), *reasons]
    assert not etl_cycle.run(url=db_url).failed
    assert rows(admin, "select count(*) from core.price_history where valid_to <= valid_from") == [(0,)]
    assert rows(admin, "select min(all_time_low)::text from reporting.historical_lows") == [("14.99",)]


def test_title_url_and_game_belong_to_the_listing_in_its_region(admin, staging, capsys):
    store_page = "https://store.playstation.com/{}/product/EP9000-PPSA1".format
    staging.change("EP9000-PPSA1", days_ago(3).isoformat(), source="psstore", region="GB", currency="GBP",
                   title="Hogwarts Legacy", price="49.99", regular_price="49.99", url=store_page("en-gb"))
    staging.change("EP9000-PPSA1", days_ago(2).isoformat(), source="psstore", region="DE", currency="EUR",
                   title="Hogwarts Legacy Deluxe-Edition", price="59.99", regular_price="59.99",
                   url=store_page("de-de"))
    assert run_etl(admin, "psstore")["status"] == "succeeded"
    staging.change("EP9000-PPSA1", days_ago(1).isoformat(), source="psstore", region="DE", currency="EUR",
                   title="Hogwarts Legacy Deluxe-Edition", price="29.99", regular_price="59.99", discount_percent=50,
                   url=store_page("de-de"))
    assert run_etl(admin, "psstore")["status"] == "succeeded"
    assert rows(admin, "select region, title, url from reporting.current_prices order by region") == [
        ("DE", "Hogwarts Legacy Deluxe-Edition", store_page("de-de")), ("GB", "Hogwarts Legacy", store_page("en-gb"))]
    assert rows(admin, "select game, currency, url from reporting.best_prices order by currency") == [
        ("Hogwarts Legacy", "EUR", store_page("de-de")), ("Hogwarts Legacy", "GBP", store_page("en-gb"))]
    assert rows(admin, "select title, described_region from core.listing") == [("Hogwarts Legacy", "GB")]
    assert main(["report", "lows", "--region", "gb", "--format", "json"]) == 0
    assert [(row["title"], row["url"]) for row in json.loads(capsys.readouterr().out)] == [
        ("Hogwarts Legacy", store_page("en-gb"))]


# One day's feeds (store, item, title, release date) and the games they make, one letter per game; then the
# listings `pricewatch games show TITLE` lists for a title typed as a store writes it.
REMAKES = [
    ([("steam", "379720", "DOOM (2016)", "12 May, 2016"), ("psstore", "UP1003-CUSA02092", "DOOM", "2016-05-13T00:00:00Z"),
      ("steam", "2280", "DOOM (1993)", "Aug 3, 2007"), ("gog", "1", "DOOM", "1993-12-10")],
     "AABB", "DOOM (1993)", ["gog:1", "steam:2280"]),
    ([("gog", "2", "Resident Evil 2", "1998-01-21"), ("steam", "883710", "RESIDENT EVIL 2", "24 Jan, 2019"),
      ("psstore", "UP0102-CUSA09193", "RESIDENT EVIL 2", "2019-01-25T00:00:00Z")],
     "ABB", "Resident Evil 2", ["gog:2"]),
    ([("steam", "367520", "Hollow Knight", "24 Feb, 2017"), ("eshop", "70010000003208", "Hollow Knight", "2018-06-12"),
      ("epic", "hollow-knight", "Hollow Knight", None)],
     "AAA", "Hollow Knight", ["epic:hollow-knight", "eshop:70010000003208", "steam:367520"]),
    ([("steam", "2280", "DOOM (1993)", "Aug 3, 2007"), ("psstore", "UP1003-CUSA02092", "DOOM", "2016-05-13T00:00:00Z"),
      ("epic", "doom", "DOOM", None)],
     "ABC", "DOOM (1993)", ["steam:2280"]),
]


@pytest.mark.parametrize("feeds, games, typed, shown", REMAKES, ids=[typed for *_, typed, _ in REMAKES])
def test_a_remake_sold_under_its_originals_title_is_a_game_of_its_own(admin, staging, capsys, feeds, games, typed,
                                                                      shown):
    """Identical titles released more than five years apart (a year in parentheses, or the store's release date)
    are two games; a listing of unknown year joins the only release of its title, and stays apart from several."""
    for store, item, title, released in feeds:
        staging.change(item, days_ago(1).isoformat(), source=store, title=title, release_date=released)
    for store in sorted({store for store, *_ in feeds}):
        assert run_etl(admin, store)["status"] == "succeeded"
    assert main(["games", "match"]) == 0
    game_of = dict(rows(admin, "select store || ':' || store_item_id, game_id from reporting.game_listings"))
    letters = {}
    assert "".join(letters.setdefault(game_of[f"{store}:{item}"], "ABC"[len(letters)])
                   for store, item, *_ in feeds) == games
    capsys.readouterr()
    assert main(["games", "show", typed, "--format", "json"]) == 0
    assert sorted(f"{row['store']}:{row['store_item_id']}" for row in json.loads(capsys.readouterr().out)) == shown


@pytest.mark.parametrize("record, reason", [
    (listing(scraped_at="2062-01-01T00:00:00Z"), "scraped_at: in the future (more than 15 minutes after the load)"),
    (listing(scraped_at="0001-01-01T00:00:00Z"), "scraped_at: before 2000, not a real scrape time"),
    (listing(price="25.00", regular_price="10.00", discount_percent=0), "price: above regular_price"),
    (listing(price="1.50", regular_price="14.99", discount_percent=50),
     "discount_percent: 50 does not match price and regular_price (90% off)"),
    (listing(price="10.00", regular_price="20.00", discount_percent=0),
     "discount_percent: 0 does not match price and regular_price (50% off)"),
    (listing(price="20.00", regular_price="20.00", discount_percent=50),
     "discount_percent: 50 does not match price and regular_price (0% off)"),
    (listing(is_free=True, price="4.99", regular_price="4.99", discount_percent=0), "is_free: true with a price above 0"),
])
def test_impossible_clocks_and_contradicting_fields_are_rejected_with_a_reason(db_url, admin, tmp_path, record,
                                                                              reason):
    with build_loader({"DATABASE_URL": db_url}) as loader:
        loader.load(write_feed(tmp_path / "bad.jl", [record]))
        # Then a real change: a bad record before it must not block it.
        result = loader.load(write_feed(tmp_path / "good.jl", [listing(scraped_at=days_ago(1).isoformat(),
                                                                       price="9.99", discount_percent=33)]))
    assert rows(admin, "select reason from ops.load_reject") == [(reason,)]
    assert (result.rows_new, result.rows_rejected) == (1, 0)
    assert rows(admin, "select max(last_seen_at) <= now() from staging.store_listing") == [(True,)]


def test_a_rescrape_of_an_identical_line_dated_in_the_future_is_rejected(db_url, admin, tmp_path):
    with build_loader({"DATABASE_URL": db_url}) as loader:
        loader.load(write_feed(tmp_path / "first.jl", [listing(scraped_at=days_ago(2).isoformat())]))
        future = loader.load(write_feed(tmp_path / "future.jl", [listing(scraped_at="2062-01-01T00:00:00Z")]))
    assert (future.lines_fingerprinted, future.rows_rejected) == (0, 1)
    assert rows(admin, "select max(last_seen_at) <= now() from staging.store_listing") == [(True,)]
