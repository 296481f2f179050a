"""One game at every store and region: the current price next to its regular price, the sale's end, the
lowest price ever and when it was, and how fresh the price is. `pricewatch game` prints it; a web game page
can call the same function."""
import psycopg2.extras

from pricewatch.storefronts import check_known

COLUMNS = ("store", "store_name", "region", "currency", "price", "regular_price", "discount_percent",
           "discount_ends_at", "all_time_low", "all_time_low_at", "at_all_time_low", "subscription_price", "since",
           "last_seen_at", "title", "kind", "url", "listing_id")

GAME_PRICES = """
select current.store, current.store_name, current.region, current.currency, current.price, current.regular_price,
       current.discount_percent, current.discount_ends_at, lows.all_time_low, lows.all_time_low_at,
       lows.at_all_time_low, current.subscription_price, current.since, current.last_seen_at, current.title,
       current.kind, current.url, current.listing_id
from reporting.current_prices as current
left join reporting.historical_lows as lows
    on lows.listing_id = current.listing_id and lows.region = current.region and lows.currency = current.currency
where current.game_id = %(game_id)s and (%(region)s::text is null or current.region = %(region)s)
order by current.region, current.currency, current.price nulls last, current.store, current.listing_id
"""


def game_prices(conn, game_id: int, region: str | None = None) -> list[dict]:
    """Every listing of the game in every region (or in `region`), cheapest first within a region and currency."""
    check_known(conn, region=region)
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(GAME_PRICES, {"game_id": game_id, "region": region.upper() if region else None})
        return [dict(row) for row in cur.fetchall()]
