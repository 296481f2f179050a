-- Today's deals and the coverage counts for the web pages, judged once per ETL instead of per page view.
-- needs revision 0017: reporting.deals, reporting.store_coverage, reporting.current_offer, ops.summary_queue
-- Runs with its owner's rights: the ETL role fills the summaries without any right on them. All in one
-- transaction, so pages keep reading the previous summary until it commits.
-- A deal's judgement (new low, since raise) needs its listing's whole history, which only a new or closed price
-- period or a new description changes: the ETL queues those listings, and the matcher those whose game it
-- changed or renamed; only they are judged again. Every other current price changes in two ways only:
-- confirmations move its last sighting (etl.move_last_seen writes it into reporting.deals, and into
-- reporting.current_offer with the offer's check_at), and it stops being current when the crawls of its store
-- stop seeing it, or its announced sale end passes unseen. That happens only once the latest crawl of its store
-- and region passes the offer's check_at (etl.current_until), so only those offers are judged again
-- (current_offer_check_idx), and a deal among them leaves with its offer. A price becomes current again only through a change the ETL queues (a new period, a
-- sighting after a gap or past its sale's end). The coverage counts add what entered current_offer and
-- subtract what left it.
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

    if whole then
        delete from reporting.deals;
        delete from reporting.current_offer;
        delete from reporting.store_coverage;
    end if;

    delete from reporting.deals where listing_id = any(queued);
    insert into reporting.deals
    select * from reporting.current_deals as deal where whole or deal.listing_id = any(queued);

    -- Listings named as an array: a join would not reach the periods' index through reporting.current_prices.
    select coalesce(array_agg(distinct offer.listing_id), '{}') into due
    from core.latest_crawl as crawl
    join reporting.current_offer as offer
        on offer.store = crawl.store and offer.region = crawl.region and offer.check_at < crawl.crawled_at;

    with gone as (
        delete from reporting.current_offer as offer
        where offer.listing_id = any(queued) or offer.listing_id = any(due)
        returning offer.store, offer.region, offer.currency, offer.priced, offer.discounted
    ),
    lost as (
        select store, region, currency, count(*) as listings, count(*) filter (where priced) as priced,
            count(*) filter (where discounted) as discounted
        from gone
        group by store, region, currency
    )
    update reporting.store_coverage as coverage
    set listings = coverage.listings - lost.listings, priced = coverage.priced - lost.priced,
        discounted = coverage.discounted - lost.discounted
    from lost
    where coverage.store = lost.store and coverage.region = lost.region
      and coverage.currency is not distinct from lost.currency;

    with added as (
        insert into reporting.current_offer (
            listing_id, region, store, currency, priced, discounted, last_seen_at, check_at)
        select price.listing_id, price.region, price.store, price.currency, price.price is not null,
            coalesce(price.discount_percent > 0, false), price.last_seen_at,
            etl.current_until(price.last_seen_at, price.discount_ends_at,
                              (select freshness.stale_after from core.freshness as freshness))
        from reporting.current_prices as price
        where whole or price.listing_id = any(queued) or price.listing_id = any(due)
        returning store, region, currency, priced, discounted, last_seen_at
    )
    insert into reporting.store_coverage as coverage (
        store, store_name, region, currency, listings, priced, discounted, oldest_seen_at, newest_seen_at)
    select added.store, store.display_name, added.region, added.currency, count(*),
        count(*) filter (where added.priced), count(*) filter (where added.discounted),
        min(added.last_seen_at), max(added.last_seen_at)
    from added
    join core.store as store on store.store = added.store
    group by added.store, store.display_name, added.region, added.currency
    on conflict (store, region, currency) do update
    set listings = coverage.listings + excluded.listings, priced = coverage.priced + excluded.priced,
        discounted = coverage.discounted + excluded.discounted;

    -- A deal is a current price: one whose price stopped being current leaves with it.
    delete from reporting.deals as deal
    where deal.listing_id = any(due)
      and not exists (
          select from reporting.current_offer as offer
          where offer.listing_id = deal.listing_id and offer.region = deal.region);

    delete from reporting.store_coverage where listings = 0;
    -- The oldest and newest sighting: one probe each into current_offer_seen_idx.
    update reporting.store_coverage as coverage
    set oldest_seen_at = (
            select min(offer.last_seen_at)
            from reporting.current_offer as offer
            where offer.store = coverage.store and offer.region = coverage.region
              and coalesce(offer.currency, '') = coalesce(coverage.currency, '')),
        newest_seen_at = (
            select max(offer.last_seen_at)
            from reporting.current_offer as offer
            where offer.store = coverage.store and offer.region = coverage.region
              and coalesce(offer.currency, '') = coalesce(coverage.currency, ''));

    return case when whole then (select count(*) from core.listing) else cardinality(queued) end;
end;
$$;

comment on function etl.refresh_web_summaries(boolean) is
    'Brings reporting.deals, reporting.current_offer and reporting.store_coverage up to date: the listings in ops.summary_queue judged again, and the current prices whose check_at their latest crawl passed (whole = refill all from reporting.current_deals and reporting.current_prices); returns the listings judged again from their history; pricewatch etl calls it after every run';
