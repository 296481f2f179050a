-- Today's deals for the web home page: every current public price that is discounted or a new low, judged
-- once per ETL instead of per page view (the judgement reads every period of the catalogue).
drop materialized view if exists reporting.deals;

create materialized view reporting.deals as
with priced_period as (
    select
        history.*,
        history.regular_price > lag(history.regular_price) over by_time as raised
    from reporting.price_history as history
    where history.price is not null
    window by_time as (partition by history.listing_id, history.region, history.currency
                       order by history.valid_from, history.price_period_id)
),
raise_era as (
    -- Periods since the last base-price raise (the raising period included) share an era.
    select
        priced_period.*,
        count(*) filter (where priced_period.raised) over (
            partition by priced_period.listing_id, priced_period.region, priced_period.currency
            order by priced_period.valid_from, priced_period.price_period_id
        ) as era
    from priced_period
),
earlier_low as (
    select
        raise_era.*,
        min(raise_era.price) over (
            partition by raise_era.listing_id, raise_era.region, raise_era.currency
            order by raise_era.valid_from, raise_era.price_period_id
            rows between unbounded preceding and 1 preceding
        ) as previous_low,
        min(raise_era.price) over (
            partition by raise_era.listing_id, raise_era.region, raise_era.currency, raise_era.era
            order by raise_era.valid_from, raise_era.price_period_id
            rows between unbounded preceding and 1 preceding
        ) as previous_low_since_raise
    from raise_era
),
judged as (
    select
        earlier_low.*,
        coalesce(earlier_low.price < earlier_low.previous_low, false) as new_all_time_low,
        coalesce(earlier_low.price < earlier_low.previous_low_since_raise, false) as new_low_since_raise
    from earlier_low
    where earlier_low.valid_to is null
)
select
    judged.game_id,
    game.title as game,
    judged.store,
    judged.store_name,
    judged.title,
    judged.kind,
    judged.region,
    judged.currency,
    judged.price,
    judged.regular_price,
    judged.discount_percent,
    judged.valid_from as since,
    judged.last_seen_at,
    judged.url,
    judged.previous_low,
    judged.new_all_time_low,
    judged.new_low_since_raise,
    judged.listing_id
from judged
left join core.game as game on game.game_id = judged.game_id
where judged.discount_percent > 0 or judged.new_all_time_low or judged.new_low_since_raise;

create unique index deals_listing_region_key on reporting.deals (listing_id, region);
-- Each list in its order, alone and per filter (store, store and region, region, currency): a filtered list
-- starts at its filter's first rows instead of skipping the others.
create index deals_discount_idx on reporting.deals (discount_percent desc, since desc);
create index deals_store_discount_idx on reporting.deals (store, discount_percent desc, since desc);
create index deals_store_region_discount_idx on reporting.deals (store, region, discount_percent desc, since desc);
create index deals_region_discount_idx on reporting.deals (region, discount_percent desc, since desc);
create index deals_currency_discount_idx on reporting.deals (currency, discount_percent desc, since desc);
create index deals_all_time_low_idx on reporting.deals (since desc) where new_all_time_low;
create index deals_store_all_time_low_idx on reporting.deals (store, since desc) where new_all_time_low;
create index deals_store_region_all_time_low_idx on reporting.deals (store, region, since desc) where new_all_time_low;
create index deals_region_all_time_low_idx on reporting.deals (region, since desc) where new_all_time_low;
create index deals_currency_all_time_low_idx on reporting.deals (currency, since desc) where new_all_time_low;
create index deals_low_since_raise_idx on reporting.deals (since desc) where new_low_since_raise and not new_all_time_low;
create index deals_store_low_since_raise_idx on reporting.deals (store, since desc)
    where new_low_since_raise and not new_all_time_low;
create index deals_store_region_low_since_raise_idx on reporting.deals (store, region, since desc)
    where new_low_since_raise and not new_all_time_low;
create index deals_region_low_since_raise_idx on reporting.deals (region, since desc)
    where new_low_since_raise and not new_all_time_low;
create index deals_currency_low_since_raise_idx on reporting.deals (currency, since desc)
    where new_low_since_raise and not new_all_time_low;

comment on materialized view reporting.deals is
    'Current public prices that are discounted or a new low (all-time, or since the last base-price raise); refreshed by reporting.refresh_summaries() after each ETL';
