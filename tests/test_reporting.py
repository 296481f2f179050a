"""Reporting views and `pricewatch report`, over a small price history built through the ETL."""
import csv
import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from etl_fixtures import rows, run_etl

from migrations.repeatable import read_objects
from pricewatch.cli import main

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


STEAM_US = [(400, "14.99", 0), (200, "4.99", 67), (100, "14.99", 0), (30, "7.49", 50), (5, "9.99", 33)]


@pytest.fixture
def history(admin, staging):
    """Hollow Knight on Steam (US history, GB), GOG (cheapest in USD) and a PS Plus price on PS Store."""
    for days, price, discount in STEAM_US:
        staging.change("367520", days_ago(days).isoformat(), title="Hollow Knight", price=price,
                       regular_price="14.99", discount_percent=discount)
    staging.change("367520", days_ago(400).isoformat(), region="GB", title="Hollow Knight", currency="GBP",
                   price="11.99", regular_price="11.99")
    staging.change("1308320452", days_ago(10).isoformat(), source="gog", title="Hollow Knight", price="8.99",
                   regular_price="14.99", discount_percent=40, url="https://www.gog.com/game/hollow_knight")
    staging.change("UP1234-CUSA1", days_ago(3).isoformat(), source="psstore", title="Hollow Knight", price="5.99",
                   regular_price="14.99", discount_percent=60, subscription="PS_PLUS")
    for source in ("steam", "gog", "psstore"):
        assert run_etl(admin, source)["status"] == "succeeded"
    return admin


def test_current_prices_has_one_row_per_listing_and_region_and_no_subscription_price(history):
    assert rows(history, """
        select store, store_item_id, region, currency, price, discount_percent, subscription, subscription_price, since
        from reporting.current_prices order by store, region""") == [
        ("gog", "1308320452", "US", "USD", Decimal("8.99"), 40, None, None, days_ago(10)),
        ("psstore", "UP1234-CUSA1", "US", "USD", None, None, "PS_PLUS", Decimal("5.99"), days_ago(3)),
        ("steam", "367520", "GB", "GBP", Decimal("11.99"), 0, None, None, days_ago(400)),
        ("steam", "367520", "US", "USD", Decimal("9.99"), 33, None, None, days_ago(5)),
    ]


def test_best_prices_picks_the_cheapest_public_price_per_game_and_currency(history):
    assert rows(history, """
        select game, currency, price, store, region, url, listings_compared, highest_price
        from reporting.best_prices order by currency""") == [
        ("Hollow Knight", "GBP", Decimal("11.99"), "steam", "GB", None, 1, Decimal("11.99")),
        ("Hollow Knight", "USD", Decimal("8.99"), "gog", "US", "https://www.gog.com/game/hollow_knight", 2,
         Decimal("9.99")),
    ]


def test_price_history_lists_every_period(history):
    assert rows(history, """
        select price, valid_from, valid_to from reporting.price_history
        where store = 'steam' and region = 'US' order by valid_from""") == [
        (Decimal(price), days_ago(days), days_ago(STEAM_US[number + 1][0]) if number + 1 < len(STEAM_US) else None)
        for number, (days, price, _) in enumerate(STEAM_US)
    ]


def test_historical_lows_over_all_time_365_and_90_days(history):
    assert rows(history, """
        select current_price, all_time_low, all_time_low_at, low_365_days, low_365_days_at, low_90_days,
               low_90_days_at, at_all_time_low
        from reporting.historical_lows where store = 'steam' and region = 'US'""") == [
        (Decimal("9.99"), Decimal("4.99"), days_ago(200), Decimal("4.99"), days_ago(200), Decimal("7.49"),
         days_ago(30), False)]


def test_price_drops_with_old_and_new_price_and_percentage(history):
    drops = """select store, old_price, new_price, drop_percent, changed_at from {} order by changed_at"""
    assert rows(history, drops.format("reporting.price_drops")) == [
        ("steam", Decimal("14.99"), Decimal("4.99"), Decimal("66.7"), days_ago(200)),
        ("steam", Decimal("14.99"), Decimal("7.49"), Decimal("50.0"), days_ago(30)),
    ]
    assert rows(history, drops.format("reporting.price_drops_since(60)")) == [
        ("steam", Decimal("14.99"), Decimal("7.49"), Decimal("50.0"), days_ago(30))]


