-- The descriptive fields a run writes into core.listing.
-- needs revision 0010: core.listing.described_region
-- What a run would write into core.listing: per store item, the descriptive fields of its newest change in
-- the region that describes it (the first region it was seen in), so another region's rename or page never
-- becomes the listing's title or changes its game; each region's own title and URL go to core.listing_region.
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
    described_at timestamptz,
    described_region text
)
language sql
stable
begin atomic
    with run_change as (
        select change.*, known.described_region as known_region
        from etl.new_changes(for_source, after_change_id, upto_change_id) as change
        left join core.listing as known
            on known.store = for_source and known.store_item_id = change.store_item_id
    ),
    describing_change as (
        -- A window, not the first regions grouped and joined back: such a join can become a nested loop that
        -- re-sorts per row (etl.price_period_changes did: 53 s); steam's upsert took 23 s on a day of changes alone.
        select regioned.*
        from (
            select run_change.*,
                coalesce(run_change.known_region, first_value(run_change.region) over (
                    partition by run_change.store_item_id order by run_change.observed_at, run_change.change_id
                )) as described_region
            from run_change
        ) as regioned
        where regioned.region = regioned.described_region
    ),
    newest_change as (
        select distinct on (change.store_item_id)
            change.store_item_id,
            change.kind,
            -- Some store APIs carry no title (eShop prices): the newest title given is the title.
            (array_agg(change.title) filter (where change.title <> '') over newest_first)[1] as title,
            change.url,
            change.platforms,
            change.release_date,
            change.observed_at as described_at,
            change.described_region,
            min(change.observed_at) over newest_first as first_seen_at
        from describing_change as change
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
            newest_change.described_at,
            newest_change.described_region
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
        described_at,
        described_region
    from described;
end;

comment on function etl.listing_descriptions(text, bigint, bigint) is
    'Per store item of a run''s changes, the descriptive fields of its newest change in its describing region (title kept when the change has none)';
