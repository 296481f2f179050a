-- Every public price decrease.
-- needs revision 0018: core.price_history.previous_price, drop_percent
-- Each drop is from the previous public price in the same currency, across not-for-sale or subscription-only
-- gaps and across prices in another currency (USD 20, EUR 15, USD 10 is a drop from 20 to 10), as the ETL
-- stored it when it opened the period (etl.append_price_periods).
-- No CTE chain over reporting.price_history: PostgreSQL plans a view with WITH apart from the query that
-- reads it, so an `order by drop_percent desc limit 50` around it sorted every drop in range
-- (0.7-1.4 s at 10M periods). Flat, the ordering reaches the index of drops, biggest first, and "the 50
-- biggest drops of the last 7 days" stops after the first few thousand drops of any age. A drop needs no
-- freshness judgement, so the title and page of the region are all it takes from price_history's rules.
-- new_price_until is there for windows of time: a price ends no earlier than it began, so `changed_at >= since`
-- may add `new_price_until is null or new_price_until >= since`, which lets PostgreSQL skip the months of
-- core.price_history (partitioned by when a period ended) that closed before the window.
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
    valid_to as new_price_until,
    discount_ends_at,
    url,
    listing_id,
    game_id
from (
    -- A subquery, not a CTE: it merges into the query around the view (see above).
    select
        period.*,
        listing.store,
        listing.store_item_id,
        -- The title and page of the listing in the period's region, as in reporting.price_history.
        coalesce(listing_region.title, listing.title) as title,
        case when listing_region.listing_id is null then listing.url else listing_region.url end as url,
        listing.game_id
    from core.price_history as period
    join core.listing as listing on listing.listing_id = period.listing_id
    left join core.listing_region as listing_region
        on listing_region.listing_id = period.listing_id and listing_region.region = period.region
    -- Only public prices have a previous public price: a drop is never a subscription-only price.
    where period.drop_percent is not null
) as price_drop;

comment on view reporting.price_drops is
    'Every public price decrease: old and new price, drop in percent of the old price, changed_at = when the new price began';
