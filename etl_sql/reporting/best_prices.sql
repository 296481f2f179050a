-- Cheapest current public price per game and currency.
-- needs revision 0002
create or replace view reporting.best_prices as
with for_sale as (
    select *
    from reporting.current_prices
    where price is not null and game_id is not null
),
ranked as (
    select
        for_sale.*,
        row_number() over by_game_currency as price_rank,
        count(*) over (partition by for_sale.game_id, for_sale.currency) as listings_compared,
        max(for_sale.price) over (partition by for_sale.game_id, for_sale.currency) as highest_price
    from for_sale
    -- Ties go to the deeper discount, then a stable order, so the answer does not flicker.
    window by_game_currency as (
        partition by for_sale.game_id, for_sale.currency
        order by for_sale.price, for_sale.discount_percent desc, for_sale.store, for_sale.region, for_sale.store_item_id
    )
)
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
    ranked.game_id,
    ranked.listing_id,
    ranked.store_item_id,
    ranked.discount_ends_at,
    lows.all_time_low,
    lows.all_time_low_at,
    lows.at_all_time_low
from ranked
join core.game as game on game.game_id = ranked.game_id
-- "Is this the lowest, should I wait?": the lows of the very listing and region that is cheapest now.
left join reporting.historical_lows as lows
    on lows.listing_id = ranked.listing_id
    and lows.region = ranked.region
    and lows.currency = ranked.currency
where ranked.price_rank = 1;

comment on view reporting.best_prices is
    'Per game and currency, the cheapest current public price across stores and regions, with where to buy it';
