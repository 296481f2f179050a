"""One game's price history per store and region, day by day, from reporting.price_timeline (read by
`pricewatch chart`, as a picture or as CSV)."""
import psycopg2.extras

TIMELINE = """
select day, store, store_name, title, region, currency, price, regular_price, discount_percent, listing_id
from reporting.price_timeline
where game_id = %(game_id)s and (%(region)s::text is null or region = %(region)s)
order by store, listing_id, region, day
"""


def timeline(conn, game_id: int, region: str | None = None) -> list[dict]:
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(TIMELINE, {"game_id": game_id, "region": region})
        return [dict(row) for row in cur.fetchall()]
