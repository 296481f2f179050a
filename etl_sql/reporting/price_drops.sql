-- Every public price decrease.
-- needs revision 0002
create or replace view reporting.price_drops as
with priced_period as (
    select *
    from reporting.price_history
    where price is not null
),
compared as (
    -- Compared with the previous public price in the same currency, across not-for-sale or subscription-only
    -- gaps and across prices in another currency (USD 20, EUR 15, USD 10 is a drop from 20 to 10). Looked up
    -- per period through the periods' index rather than a window over every period, so a filter on changed_at
    -- ("the last 7 days") reads only the periods that began then.
    select
        priced_period.*,
        previous.price as old_price
    from priced_period
    cross join lateral (
        select earlier.price
        from core.price_history as earlier
        where earlier.listing_id = priced_period.listing_id
          and earlier.region = priced_period.region
          and earlier.currency = priced_period.currency
          and earlier.subscription is null
          and earlier.price is not null
          and earlier.valid_from <= priced_period.valid_from
          and (earlier.valid_from < priced_period.valid_from or earlier.price_period_id < priced_period.price_period_id)
        order by earlier.valid_from desc, earlier.price_period_id desc
        limit 1
    ) as previous
)
select
    store,
    store_item_id,
    title,
    region,
    currency,
    old_price,
    price as new_price,
    round((old_price - price) * 100 / old_price, 1) as drop_percent,
    regular_price,
    discount_percent,
    valid_from as changed_at,
    discount_ends_at,
    url,
    listing_id,
    game_id
from compared
where price < old_price;

comment on view reporting.price_drops is
    'Every public price decrease: old and new price, drop in percent of the old price, changed_at = when the new price began';
