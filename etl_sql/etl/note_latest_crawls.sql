-- Moves each region's latest crawl of a store to the newest sighting a run brings.
-- needs revision 0011: core.latest_crawl
-- The sightings of a run are its new changes and the queued confirmations of the feed files it takes: a few
-- rows per region read through staging's keys, so the freshness rule never has to scan the catalogue.
create or replace function etl.note_latest_crawls(
    for_source text, after_change_id bigint, upto_change_id bigint, loaded_after timestamptz, loaded_upto timestamptz)
returns void
language sql
as $$
    with sighting as (
        select change.region, change.last_seen_at
        from staging.store_listing as change
        where change.source = for_source
          and change.change_id > after_change_id and change.change_id <= upto_change_id
        union all
        select change.region, change.last_seen_at
        from staging.store_listing_confirmation as confirmation
        join staging.store_listing as change
            on change.source = confirmation.source and change.change_id = confirmation.change_id
        where confirmation.source = for_source
          and confirmation.feed_file_id in (
              select feed_file_id
              from ops.feed_file
              where loaded_at > loaded_after and loaded_at <= loaded_upto
          )
    )
    insert into core.latest_crawl as crawl (store, region, crawled_at)
    select for_source, sighting.region, max(sighting.last_seen_at)
    from sighting
    group by sighting.region
    on conflict (store, region) do update
        set crawled_at = greatest(crawl.crawled_at, excluded.crawled_at);
$$;

comment on function etl.note_latest_crawls(text, bigint, bigint, timestamptz, timestamptz) is
    'Moves core.latest_crawl of the source''s regions to the newest sighting among the run''s changes and queued confirmations';
