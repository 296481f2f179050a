-- Today's deals and the coverage counts for the web pages, judged once per ETL instead of per page view.
-- needs revision 0009: reporting.deals, reporting.store_coverage
-- Runs with its owner's rights: the ETL role fills the summaries without any right on them. Delete and
-- insert in one transaction, so pages keep reading the previous summary until it commits.
create or replace function etl.refresh_web_summaries()
returns void
language plpgsql
security definer
set search_path = pg_catalog
as $$
begin
    delete from reporting.deals;
    insert into reporting.deals (
        game_id, game, store, store_name, title, kind, region, currency, price, regular_price, discount_percent,
        since, last_seen_at, url, previous_low, new_all_time_low, new_low_since_raise, listing_id)
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
    select judged.game_id, game.title, judged.store, judged.store_name, judged.title, judged.kind, judged.region,
        judged.currency, judged.price, judged.regular_price, judged.discount_percent, judged.valid_from,
        judged.last_seen_at, judged.url, judged.previous_low, judged.new_all_time_low, judged.new_low_since_raise,
        judged.listing_id
    from judged
    left join core.game as game on game.game_id = judged.game_id
    where judged.discount_percent > 0 or judged.new_all_time_low or judged.new_low_since_raise;

    delete from reporting.store_coverage;
    insert into reporting.store_coverage (
        store, store_name, region, currency, listings, priced, discounted, oldest_seen_at, newest_seen_at)
    select store, store_name, region, currency, count(*), count(price), count(*) filter (where discount_percent > 0),
        min(last_seen_at), max(last_seen_at)
    from reporting.current_prices
    group by store, store_name, region, currency;
end;
$$;

comment on function etl.refresh_web_summaries() is
    'Refills reporting.deals and reporting.store_coverage from the views (pricewatch etl calls it after every run)';
