-- Cheapest current public price per game and currency among the offers of a store and region (null: all).
-- needs revision 0010: core.freshness
-- The filters come before the ranking, so "the best price in GB" is the cheapest GB offer, not the best price
-- overall when that happens to be in GB. reporting.best_prices is this function over every store and region.
create or replace function reporting.best_prices_in(in_store text, in_region text)
returns table (
    game text,
    currency text,
    price numeric,
    regular_price numeric,
    discount_percent smallint,
    is_free boolean,
    store text,
    store_name text,
    region text,
    title text,
    kind text,
    url text,
    since timestamptz,
    last_seen_at timestamptz,
    listings_compared bigint,
    highest_price numeric,
    game_id bigint,
    listing_id bigint,
    store_item_id text,
    discount_ends_at timestamptz,
    all_time_low numeric,
    all_time_low_at timestamptz,
    at_all_time_low boolean
)
language sql
stable
-- Reads reporting views only, with the caller's rights, and sets nothing: so PostgreSQL inlines it into the
-- query that calls it, and a filter on game_id (one game's page, a search) reaches the periods' indexes
-- instead of ranking the whole catalogue first.
begin atomic
    select
        game.title as game,
        ranked.currency,
        ranked.price,
        ranked.regular_price,
        ranked.discount_percent,
        ranked.is_free,
        ranked.store,
        ranked.store_name,
        ranked.region,
        ranked.title,
        ranked.kind,
        ranked.url,
        ranked.since,
        ranked.last_seen_at,
        ranked.listings_compared,
        ranked.highest_price,
        -- The game's, not the offer's: a filter on it then picks the games before any offer is ranked.
        game.game_id,
        ranked.listing_id,
        ranked.store_item_id,
        ranked.discount_ends_at,
        lows.all_time_low,
        lows.all_time_low_at,
        lows.at_all_time_low
    -- One game at a time: a filter on the game (its id, its title) picks the games first and only their offers
    -- are ranked, and walking the games in title order, `order by game limit N` stops after N games.
    from reporting.game_search as game
    cross join lateral (
        select
            for_sale.*,
            row_number() over by_currency as price_rank,
            count(*) over (partition by for_sale.currency) as listings_compared,
            max(for_sale.price) over (partition by for_sale.currency) as highest_price
        from reporting.current_prices as for_sale
        where for_sale.game_id = game.game_id
          and for_sale.price is not null
          and (in_store is null or for_sale.store = lower(in_store))
          and (in_region is null or for_sale.region = upper(in_region))
        -- Ties go to the deeper discount, then a stable order, so the answer does not flicker.
        window by_currency as (
            partition by for_sale.currency
            order by for_sale.price, for_sale.discount_percent desc, for_sale.store, for_sale.region, for_sale.store_item_id
        )
    ) as ranked
    -- "Is this the lowest, should I wait?": the lows of the very listing and region that is cheapest now.
    -- Lateral with its one row as the limit, so it stays a subquery run per offer: the listing then reaches
    -- historical_lows' grouping as a condition and only its periods are read (a join condition does not
    -- cross into a grouped view: a plain join grouped the whole catalogue's periods for every call).
    left join lateral (
        select historical_lows.all_time_low, historical_lows.all_time_low_at, historical_lows.at_all_time_low
        from reporting.historical_lows
        where historical_lows.listing_id = ranked.listing_id
          and historical_lows.region = ranked.region
          and historical_lows.currency = ranked.currency
        limit 1
    ) as lows on true
    where ranked.price_rank = 1;
end;

comment on function reporting.best_prices_in(text, text) is
    'Per game and currency, the cheapest current public price among the offers of store in_store and region in_region (null: any), with where to buy it';
