-- Writes a run's regions, games and listings.
-- needs revision 0010: core.listing_region
-- Regions, games and listings of a run's changes. Games go first, in their own statement, so the
-- listing statement's snapshot sees games a concurrent run of another store has just committed.
create or replace function etl.upsert_listings(for_source text, after_change_id bigint, upto_change_id bigint)
returns integer
language plpgsql
as $$
declare
    listings_changed integer;
begin
    insert into core.region (region)
    select distinct change.region
    from etl.new_changes(for_source, after_change_id, upto_change_id) as change
    on conflict do nothing;

    -- The game is named after its first-described listing, without trademark marks ("Hades™" -> "Hades").
    insert into core.game (normalized_title, title)
    select distinct on (description.normalized_title)
        description.normalized_title, btrim(regexp_replace(description.title, '[™®©]', '', 'g'))
    from etl.listing_descriptions(for_source, after_change_id, upto_change_id) as description
    where description.normalized_title <> ''
    order by description.normalized_title, description.described_at
    on conflict (normalized_title) do nothing;

    insert into core.listing as listing (
        store, store_item_id, kind, title, url, platforms, release_date, game_id, first_seen_at, described_at,
        described_region
    )
    select
        for_source,
        description.store_item_id,
        description.kind,
        description.title,
        description.url,
        description.platforms,
        description.release_date,
        game.game_id,
        description.first_seen_at,
        description.described_at,
        description.described_region
    from etl.listing_descriptions(for_source, after_change_id, upto_change_id) as description
    left join core.game as game on game.normalized_title = description.normalized_title
    left join core.listing as known on known.store = for_source and known.store_item_id = description.store_item_id
    -- Price-only changes carry the same description: leave those rows alone, and out of the insert, which would
    -- lock (and so write) each one's row even when it updates nothing (at 1M listing-regions, a page per change).
    -- Runs of one store queue on its lock, so the rows read here are the rows the conflicts find.
    where known.listing_id is null
       or (known.kind, known.title, known.url, known.platforms, known.release_date, known.described_region,
           known.game_id)
          is distinct from
          (description.kind, description.title, description.url, description.platforms, description.release_date,
           description.described_region, etl.listing_game(known.title, known.game_id, description.title, game.game_id))
    on conflict (store, store_item_id) do update
    set kind = excluded.kind,
        title = excluded.title,
        url = excluded.url,
        platforms = excluded.platforms,
        release_date = excluded.release_date,
        game_id = etl.listing_game(listing.title, listing.game_id, excluded.title, excluded.game_id),
        described_at = excluded.described_at,
        described_region = excluded.described_region;

    get diagnostics listings_changed = row_count;
    -- Before the regional rows: planned with the statistics of before a store's first import, their join takes
    -- the store's listings for one row and re-reads the run's changes per listing (15 minutes at 1M).
    perform ops.analyze_listings(listings_changed);

    -- Each region's own title and URL; an older load of a region never overwrites a newer description.
    -- Unchanged rows stay out of the insert, as the listings' do.
    insert into core.listing_region as listing_region (listing_id, region, title, url, described_at)
    select regional.listing_id, regional.region, regional.title, regional.url, regional.described_at
    from (
        select
            listing.listing_id,
            change.region,
            (array_agg(change.title order by change.observed_at desc, change.change_id desc)
                filter (where change.title <> '')
            )[1] as title,
            (array_agg(change.url order by change.observed_at desc, change.change_id desc))[1] as url,
            max(change.observed_at) as described_at
        from etl.new_changes(for_source, after_change_id, upto_change_id) as change
        join core.listing as listing on listing.store = for_source and listing.store_item_id = change.store_item_id
        group by listing.listing_id, change.region
    ) as regional
    left join core.listing_region as known on known.listing_id = regional.listing_id and known.region = regional.region
    where known.listing_id is null
       or (regional.described_at >= known.described_at
           and (known.title, known.url) is distinct from (coalesce(regional.title, known.title), regional.url))
    on conflict (listing_id, region) do update
    set title = coalesce(excluded.title, listing_region.title),
        url = excluded.url,
        described_at = excluded.described_at;

    return listings_changed;
end;
$$;

comment on function etl.upsert_listings(text, bigint, bigint) is
    'Inserts regions, games and listings of a run''s changes and updates changed descriptions; returns listings written';
