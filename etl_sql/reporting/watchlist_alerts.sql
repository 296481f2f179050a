-- Price periods that meet a watch rule.
-- needs revision 0010: core.watch_rule, core.freshness
create or replace view reporting.watchlist_alerts as
with watched_listing as (
    -- A rule watches a game through a listing of it, so merges and splits carry the rule along.
    select rule.watch_rule_id, rule.region as rule_region, rule.currency as rule_currency, rule.below,
        rule.min_discount, rule.new_low, rule.created_at as rule_created_at, listing.listing_id
    from core.watch_rule as rule
    join core.listing as anchor on anchor.listing_id = rule.anchor_listing_id
    join core.listing as listing on listing.game_id = anchor.game_id
),
priced_period as (
    select
        history.*,
        min(history.price) over earlier as previous_low,
        lag(history.regular_price) over by_time as previous_regular_price
    from reporting.price_history as history
    -- Only watched listings' history: the windows below then cost what people watch, not the catalogue. As
    -- an array, so the listings reach the periods' index whatever the planner guesses of the rules' count
    -- (a semi-join on a guess of 1,900 watched listings hashed every period of the catalogue).
    where history.price is not null
      and history.listing_id = any (array(select watched_listing.listing_id from watched_listing))
    window
        by_time as (partition by history.listing_id, history.region, history.currency
                    order by history.valid_from, history.price_period_id),
        earlier as (by_time rows between unbounded preceding and 1 preceding)
),
raised_period as (
    -- The last base-price raise at or before each period; lows from before it no longer count.
    select
        priced_period.*,
        max(priced_period.valid_from) filter (
            where priced_period.regular_price > priced_period.previous_regular_price
        ) over (partition by priced_period.listing_id, priced_period.region, priced_period.currency
                order by priced_period.valid_from, priced_period.price_period_id) as raised_at
    from priced_period
),
candidate as (
    -- Only periods current now, or begun after the rule was made: a new rule does not replay history.
    select watched_listing.watch_rule_id, watched_listing.below, watched_listing.min_discount,
        watched_listing.new_low, watched_listing.rule_currency, raised_period.*
    from watched_listing
    join raised_period on raised_period.listing_id = watched_listing.listing_id
    where (watched_listing.rule_region is null or raised_period.region = watched_listing.rule_region)
      and (watched_listing.rule_currency is null or raised_period.currency = watched_listing.rule_currency)
      and (raised_period.is_current or raised_period.valid_from >= watched_listing.rule_created_at)
),
judged as (
    -- A new low is judged against every listing of the game in the region and currency, not one store's.
    select
        candidate.*,
        candidate.price < (
            select min(earlier.price)
            from raised_period as earlier
            where earlier.game_id = candidate.game_id
              and earlier.region = candidate.region
              and earlier.currency = candidate.currency
              and earlier.price is not null
              and earlier.valid_from < candidate.valid_from
              and case candidate.new_low
                      when '365_days' then coalesce(earlier.valid_to, 'infinity') > candidate.valid_from - interval '365 days'
                      when 'since_raise' then earlier.valid_from >= coalesce(candidate.raised_at, '-infinity')
                      else true
                  end
        ) as is_new_low
    from candidate
)
select
    judged.watch_rule_id,
    concat_ws(', ',
        case when judged.below is not null then format('below %s %s', judged.below, judged.rule_currency) end,
        case when judged.min_discount is not null then format('discount %s%% or more', judged.min_discount) end,
        case judged.new_low
            when 'all_time' then 'new all-time low'
            when '365_days' then 'new 365-day low'
            when 'since_raise' then 'lowest since the last base-price raise'
        end
    ) as reason,
    judged.store,
    judged.store_name,
    judged.title,
    judged.region,
    judged.currency,
    judged.price,
    judged.regular_price,
    judged.discount_percent,
    judged.valid_from as price_since,
    judged.valid_to as price_until,
    judged.url,
    judged.listing_id,
    judged.game_id,
    judged.price_period_id
from judged
where (judged.below is null or judged.price < judged.below)
  and (judged.min_discount is null or judged.discount_percent >= judged.min_discount)
  and (judged.new_low is null or coalesce(judged.is_new_low, false));

comment on view reporting.watchlist_alerts is
    'Price periods that meet a watch rule (all its conditions), one row per rule and period; sent ones are in ops.alert_sent';
-- The ETL role reads it too: games matching, watchlist and alerts run as that role.
grant select on reporting.watchlist_alerts to pricewatch_etl;
