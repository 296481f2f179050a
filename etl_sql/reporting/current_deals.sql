-- Today's deals as judged from the whole price history: what reporting.deals holds after each ETL.
-- needs revision 0010: core.freshness
-- A current public price is a deal when it is discounted or lower than every earlier price of its listing and
-- region (all-time, or since the last base-price raise). The windows partition by listing, so a filter on
-- listing_id reaches the price periods' index: etl.refresh_web_summaries judges only the listings a run changed.
create or replace view reporting.current_deals as
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
    where earlier_low.is_current
)
select judged.game_id, game.title as game, judged.store, judged.store_name, judged.title, judged.kind,
    judged.region, judged.currency, judged.price, judged.regular_price, judged.discount_percent,
    judged.valid_from as since, judged.last_seen_at, judged.url, judged.previous_low, judged.new_all_time_low,
    judged.new_low_since_raise, judged.listing_id
from judged
left join core.game as game on game.game_id = judged.game_id
where judged.discount_percent > 0 or judged.new_all_time_low or judged.new_low_since_raise;

comment on view reporting.current_deals is
    'Current public prices that are discounted or a new low (all-time, or since the last base-price raise), judged from the whole history on every read; reporting.deals keeps them as of the last ETL';
comment on column reporting.current_deals.previous_low is
    'Lowest public price of the listing in this region and currency before the current one';
comment on column reporting.current_deals.new_all_time_low is 'Lower than every earlier public price of the listing in this region and currency';
comment on column reporting.current_deals.new_low_since_raise is
    'Lower than every price since the last regular-price raise (lows before it do not count)';
