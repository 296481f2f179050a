-- All-time, 365-day and 90-day lows per listing, region and currency.
-- needs revision 0010: core.freshness
create or replace view reporting.historical_lows as
with priced_period as (
    select
        price_history.*,
        -- A period counts for a window when its price was current at some moment inside the window.
        price_history.is_current or price_history.held_until > now() - interval '365 days' as within_365_days,
        price_history.is_current or price_history.held_until > now() - interval '90 days' as within_90_days
    from reporting.price_history
    where price_history.price is not null
),
lows as (
    -- "When" is the start of the most recent period at the low price.
    select
        listing_id,
        region,
        currency,
        -- The listing's title and page in the region (one per listing and region in price_history), and the
        -- listing's store and game, grouped along rather than joined back, so nothing but the listing's own
        -- periods is read.
        title,
        url,
        store,
        store_item_id,
        game_id,
        min(price) as all_time_low,
        (array_agg(valid_from order by price, valid_from desc))[1] as all_time_low_at,
        min(price) filter (where within_365_days) as low_365_days,
        (array_agg(valid_from order by price, valid_from desc) filter (where within_365_days))[1] as low_365_days_at,
        min(price) filter (where within_90_days) as low_90_days,
        (array_agg(valid_from order by price, valid_from desc) filter (where within_90_days))[1] as low_90_days_at,
        count(*) as periods,
        -- The current price (the freshness rule of price_history.is_current, as in current_prices). Taken
        -- here rather than joined from current_prices, so a filter on listing_id reaches the periods' index.
        min(price) filter (where is_current) as current_price
    from priced_period
    group by listing_id, region, currency, title, url, store, store_item_id, game_id
)
select
    lows.store,
    lows.store_item_id,
    lows.title,
    lows.region,
    lows.currency,
    lows.current_price,
    lows.all_time_low,
    lows.all_time_low_at,
    lows.low_365_days,
    lows.low_365_days_at,
    lows.low_90_days,
    lows.low_90_days_at,
    lows.current_price = lows.all_time_low as at_all_time_low,
    lows.periods,
    lows.url,
    lows.listing_id,
    lows.game_id
from lows;

comment on view reporting.historical_lows is
    'Per listing, region and currency: all-time, 365-day and 90-day lowest public price, each with when it began';