@pytest.mark.parametrize("states, drops", [
    # (days ago, price, currency, subscription) of one listing and region, oldest first -> (old, new) drops.
    ([(30, "20.00", "USD", None), (20, "5.00", "USD", "PS_PLUS"), (10, "10.00", "USD", None)], [("20.00", "10.00")]),
    ([(30, "20.00", "USD", None), (20, "15.00", "EUR", None), (10, "10.00", "USD", None)], [("20.00", "10.00")]),
    ([(30, "20.00", "USD", None), (20, None, "USD", None), (10, "10.00", "USD", None)], [("20.00", "10.00")]),
    ([(30, "20.00", "USD", None), (20, "25.00", "USD", None), (10, "10.00", "USD", None)], [("25.00", "10.00")]),
], ids=["across-subscription-only", "across-another-currency", "across-not-for-sale", "from-the-latest-price"])
def test_a_drop_is_from_the_previous_public_price_in_the_same_currency(admin, staging, states, drops):
    for days, price, currency, subscription in states:
        staging.change("367520", days_ago(days).isoformat(), price=price, currency=currency, subscription=subscription,
                       regular_price=price)
    run_etl(admin, "steam")
    assert rows(admin, "select old_price::text, new_price::text from reporting.price_drops") == drops
    assert rows(admin, "select old_price::text, new_price::text from reporting.price_drops_since(15)") == drops


def report(capsys, *argv) -> str:
    assert main(["report", *argv]) == 0
    return capsys.readouterr().out


def test_report_best_as_json(history, capsys):
    best = json.loads(report(capsys, "best", "--format", "json"))
    assert [(row["game"], row["currency"], row["price"], row["store"]) for row in best] == [
        ("Hollow Knight", "GBP", "11.99", "steam"), ("Hollow Knight", "USD", "8.99", "gog")]
    assert best[1]["since"] == days_ago(10).isoformat()


def test_report_drops_as_csv_filtered_by_days(history, capsys):
    table = list(csv.reader(io.StringIO(report(capsys, "drops", "--days", "60", "--format", "csv"))))
    assert table[0][:8] == ["changed_at", "store", "title", "region", "currency", "old_price", "new_price", "drop_percent"]
    assert [row[1:8] for row in table[1:]] == [["steam", "Hollow Knight", "US", "USD", "14.99", "7.49", "50.0"]]


def test_report_history_as_a_table_filtered_by_store_region_and_game(history, capsys):
    out = report(capsys, "history", "--store", "steam", "--region", "us", "--game", "hollow")
    assert "Hollow Knight" in out and "4.99" in out and "GBP" not in out
    assert out.count("14.99") == 5 + 2  # price and regular price of both 14.99 periods, regular price of the rest


def test_report_lows_table(history, capsys):
    out = report(capsys, "lows", "--store", "gog")
    assert "8.99" in out and "steam" not in out


def test_report_with_no_rows_says_so(db_url, capsys):
    assert "no rows" in report(capsys, "best")


@pytest.mark.parametrize("argv, message", [
    (["best", "--days", "7"], "--days applies to drops, history, news, deals, not to best"),
    (["lows", "--sort", "price"], "--sort price does not apply to lows"),
    (["lows", "--kind", "dlc"], "--kind does not apply to lows"),
    (["deals", "--min-discount", "10"], "--min-discount does not apply to deals"),
])
def test_report_refuses_options_that_do_not_apply(db_url, capsys, argv, message):
    assert main(["report", *argv]) == 1
    assert message in capsys.readouterr().err


