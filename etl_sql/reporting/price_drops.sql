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
    -- gaps and across prices in another currency (USD 20, EUR 15, USD 10 is a drop from 20 to 10).
    select
        priced_period.*,
        lag(priced_period.price) over by_key as old_price
    from priced_period
    window by_key as (
        partition by priced_period.listing_id, priced_period.region, priced_period.currency
        order by priced_period.valid_from, priced_period.price_period_id
    )
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
