-- The descriptive fields a run writes into core.listing.
-- needs revision 0002
-- What a run would write into core.listing: per store item, the descriptive fields of its newest change.
create or replace function etl.listing_descriptions(for_source text, after_change_id bigint, upto_change_id bigint)
returns table (
    store_item_id text,
    kind text,
    title text,
    normalized_title text,
    url text,
    platforms text[],
    release_date text,
    first_seen_at timestamptz,
    described_at timestamptz
)
language sql
stable
begin atomic
    with newest_change as (
        -- Regions can show different titles; the most recently observed one describes the listing.
        select distinct on (change.store_item_id)
            change.store_item_id,
            change.kind,
            -- Some store APIs carry no title (eShop prices): the newest title given is the title.
            (array_agg(change.title) filter (where change.title <> '') over newest_first)[1] as title,
            change.url,
            change.platforms,
            change.release_date,
            change.observed_at as described_at,
            min(change.observed_at) over newest_first as first_seen_at
        from etl.new_changes(for_source, after_change_id, upto_change_id) as change
        window newest_first as (
            partition by change.store_item_id
            order by change.observed_at desc, change.change_id desc
            rows between unbounded preceding and unbounded following
        )
        order by change.store_item_id, change.observed_at desc, change.change_id desc
    ),
    described as (
        select
            newest_change.store_item_id,
            newest_change.kind,
            coalesce(newest_change.title, known.title, '') as title,
            newest_change.url,
            newest_change.platforms,
            newest_change.release_date,
            coalesce(known.first_seen_at, newest_change.first_seen_at) as first_seen_at,
            newest_change.described_at
        from newest_change
        left join core.listing as known
            on known.store = for_source and known.store_item_id = newest_change.store_item_id
        -- Loads of several regions can arrive out of time order: an older description never wins.
        where known.listing_id is null or newest_change.described_at >= known.described_at
    )
    select
        store_item_id,
        kind,
        title,
        etl.normalize_title(title),
        url,
        platforms,
        release_date,
        first_seen_at,
        described_at
    from described;
end;

comment on function etl.listing_descriptions(text, bigint, bigint) is
    'Per store item of a run''s changes, the descriptive fields of its newest change (title kept when the change has none)';