def test_every_etl_and_reporting_function_is_commented(admin):
    assert rows(admin, """
        select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('etl', 'reporting') and obj_description(p.oid, 'pg_proc') is null""") == []
    function_files = [found for found in read_objects().values()
                      if found.kind == "function" and found.name.partition(".")[0] in ("etl", "reporting")]
    assert len(rows(admin, "select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                           "where n.nspname in ('etl', 'reporting')")) == len(function_files)


def test_best_prices_say_whether_the_price_is_the_lowest_ever_and_when_the_sale_ends(history, staging):
    staging.change("367520", days_ago(1).isoformat(), region="GB", title="Hollow Knight", currency="GBP",
                   price="5.99", regular_price="11.99", discount_percent=50, discount_ends_at=days_ago(-6).isoformat())
    assert run_etl(history, "steam")["status"] == "succeeded"
    assert rows(history, """
        select currency, price, all_time_low, at_all_time_low, discount_ends_at
        from reporting.best_prices order by currency""") == [
        ("GBP", Decimal("5.99"), Decimal("5.99"), True, days_ago(-6)),
        ("USD", Decimal("8.99"), Decimal("8.99"), True, None),
    ]


@pytest.fixture
def with_dlc(history, staging):
    staging.change("1000", days_ago(2).isoformat(), title="Hollow Knight - Soundtrack", kind="dlc", price="1.99",
                   regular_price="9.99", discount_percent=80)
    assert run_etl(history, "steam")["status"] == "succeeded"
    return history


@pytest.mark.parametrize("argv, expected", [
    ([], [("Hollow Knight", "GBP"), ("Hollow Knight", "USD")]),
    (["--kind", "dlc"], [("Hollow Knight - Soundtrack", "USD")]),
    (["--kind", "all", "--sort", "discount"],
     [("Hollow Knight - Soundtrack", "USD"), ("Hollow Knight", "USD"), ("Hollow Knight", "GBP")]),
    (["--kind", "all", "--sort", "price"],
     [("Hollow Knight - Soundtrack", "USD"), ("Hollow Knight", "USD"), ("Hollow Knight", "GBP")]),
    (["--min-discount", "40"], [("Hollow Knight", "USD")]),
    (["--kind", "all", "--min-discount", "41"], [("Hollow Knight - Soundtrack", "USD")]),
])
def test_report_best_kind_sort_and_min_discount(with_dlc, capsys, argv, expected):
    best = json.loads(report(capsys, "best", "--format", "json", *argv))
    assert [(row["game"], row["currency"]) for row in best] == expected


@pytest.mark.parametrize("argv, message", [
    (["best", "--store", "amazon"], "unknown store 'amazon'; known stores: epic, eshop, gog, psstore, steam"),
    (["history", "--region", "xx"], "unknown region 'xx'; known regions: GB, US"),
])
def test_unknown_store_or_region_lists_the_known_ones(history, capsys, argv, message):
    assert main(["report", *argv]) == 1
    assert capsys.readouterr().err == f"pricewatch: error: {message}\n"


def test_game_shows_one_game_at_every_store_and_region(history, capsys):
    assert main(["game", "hollow knight", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(row["store"], row["region"], row["currency"], row["price"], row["subscription_price"],
             row["all_time_low"], row["at_all_time_low"]) for row in listed] == [
        ("steam", "GB", "GBP", "11.99", None, "11.99", True),
        ("gog", "US", "USD", "8.99", None, "8.99", True),
        ("steam", "US", "USD", "9.99", None, "4.99", False),
        ("psstore", "US", "USD", None, "5.99", None, None),
    ]
    assert listed[2]["all_time_low_at"] == days_ago(200).isoformat()
    assert listed[2]["last_seen_at"] == days_ago(5).isoformat()
    assert main(["game", "hollow knight", "--region", "gb"]) == 0
    table = capsys.readouterr().out
    assert "11.99" in table and "USD" not in table
    assert main(["game", "silksong"]) == 1
    assert "no game titled like 'silksong' is known" in capsys.readouterr().err


def test_every_column_of_every_reporting_view_is_commented(admin):
    columns = rows(admin, """
        select view.relname, col_description(view.oid, attribute.attnum)
        from pg_class as view
        join pg_namespace as schema on schema.oid = view.relnamespace
        join pg_attribute as attribute on attribute.attrelid = view.oid
        where schema.nspname = 'reporting' and view.relkind = 'v' and attribute.attnum > 0
          and not attribute.attisdropped""")
    assert len({view for view, _ in columns}) >= 12 and len(columns) > 150
    assert [view for view, description in columns if not description] == []
