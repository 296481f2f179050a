-- Moves each region's latest crawl of a store to the newest sighting among a run's changes.
-- needs revision 0011: core.latest_crawl
-- The run's changes are a few rows per region read through staging's key, so the freshness rule never has
-- to scan the catalogue; etl.move_last_seen does the same for the confirmations it takes from the queue.
create or replace function etl.note_latest_crawls(for_source text, after_change_id bigint, upto_change_id bigint)
returns void
language sql
as $$
    insert into core.latest_crawl as crawl (store, region, crawled_at)
    select for_source, change.region, max(change.last_seen_at)
    from staging.store_listing as change
    where change.source = for_source
      and change.change_id > after_change_id and change.change_id <= upto_change_id
    group by change.region
    on conflict (store, region) do update set crawled_at = greatest(crawl.crawled_at, excluded.crawled_at);
$$;

comment on function etl.note_latest_crawls(text, bigint, bigint) is
    'Moves core.latest_crawl of the source''s regions to the newest sighting among the changes after after_change_id up to upto_change_id';
