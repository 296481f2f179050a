-- One row per listing, region and day, the last known price carried forward while the listing was seen.
-- needs revision 0010: core.freshness
create or replace view reporting.price_timeline as
with listing_region as (
    -- The game comes along from here, so `where game_id = ...` reaches this step and reads one game's listings
    -- only.
    select history.listing_id, history.region, listing.game_id
    from core.price_history as history
    join core.listing as listing using (listing_id)
    group by history.listing_id, history.region, listing.game_id
),
period as (
    -- Each period with the start of the next one: it is the state at the close of every day from its own
    -- start to the day before the next one starts (a period replaced the same day shows on no day).
    select listing_region.game_id as game, history.*
    from listing_region
    cross join lateral (
        select
            price_history.*,
            lead(price_history.valid_from) over (order by price_history.valid_from, price_history.price_period_id)
                as next_valid_from
        from reporting.price_history
        where price_history.listing_id = listing_region.listing_id
          and price_history.region = listing_region.region
    ) as history
),
day_price as (
    -- Days run from the first price seen to today (UTC): change-only storage must not end the line early. At
    -- most ten years of days: a price stamped with an absurd date never makes millions of rows.
    select calendar.day::date as day, period.*
    from period
    cross join lateral generate_series(
        greatest((period.valid_from at time zone 'UTC')::date, (now() at time zone 'UTC')::date - 3652),
        least((period.next_valid_from at time zone 'UTC')::date - 1, (now() at time zone 'UTC')::date),
        interval '1 day'
    ) as calendar (day)
),
judged_day as (
    -- A price is carried to the days it held on, not across days its listing went unseen (or past a sale end
    -- that passed unseen): the day a listing was last seen still shows its price.
    select
        day_price.*,
        day_price.held_until is null
            or day_price.held_until >= day_price.day::timestamp at time zone 'UTC' as listed
    from day_price
)
select
    day,
    store,
    store_name,
    title,
    kind,
    region,
    currency,
    case when listed then price end as price,
    case when listed then regular_price end as regular_price,
    case when listed then discount_percent end as discount_percent,
    case when listed then is_free end as is_free,
    case when listed then subscription_price end as subscription_price,
    case when listed then valid_from end as price_since,
    listed,
    listing_id,
    game as game_id
from judged_day;

comment on view reporting.price_timeline is
    'One row per listing, region and day (UTC) from its first price to today, the last known price carried forward while the listing was seen';
comment on column reporting.price_timeline.listed is
    'false: by that day the listing had gone unseen (core.freshness) or its sale had ended unseen; its prices are null then';
-- The ETL role reads it too: games matching, watchlist and alerts run as that role.
grant select on reporting.price_timeline to pricewatch_etl;
