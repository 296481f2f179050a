-- Every public price decrease.
-- needs revision 0018: core.price_history.previous_price, drop_percent
-- Compared with the previous public price in the same currency, across not-for-sale or subscription-only gaps
-- and across prices in another currency (USD 20, EUR 15, USD 10 is a drop from 20 to 10), as the ETL stored it
-- when it opened the period (etl.append_price_periods): "the 50 biggest drops of the last 7 days" walks the
-- index of stored drops, biggest first, instead of looking up the previous price of every period in range.
create or replace view reporting.price_drops as
select
    store,
    store_item_id,
    title,
    region,
    currency,
    previous_price as old_price,
    price as new_price,
    drop_percent,
    regular_price,
    discount_percent,
    valid_from as changed_at,
    discount_ends_at,
    url,
    listing_id,
    game_id
from reporting.price_history
where drop_percent is not null;

comment on view reporting.price_drops is
    'Every public price decrease: old and new price, drop in percent of the old price, changed_at = when the new price began';
