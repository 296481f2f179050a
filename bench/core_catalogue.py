"""A catalogue generated set-based straight into core the way the ETL leaves it, for the benchmarks that read it
(bench.web_latency, bench.query_latency).

Every game (titles from bench.listings) is in the five stores and three regions (US, GB, DE), add-ons tied to
their game. Each listing-region has `periods` price periods on average (from periods - spread to periods +
spread, spread at most 5), each `period_days` long, the newest open and seen two hours ago; the series ends at a
different phase per listing-region, so about 7 / period_days of them changed price in the last week. A quarter
of the periods are discounted, one listing in 13 has a base-price raise. Secondary indexes are dropped while
generating and rebuilt from their own definitions (as bench.etl_scaling does), then the web summaries are
refilled as `pricewatch etl` does after every run (timed: that cost is the ETL's)."""
import io

from bench.environment import Stopwatch, admin
from bench.etl_scaling import Steps, secondary_indexes_dropped
from bench.listings import REGIONS, SOURCES, title_of

BENCH_REGIONS = tuple(REGIONS)[:3]
GENERATED_TABLES = ("core.game", "core.listing", "core.price_history")

GAMES = """
insert into core.game (game_id, normalized_title, title, base_game_id)
overriding system value
select n + 1, lower(title) || ' ' || n, title, case when n %% 7 = 0 and n > 0 then n end
from bench_game
"""

LISTINGS = """
insert into core.listing (listing_id, store, store_item_id, kind, title, url, platforms, game_id, first_seen_at,
    described_at)
overriding system value
select game.game_id * %(stores)s + store.position, store.store, (100000 + game.game_id)::text,
    case when game.base_game_id is null then 'game' else 'dlc' end, game.title,
    'https://store.example/' || store.store || '/app/' || (100000 + game.game_id) || '/', '{windows}',
    game.game_id, now() - interval '60 days', now() - interval '60 days'
from core.game as game
cross join unnest(%(sources)s::text[]) with ordinality as store (store, position)
"""

# Period seq of k per listing-region, period_days each, the last one open (began `phase` days ago, seen two
# hours ago); prices in three currencies.
PERIODS = """
insert into core.price_history (listing_id, region, currency, price, regular_price, discount_percent, is_free,
    valid_from, valid_to, last_seen_at, opened_by_change_id)
select listing.listing_id, region.region, region.currency,
    round(regular * (100 - discount) / 100, 2), regular, discount, false,
    started, case when seq < k then started + %(period_days)s * interval '1 day' end,
    case when seq < k then started + %(period_days)s * interval '1 day' else now() - interval '2 hours' end, 0
from core.listing as listing
cross join unnest(%(regions)s::text[], %(currencies)s::text[], array[1.0, 0.8, 0.9]) with ordinality
    as region (region, currency, factor, position)
cross join lateral (
    select %(periods)s - %(spread)s + (listing.listing_id * 3 + region.position) %% (2 * %(spread)s + 1) as k,
        (listing.listing_id * 7 + region.position * 3) %% %(period_days)s as phase
) as shape
cross join lateral generate_series(1, shape.k) as seq
cross join lateral (
    select
        now() - ((shape.k - seq) * %(period_days)s + shape.phase + 1) * interval '1 day'
            + (listing.listing_id %% 86400) * interval '1 second' as started,
        round((1.99 + listing.game_id * 7919 %% 6800 / 100.0) * region.factor
              * case when listing.listing_id %% 13 = 0 and seq >= 2 then 1.25 else 1 end, 2) as regular,
        case when (seq + listing.listing_id + region.position) %% 4 = 0
             then 10 * (1 + (listing.listing_id + seq) %% 8) else 0 end as discount
) as price
"""

# What the ETL keeps as it writes the sightings: every store and region was crawled when its open periods
# were last seen.
LATEST_CRAWLS = """
insert into core.latest_crawl (store, region, crawled_at)
select store, region, now() - interval '2 hours'
from unnest(%(sources)s::text[]) as store cross join unnest(%(regions)s::text[]) as region
"""

WATCH_RULES = """
insert into core.watch_rule (title, anchor_listing_id, currency, below, min_discount, new_low)
select game.title, game.game_id * %(stores)s + 1, 'USD', 15, null, null from core.game as game where game.game_id = 11
union all
select game.title, game.game_id * %(stores)s + 1, null, null, 30, null from core.game as game where game.game_id = 22
union all
select game.title, game.game_id * %(stores)s + 1, null, null, null, 'all_time' from core.game as game where game.game_id = 33
"""


def generate(url: str, listing_regions: int, periods: int = 3, period_days: int = 9) -> int:
    """The catalogue: about `periods` price periods per listing-region, `period_days` apart; returns the number
    of games."""
    games = max(1, listing_regions // (len(SOURCES) * len(BENCH_REGIONS)))
    with admin(url) as cur, Stopwatch() as watch:
        cur.execute("set synchronous_commit = off")
        cur.execute("set maintenance_work_mem = '512MB'")
        cur.execute("set session_replication_role = replica")
        cur.execute("insert into core.region (region) select unnest(%s::text[]) on conflict do nothing",
                    (list(BENCH_REGIONS),))
        cur.execute("create temporary table bench_game (n bigint, title text)")
        cur.copy_expert("copy bench_game from stdin", io.StringIO(
            "".join(f"{n}\t{title_of(n)}\n" for n in range(games))))
        steps = Steps(cur)
        params = {"stores": len(SOURCES), "sources": list(SOURCES), "regions": list(BENCH_REGIONS),
                  "currencies": [REGIONS[region][0] for region in BENCH_REGIONS],
                  "periods": periods, "spread": min(periods - 1, 5), "period_days": period_days}
        with secondary_indexes_dropped(steps, GENERATED_TABLES):
            steps.run("games", GAMES, {})
            steps.run("listings", LISTINGS, params)
            steps.run("price periods", PERIODS, params)
        steps.run("latest crawls", LATEST_CRAWLS, params)
        steps.run("watch rules", WATCH_RULES, params)
        cur.execute("set session_replication_role = origin")
        steps.run("vacuum analyze", "vacuum analyze core.game, core.listing, core.price_history")
        steps.run("web summaries (etl.refresh_web_summaries, whole: the catalogue is written past the ETL)",
                  "select etl.refresh_web_summaries(whole => true)")
        steps.run("analyze summaries", "analyze reporting.deals, reporting.store_coverage")
        cur.execute("select (select count(*) from reporting.current_prices), (select count(*) from core.price_history),"
                    " (select count(*) from reporting.deals)")
        current, periods_made, deals = cur.fetchone()
        print("  generation steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.seconds.items()))
    print(f"catalogue: {games:,} games, {current:,} listing-regions, {periods_made:,} price periods, {deals:,} deals, "
          f"generated in {watch.seconds:.0f} s")
    return games
