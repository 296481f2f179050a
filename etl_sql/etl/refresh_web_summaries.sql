-- Today's deals and the coverage counts for the web pages, judged once per ETL instead of per page view.
-- needs revision 0014: reporting.deals, reporting.store_coverage, ops.summary_queue
-- Runs with its owner's rights: the ETL role fills the summaries without any right on them. All in one
-- transaction, so pages keep reading the previous summary until it commits.
-- A deal's judgement (new low, since raise) needs its listing's whole history, which only a new or closed price
-- period or a new description changes: the ETL queues those listings, and only they are judged again. The other
-- deals change without a price change: confirmations move their last sighting, matching regroups their game,
-- and one that the crawls of its store stopped seeing (or whose announced sale end passed unseen) is no longer
-- current; for that, each deal's open period is enough. A listing becomes a deal again only through a change
-- the ETL queues (a new period, or a sighting past its sale's end).
create or replace function etl.refresh_web_summaries(whole boolean default false)
returns integer
language plpgsql
security definer
set search_path = pg_catalog
as $$
declare
    queued bigint[];
begin
    with taken as (
        delete from ops.summary_queue returning listing_id
    )
    select coalesce(array_agg(listing_id), '{}') into queued from taken;
    -- Judging most of the catalogue listing by listing costs more than judging it all at once (at 100k
    -- listing-regions: a quarter of the listings judged again 1.1 s, the whole refill 3.1 s).
    whole := whole or cardinality(queued) * 2 > (select count(*) from core.listing);

    if whole then
        delete from reporting.deals;
        insert into reporting.deals
        select * from reporting.current_deals;
    else
        delete from reporting.deals where listing_id = any(queued);
        insert into reporting.deals
        select * from reporting.current_deals where listing_id = any(queued);

        with open_period as (
            select deal.listing_id, deal.region, period.is_current, period.last_seen_at, period.game_id,
                game.title as game
            from reporting.deals as deal
            join reporting.price_history as period
                on period.listing_id = deal.listing_id and period.region = deal.region and period.valid_to is null
            left join core.game as game on game.game_id = period.game_id
        ),
        unseen as (
            delete from reporting.deals as deal
            using open_period
            where deal.listing_id = open_period.listing_id and deal.region = open_period.region
              and not open_period.is_current
        )
        update reporting.deals as deal
        set last_seen_at = open_period.last_seen_at, game_id = open_period.game_id, game = open_period.game
        from open_period
        where deal.listing_id = open_period.listing_id and deal.region = open_period.region
          and open_period.is_current
          and (deal.last_seen_at, deal.game_id, deal.game)
              is distinct from (open_period.last_seen_at, open_period.game_id, open_period.game);
    end if;

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
    'Brings reporting.deals up to date (the listings in ops.summary_queue judged again, the other deals'' sighting, game and freshness checked; whole = refill from reporting.current_deals) and refills reporting.store_coverage; returns the listings judged again from their history; pricewatch etl calls it after every run';
