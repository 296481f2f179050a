-- Current price of every listing in every region.
-- needs revision 0010: core.freshness
create or replace view reporting.current_prices as
with current_period as (
    select *
    from reporting.price_history
    -- A current period is an open one (valid_to null); saying so lets the open periods' index find it
    -- among the listing's whole history.
    where is_current
      and valid_to is null
)
select
    store,
    store_name,
    store_item_id,
    title,
    kind,
    region,
    currency,
    price,
    regular_price,
    discount_percent,
    is_free,
    subscription,
    subscription_price,
    discount_ends_at,
    valid_from as since,
    last_seen_at,
    url,
    listing_id,
    game_id
from current_period;

comment on view reporting.current_prices is
    'Current price of every listing and region still seen by the crawls of its store and region (price null = not for sale, or only a subscription price)';
