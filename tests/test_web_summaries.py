"""The web summaries cost what a run changed (issue 13): after each ETL day, reporting.deals, kept up to date from
the listings the run queued and the deals' open periods, equals a whole refill from reporting.current_deals,
through price changes, new and delisted listings, sales whose announced end passes unseen, and listings that go
stale and come back."""
from datetime import datetime, timedelta, timezone

import pytest
from loader_fixtures import listing, rows, write_feed

from loader import build_loader
from pricewatch import etl_cycle

FIRST_DAY = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)
STORES = ("steam", "gog")
REGIONS = {"US": "USD", "DE": "EUR"}
ITEMS = range(40)


def seen_on(store: str, item: int, day: int) -> bool:
    """Item 3 is delisted from day 3; item 4 goes unseen on days 3-6 (stale after two) and comes back; item 8
    misses day 4, when its sale's announced end passes, and is seen again on day 5 at the same discount;
    item 11 is new on day 4; gog's item 12, the plain game of steam's deluxe edition, is new on day 4."""
    return not ((item == 3 and day >= 3) or (item == 4 and 3 <= day <= 6) or (item == 8 and day == 4)
                or (item == 11 and day < 4) or (store == "gog" and item == 12 and day < 4))


def offer(item: int, region: str, day: int) -> dict:
    """Each day a tenth of the items change their discount; item 6's base price rises on day 5, after which
    its next discount is a new low since the raise only; item 7 is retitled on day 5."""
    regular = 20 + item + (5 if item == 6 and day >= 5 else 0)
    discount = (sum((item + earlier) % 10 == 0 for earlier in range(2, day + 1)) * 30 + item) % 80
    ends = FIRST_DAY + timedelta(days=2, hours=12) if item == 8 else None
    return {"regular_price": f"{regular}.00", "price": f"{regular * (100 - discount) / 100:.2f}",
            "discount_percent": discount, "currency": REGIONS[region],
            **({"discount_ends_at": ends.isoformat().replace("+00:00", "Z")} if ends else {}),
            **({"title": "Game 7: Renamed"} if item == 7 and day >= 5 else {})}


def day_feed(landing, store: str, day: int, seen=seen_on, priced=offer):
    scraped_at = (FIRST_DAY + timedelta(days=day - 1)).isoformat().replace("+00:00", "Z")
    return write_feed(landing / store / f"day{day}.jl.gz", [
        listing(**{"source": store, "store_item_id": f"{store}-{item}", "region": region, "scraped_at": scraped_at,
                   "title": f"Game {item}" + (" Deluxe Edition" if (store, item) == ("steam", 12) else ""), "url": f"https://store.example/{store}/{item}", **priced(item, region, day)})
        for item in ITEMS if seen(store, item, day) for region in REGIONS])


DEALS = "select * from reporting.deals order by listing_id, region"
JUDGED = "select * from reporting.current_deals order by listing_id, region"
COVERAGE = "select * from reporting.store_coverage order by store, region, currency"
WHOLE_COVERAGE = """
select store, store_name, region, currency, count(*), count(price), count(*) filter (where discount_percent > 0),
    min(last_seen_at), max(last_seen_at)
from reporting.current_prices
group by store, store_name, region, currency
order by store, region, currency"""


@pytest.fixture
def daily(db_url, tmp_path):
    def run_day(day: int, **feed):
        with build_loader({"DATABASE_URL": db_url}) as loader:
            for store in STORES:
                loader.load(day_feed(tmp_path, store, day, **feed))
        result = etl_cycle.run(db_url)
        assert not result.failed
        return result
    return run_day


