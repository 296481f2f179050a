"""One game's price history per store and region, day by day, from reporting.price_timeline (read by
`pricewatch chart`, as a picture or as CSV)."""
import psycopg2.extras

COLUMNS = "day, store, store_name, title, region, currency, price, regular_price, discount_percent, listing_id"
ONE_GAME = """
from reporting.price_timeline
where game_id = %(game_id)s and (%(region)s::text is null or region = %(region)s)
"""
ORDER = "order by store, listing_id, region, day"

TIMELINE = f"select {COLUMNS} {ONE_GAME} {ORDER}"

# What a step chart draws: each line's first and last day and the days its prices change (to none as well,
# when the listing went unseen). Carried forward to the next one, they are the timeline again; a game's two
# years are ~7,000 days but a few hundred changes, and moving the days into Python cost as much as the query.
STEPS = f"""
select {COLUMNS}
from (
    select
        price_timeline.*,
        lag(day) over by_line is null
            or lead(day) over by_line is null
            or (price, regular_price, discount_percent)
               is distinct from lag((price, regular_price, discount_percent)) over by_line as drawn
    {ONE_GAME}
    window by_line as (partition by listing_id, region, currency order by day)
) as line_day
where drawn
{ORDER}
"""


def timeline(conn, game_id: int, region: str | None = None, every_day: bool = True) -> list[dict]:
    """The game's timeline; every_day False: only the days a step chart draws (STEPS)."""
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(TIMELINE if every_day else STEPS, {"game_id": game_id, "region": region})
        return [dict(row) for row in cur.fetchall()]
