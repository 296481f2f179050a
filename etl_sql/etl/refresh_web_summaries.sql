-- Today's deals and the coverage counts for the web pages, judged once per ETL instead of per page view.
-- needs revision 0017: reporting.deals.check_at, reporting.store_coverage, ops.summary_queue
-- Runs with its owner's rights: the ETL role fills the summaries without any right on them. All in one
-- transaction, so pages keep reading the previous summary until it commits.
-- A deal's judgement (new low, since raise) needs its listing's whole history, which only a new or closed price
-- period or a new description changes: the ETL queues those listings, and the matcher those whose game it
-- changed or renamed; only they are judged again. The other deals change without a price change: confirmations
-- move their last sighting (etl.move_last_seen writes it), and one that the crawls of its store stopped seeing
-- (or whose announced sale end passed unseen) is no longer current. That happens only when the latest crawl of
-- its store and region moves past the deal's check_at, so only those deals are examined, through
-- deals_check_idx. A listing becomes a deal again only through a change the ETL queues (a new period, or a
-- sighting after a gap or past its sale's end).
create or replace function etl.refresh_web_summaries(whole boolean default false)
returns integer
language plpgsql
security definer
set search_path = pg_catalog
as $$
declare
    queued bigint[];
    due bigint[];
begin
    with taken as (
        delete from ops.summary_queue returning listing_id
    )
    select coalesce(array_agg(listing_id), '{}') into queued from taken;
    -- Judging most of the catalogue listing by listing costs more than judging it all at once (at 100k
    -- listing-regions: a quarter of the listings judged again 1.1 s, the whole refill 3.1 s). Counting at most
    -- twice the queue's listings tells without reading the catalogue.
    whole := whole or (select count(*) from (select from core.listing limit cardinality(queued) * 2) as listing)
        < cardinality(queued) * 2;

    -- A deal enters with its last sighting as check_at, a lower bound: the examination below sets the real one.
    if whole then
        delete from reporting.deals;
        insert into reporting.deals
        select deal.*, deal.last_seen_at from reporting.current_deals as deal;
    else
        delete from reporting.deals where listing_id = any(queued);
        insert into reporting.deals
        select deal.*, deal.last_seen_at from reporting.current_deals as deal where deal.listing_id = any(queued);
    end if;

    -- The listings of the deals whose check_at their latest crawl passed, named as an array: a join would not
    -- reach the periods' index through reporting.price_history and would read every open period.
    select coalesce(array_agg(distinct deal.listing_id), '{}') into due
    from core.latest_crawl as crawl
    join reporting.deals as deal
        on deal.store = crawl.store and deal.region = crawl.region and deal.check_at < crawl.crawled_at;

    with examined as (
        -- The two ways reporting.price_history's freshness rule ends a current price, as the crawl time
        -- each needs: the last sighting plus stale_after, or the announced sale end after the last sighting.
        select period.listing_id, period.region, period.is_current,
            least(period.last_seen_at + (select freshness.stale_after from core.freshness as freshness),
                  case when period.discount_ends_at > period.last_seen_at then period.discount_ends_at end)
                as check_at
        from reporting.price_history as period
        where period.listing_id = any(due) and period.valid_to is null
    ),
    unseen as (
        delete from reporting.deals as deal
        using examined
        where deal.listing_id = examined.listing_id and deal.region = examined.region and not examined.is_current
    )
    update reporting.deals as deal
    set check_at = examined.check_at
    from examined
    where deal.listing_id = examined.listing_id and deal.region = examined.region and examined.is_current;

    delete from reporting.store_coverage;
    insert into reporting.store_coverage (
        store, store_name, region, currency, listings, priced, discounted, oldest_seen_at, newest_seen_at)
    select store, store_name, region, currency, count(*), count(price), count(*) filter (where discount_percent > 0),
        min(last_seen_at), max(last_seen_at)
    -- reporting.current_prices, read from the open periods only: a current price is an open period's, and the
    -- filter reaches the scan of core.price_history (at 1M listing-regions 3.6 s instead of 6.7 s).
    from reporting.price_history
    where valid_to is null and is_current
    group by store, store_name, region, currency;

    return case when whole then (select count(*) from core.listing) else cardinality(queued) end;
end;
$$;

comment on function etl.refresh_web_summaries(boolean) is
    'Brings reporting.deals up to date (the listings in ops.summary_queue judged again, the deals whose check_at their latest crawl passed examined for freshness; whole = refill from reporting.current_deals) and refills reporting.store_coverage; returns the listings judged again from their history; pricewatch etl calls it after every run';
