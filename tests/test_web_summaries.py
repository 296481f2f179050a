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


def seen_on(item: int, day: int) -> bool:
    """Item 3 is delisted from day 3; item 4 goes unseen on days 3-6 (stale after two) and comes back; item 8
    misses day 4, when its sale's announced end passes, and is seen again on day 5 at the same discount;
    item 11 is new on day 4."""
    return not ((item == 3 and day >= 3) or (item == 4 and 3 <= day <= 6) or (item == 8 and day == 4)
                or (item == 11 and day < 4))


def offer(item: int, region: str, day: int) -> dict:
    """Each day a tenth of the items change their discount; item 6's base price rises on day 5, after which
    its next discount is a new low since the raise only."""
    regular = 20 + item + (5 if item == 6 and day >= 5 else 0)
    discount = (sum((item + earlier) % 10 == 0 for earlier in range(2, day + 1)) * 30 + item) % 80
    ends = FIRST_DAY + timedelta(days=2, hours=12) if item == 8 else None
    return {"regular_price": f"{regular}.00", "price": f"{regular * (100 - discount) / 100:.2f}",
            "discount_percent": discount, "currency": REGIONS[region],
            **({"discount_ends_at": ends.isoformat().replace("+00:00", "Z")} if ends else {})}


def day_feed(landing, store: str, day: int):
    scraped_at = (FIRST_DAY + timedelta(days=day - 1)).isoformat().replace("+00:00", "Z")
    return write_feed(landing / store / f"day{day}.jl.gz", [
        listing(source=store, store_item_id=f"{store}-{item}", region=region, scraped_at=scraped_at,
                title=f"Game {item}" if item != 7 or day < 5 else "Game 7: Renamed",
                url=f"https://store.example/{store}/{item}", **offer(item, region, day))
        for item in ITEMS if seen_on(item, day) for region in REGIONS])


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
    def run_day(day: int):
        with build_loader({"DATABASE_URL": db_url}) as loader:
            for store in STORES:
                loader.load(day_feed(tmp_path, store, day))
        result = etl_cycle.run(db_url)
        assert not result.failed
        return result
    return run_day


def test_the_deals_kept_from_each_days_changes_equal_a_whole_refill(daily, db_url):
    deal_items = {}
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
    assert 3 in deal_items[4] and 3 not in deal_items[5]  # delisted: stale once unseen for over two days
    assert 4 not in deal_items[5] and 4 in deal_items[7]  # back after a gap
    assert 8 not in deal_items[4] and 8 in deal_items[5]  # sale end passed unseen, then seen on sale again
    assert 11 not in deal_items[3] and 11 in deal_items[4]
