"""The incremental ETL (etl.run_source): staging changes -> core listings, games and price periods."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from etl_fixtures import rows, run_etl


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


PERIODS = """
select l.store_item_id, p.region, p.currency, p.price, p.regular_price, p.discount_percent, p.valid_from, p.valid_to,
       p.last_seen_at
from core.price_history p join core.listing l using (listing_id)
order by l.store_item_id, p.region, p.valid_from
"""

# Every price period, by system columns: a row an ETL run rewrites gets a new ctid/xmin.
ROW_VERSIONS = """
select 'listing', listing_id, xmin::text, ctid::text from core.listing
union all select 'period', price_period_id, xmin::text, ctid::text from core.price_history
union all select 'game', game_id, xmin::text, ctid::text from core.game
union all select 'watermark', 0, xmin::text, ctid::text from ops.etl_watermark
order by 1, 2
"""

# Whole-table invariants: one open period per listing/region, no two periods of one overlap.
INVARIANT_BREACHES = """
with open_count as (
    select listing_id, region, count(*) filter (where valid_to is null) as open_periods
    from core.price_history group by listing_id, region
),
overlap as (
    select a.price_period_id
    from core.price_history a
    join core.price_history b
      on a.listing_id = b.listing_id and a.region = b.region and a.price_period_id < b.price_period_id
     and tstzrange(a.valid_from, a.valid_to) && tstzrange(b.valid_from, b.valid_to)
)
select 'open periods ' || open_periods from open_count where open_periods <> 1
union all select 'overlap ' || price_period_id from overlap
"""


def test_first_run_builds_listing_game_and_open_period(admin, staging):
    page = {"title": "Hollow Knight™", "url": "https://store.steampowered.com/app/367520"}
    staging.change("367520", "2026-03-01T10:00:00", **page)
    staging.change("367520", "2026-03-01T10:00:00", region="GB", currency="GBP", price="10.99", regular_price="10.99", **page)

    run = run_etl(admin)

    assert (run["status"], run["rows_in"], run["rows_changed"], run["listings_changed"]) == ("succeeded", 2, 2, 1)
    assert rows(admin, "select store, store_item_id, kind, title, url, platforms from core.listing") == [
        ("steam", "367520", "game", "Hollow Knight™", "https://store.steampowered.com/app/367520", ["windows"])]
    assert rows(admin, "select normalized_title, title from core.game") == [("hollow knight", "Hollow Knight")]
    assert rows(admin, "select region from core.region order by 1") == [("GB",), ("US",)]
    assert rows(admin, PERIODS) == [
        ("367520", "GB", "GBP", Decimal("10.99"), Decimal("10.99"), 0, utc("2026-03-01T10:00:00"), None,
         utc("2026-03-01T10:00:00")),
        ("367520", "US", "USD", Decimal("19.99"), Decimal("19.99"), 0, utc("2026-03-01T10:00:00"), None,
         utc("2026-03-01T10:00:00")),
    ]


def test_second_run_without_new_staging_rows_changes_nothing(admin, staging):
    staging.change("367520", "2026-03-01T10:00:00")
    staging.change("367520", "2026-03-02T10:00:00", price="9.99", discount_percent=50)
    run_etl(admin)
    before = rows(admin, ROW_VERSIONS)

    run = run_etl(admin)

    assert (run["status"], run["rows_in"], run["rows_changed"], run["periods_confirmed"]) == ("succeeded", 0, 0, 0)
    assert rows(admin, ROW_VERSIONS) == before


def test_run_after_new_rows_touches_only_their_listings(admin, staging):
    staging.change("367520", "2026-03-01T10:00:00")
    staging.change("413150", "2026-03-01T10:00:00", title="Stardew Valley", price="14.99", regular_price="14.99")
    run_etl(admin)
    untouched = [row for row in rows(admin, ROW_VERSIONS) if row[0] != "watermark"]
    stardew = rows(admin, "select listing_id from core.listing where store_item_id = '413150'")[0][0]

    staging.change("367520", "2026-03-05T10:00:00", price="9.99", discount_percent=50)
    run = run_etl(admin)

    after = {(kind, key): version for kind, key, *version in rows(admin, ROW_VERSIONS)}
    changed = {(kind, key) for kind, key, *version in untouched if after[(kind, key)] != version}
    hollow_open_period = rows(admin, """select price_period_id from core.price_history p join core.listing l using (listing_id)
                                        where store_item_id = '367520' and valid_from = '2026-03-01T10:00:00Z'""")[0][0]
    assert changed == {("period", hollow_open_period)}
    assert (run["rows_in"], run["rows_changed"], run["listings_changed"]) == (1, 1, 0)
    assert rows(admin, "select count(*) from core.price_history where listing_id = %s", (stardew,)) == [(1,)]


# A -> B -> A is three periods whether the changes arrive in one run or one run each.
@pytest.mark.parametrize("runs_after", [(3,), (1, 2, 3), (2, 3), (1, 3)])
def test_price_going_a_b_a_gives_three_periods(admin, staging, runs_after):
    states = [("2026-03-01T00:00:00", "19.99", 0), ("2026-03-10T00:00:00", "9.99", 50), ("2026-03-20T00:00:00", "19.99", 0)]
    for number, (at, price, discount) in enumerate(states, start=1):
        staging.change("367520", at, price=price, discount_percent=discount)
        if number in runs_after:
            run_etl(admin)

    assert [row[3:8] for row in rows(admin, PERIODS)] == [
        (Decimal("19.99"), Decimal("19.99"), 0, utc("2026-03-01T00:00:00"), utc("2026-03-10T00:00:00")),
        (Decimal("9.99"), Decimal("19.99"), 50, utc("2026-03-10T00:00:00"), utc("2026-03-20T00:00:00")),
        (Decimal("19.99"), Decimal("19.99"), 0, utc("2026-03-20T00:00:00"), None),
    ]


def test_descriptive_only_change_updates_the_listing_without_a_new_period(admin, staging):
    staging.change("367520", "2026-03-01T00:00:00", title="Hollow Knight")
    run_etl(admin)
    staging.change("367520", "2026-03-04T00:00:00", title="Hollow Knight: Voidheart Edition", url="https://x.test/hk")

    run = run_etl(admin)

    assert (run["rows_in"], run["rows_changed"], run["listings_changed"]) == (1, 0, 1)
    assert rows(admin, "select l.title, l.url, g.normalized_title from core.listing l join core.game g using (game_id)") == [
        ("Hollow Knight: Voidheart Edition", "https://x.test/hk", "hollow knight voidheart edition")]
    # The period goes on, and the change's scrape confirms it.
    assert [row[6:] for row in rows(admin, PERIODS)] == [(utc("2026-03-01T00:00:00"), None, utc("2026-03-04T00:00:00"))]


def test_a_change_without_title_keeps_the_known_title(admin, staging):
    staging.change("70010000000025", "2026-03-01T00:00:00", source="eshop", title="Celeste")
    staging.change("70010000000025", "2026-03-02T00:00:00", source="eshop", title="", price="4.99", discount_percent=75)

    run_etl(admin, "eshop")

    assert rows(admin, "select title from core.listing") == [("Celeste",)]


@pytest.mark.parametrize("titles, games", [
    (["The Witcher® 3: Wild Hunt", "THE WITCHER 3 - WILD HUNT"], ["the witcher 3 wild hunt"]),
    (["Baldur’s Gate 3", "Baldur's Gate 3"], ["baldurs gate 3"]),
    (["ＦＩＮＡＬ ＦＡＮＴＡＳＹ XV", "Final Fantasy XV"], ["final fantasy xv"]),
    (["스타듀 밸리", "Stardew Valley"], ["stardew valley", "스타듀 밸리"]),
])
def test_listings_with_the_same_normalised_title_share_a_game(admin, staging, titles, games):
    for number, title in enumerate(titles):
        staging.change(str(number), "2026-03-01T00:00:00", title=title)

    run_etl(admin)

    assert [row[0] for row in rows(admin, "select normalized_title from core.game order by 1")] == games
    assert rows(admin, "select count(*) from core.listing where game_id is null") == [(0,)]


def test_rescrapes_move_last_seen_without_new_periods(admin, staging):
    staging.change("367520", "2026-03-01T00:00:00")
    run_etl(admin)
    staging.confirm("367520", "2026-03-02T00:00:00")
    staging.confirm("367520", "2026-03-03T00:00:00")

    run = run_etl(admin)

    assert (run["rows_in"], run["rows_changed"], run["periods_confirmed"]) == (0, 0, 1)
    assert [row[6:] for row in rows(admin, PERIODS)] == [(utc("2026-03-01T00:00:00"), None, utc("2026-03-03T00:00:00"))]


def test_a_closed_period_gets_the_last_seen_of_rescrapes_before_the_change(admin, staging):
    staging.change("367520", "2026-03-01T00:00:00")
    run_etl(admin)
    staging.confirm("367520", "2026-03-05T00:00:00")
    staging.change("367520", "2026-03-06T00:00:00", price="9.99", discount_percent=50)

    run_etl(admin)

    assert [row[6:] for row in rows(admin, PERIODS)] == [
        (utc("2026-03-01T00:00:00"), utc("2026-03-06T00:00:00"), utc("2026-03-05T00:00:00")),
        (utc("2026-03-06T00:00:00"), None, utc("2026-03-06T00:00:00")),
    ]


def test_not_for_sale_is_a_period_without_price(admin, staging):
    staging.change("367520", "2026-03-01T00:00:00")
    staging.change("367520", "2026-03-02T00:00:00", currency=None, price=None, regular_price=None)

    run_etl(admin)

    assert [row[2:4] for row in rows(admin, PERIODS)] == [("USD", Decimal("19.99")), (None, None)]


def test_periods_never_overlap_and_each_listing_region_has_one_open_period(admin, staging):
    prices = ["19.99", "9.99", "9.99", "14.99", "19.99", "4.99"]
    for day, price in enumerate(prices, start=1):
        for region, item in [("US", "1"), ("GB", "1"), ("US", "2")]:
            staging.change(item, f"2026-03-{day:02d}T00:00:00", region=region, price=price,
                           title=f"Game {item} v{day % 2}")
            if day % 2:
                staging.confirm(item, f"2026-03-{day:02d}T12:00:00", region=region)
        if day in (2, 3, 5, 6):
            run_etl(admin)

    assert rows(admin, INVARIANT_BREACHES) == []
    # 9.99 twice in a row is one period: 5 price states per listing/region.
    assert rows(admin, "select count(*) from core.price_history") == [(15,)]


def test_every_run_is_logged_and_a_failing_run_is_logged_with_its_error(admin, staging):
    staging.change("367520", "2026-03-01T00:00:00")
    run_etl(admin)
    staging.change("367520", "2026-03-02T00:00:00", currency="XTS")

    failed = run_etl(admin)

    assert failed["status"] == "failed"
    assert 'violates foreign key constraint "price_history_currency_fkey"' in failed["error"]
    assert rows(admin, "select source, status, rows_in, rows_changed from ops.etl_run order by etl_run_id") == [
        ("steam", "succeeded", 1, 1), ("steam", "failed", 1, 0)]
    assert rows(admin, "select last_change_id from ops.etl_watermark") == [(failed["after_change_id"],)]
    assert rows(admin, "select count(*) from core.price_history") == [(1,)]


def test_unknown_source_is_an_error(admin):
    import psycopg2

    with pytest.raises(psycopg2.errors.InvalidParameterValue, match='unknown source "itch"'):
        run_etl(admin, "itch")


def test_a_run_empties_the_confirmation_queue_and_keeps_only_latest_changes_in_staging(admin, staging):
    staging.change("367520", "2026-03-01T00:00:00")
    staging.change("367520", "2026-03-02T00:00:00", price="9.99", discount_percent=50)
    staging.confirm("367520", "2026-03-03T00:00:00")
    staging.change("730", "2026-03-01T00:00:00", title="Counter-Strike 2")

    run = run_etl(admin)

    assert (run["rows_in"], run["rows_changed"]) == (3, 3)
    assert rows(admin, "select count(*) from staging.store_listing_confirmation") == [(0,)]
    # The superseded first state of 367520 is in core only; each listing keeps the row the loader compares with.
    assert rows(admin, "select store_item_id, change_seq, is_latest from staging.store_listing order by 1") == [
        ("367520", 2, True), ("730", 1, True)]
    assert [row[6:] for row in rows(admin, PERIODS)][:2] == [
        (utc("2026-03-01T00:00:00"), utc("2026-03-02T00:00:00"), utc("2026-03-01T00:00:00")),
        (utc("2026-03-02T00:00:00"), None, utc("2026-03-03T00:00:00")),
    ]