def test_the_deals_kept_from_each_days_changes_equal_a_whole_refill(daily, db_url):
    deal_items, game_of = {}, {}
    for day in range(1, 9):
        result = daily(day)
        deals = rows(db_url, DEALS)
        assert deals == rows(db_url, JUDGED), f"day {day}"
        assert rows(db_url, COVERAGE) == rows(db_url, WHOLE_COVERAGE), f"day {day}"
        assert rows(db_url, "select count(*) from ops.summary_queue") == [(0,)]
        if day > 1:
            # Judged from its history: what the day changed, not the catalogue.
            assert 0 < result.summaries_judged < len(ITEMS) * len(STORES) / 2, f"day {day}"
        deal_items[day] = {int(deal[4].split(" ")[1].rstrip(":")) for deal in deals}
        game_of[day] = {deal[1] for deal in deals if deal[2:5] == ("steam", "Steam", "Game 12 Deluxe Edition")}
    assert 3 in deal_items[4] and 3 not in deal_items[5]  # delisted: stale once unseen for over two days
    assert 4 not in deal_items[5] and 4 in deal_items[7]  # back after a gap
    assert 8 not in deal_items[4] and 8 in deal_items[5]  # sale end passed unseen, then seen on sale again
    assert 11 not in deal_items[3] and 11 in deal_items[4]
    # The game takes the plain listing's name when it arrives: the edition's deal, unchanged, shows it.
    assert game_of[3] == {"Game 12 Deluxe Edition"} and game_of[4] == {"Game 12"}


def steady_offer(item: int, region: str, day: int) -> dict:
    """The same price every day: a third of the items at 20% off, a third at 40%; no run changes a price."""
    return {"regular_price": "20.00", "price": f"{20 * (100 - item % 3 * 20) / 100:.2f}",
            "discount_percent": item % 3 * 20, "currency": REGIONS[region]}


def steam_items_unseen_from_day_2(store, item, day):
    return not (store == "steam" and item < 10 and day >= 2)


def gog_crawl_stops_on_days_2_to_5(store, item, day):
    """gog is not crawled on days 2-5, then comes back with half its items."""
    return store != "gog" or day == 1 or (day >= 6 and item % 2 == 0)


def steam_item_1_unseen_on_days_2_to_4(store, item, day):
    return not (store == "steam" and item == 1 and 2 <= day <= 4)


@pytest.mark.parametrize("seen, deal_on_day", [
    # The crawl moves on without seeing them: stale once their last sighting is over two days before it.
    (steam_items_unseen_from_day_2, {("steam", 1): {1: True, 3: True, 4: False, 6: False},
                                     ("steam", 11): {4: True, 6: True}}),
    # A store's crawl stops while another's moves on: its deals stay (the rule reads its own latest crawl),
    # and when it resumes, the items it did not see again leave.
    (gog_crawl_stops_on_days_2_to_5, {("gog", 1): {5: True, 6: False}, ("gog", 2): {5: True, 6: True},
                                      ("steam", 1): {6: True}}),
    # Stale, then confirmed again at the same price: a deal again.
    (steam_item_1_unseen_on_days_2_to_4, {("steam", 1): {3: True, 4: False, 5: True}}),
], ids=["not re-seen", "crawl stops", "confirmed again"])
def test_deals_go_stale_and_come_back_with_no_price_change(daily, db_url, seen, deal_on_day):
    deals_by_day = {}
    for day in range(1, 7):
        result = daily(day, seen=seen, priced=steady_offer)
        deals = rows(db_url, DEALS)
        assert deals == rows(db_url, JUDGED), f"day {day}"
        assert rows(db_url, COVERAGE) == rows(db_url, WHOLE_COVERAGE), f"day {day}"
        deals_by_day[day] = {(deal[2], int(deal[4].split(" ")[1])) for deal in deals}
        if day > 1 and not any(seen(store, item, day) and not seen(store, item, day - 1)
                               for store in STORES for item in ITEMS):
            assert result.summaries_judged == 0, f"day {day}: nothing changed, nothing judged from history"
    assert {deal: {day: deal in deals_by_day[day] for day in days} for deal, days in deal_on_day.items()} == deal_on_day
