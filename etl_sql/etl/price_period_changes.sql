-- The price periods a run opens or changes.
-- needs revision 0002
-- Price periods a run opens or changes, computed set-based from the run's changes.
-- Each listing/region's changes are ordered after its newest period; a change starts a period when its
-- price state differs from the state before it, so descriptive-only changes (title, url) extend a period
-- and A -> B -> A makes three.
create or replace function etl.price_period_changes(for_source text, after_change_id bigint, upto_change_id bigint)
returns table (
    price_period_id bigint,
    listing_id bigint,
    region text,
    currency text,
    price numeric,
    regular_price numeric,
    discount_percent smallint,
    is_free boolean,
    subscription text,
    discount_ends_at timestamptz,
    valid_from timestamptz,
    valid_to timestamptz,
    last_seen_at timestamptz,
    opened_by_change_id bigint
)
language sql
stable
begin atomic
    with new_change as (
        select
            listing.listing_id,
            change.region,
            change.change_seq,
            change.change_id,
            change.observed_at,
            change.last_seen_at,
            change.currency,
            change.price,
            change.regular_price,
            change.discount_percent,
            change.is_free,
            change.subscription,
            change.discount_ends_at
        from etl.new_changes(for_source, after_change_id, upto_change_id) as change
        join core.listing as listing
            on listing.store = change.source and listing.store_item_id = change.store_item_id
    ),
    changed_key as (
        select distinct new_change.listing_id, new_change.region
        from new_change
    ),
    newest_period as (
        -- The state the run's changes follow: the period that was open when the run began (the newest one: a
        -- period closes only when the next one opens). Found as the open one, which reads one index of one
        -- partition (core.price_history_open) instead of every month's.
        select period.*
        from changed_key
        join core.price_history as period
            on period.listing_id = changed_key.listing_id and period.region = changed_key.region
        where period.valid_to is null
    ),
    price_state as (
        select
            newest_period.price_period_id,
            newest_period.listing_id,
            newest_period.region,
            0 as change_seq,
            newest_period.opened_by_change_id as change_id,
            newest_period.valid_from as observed_at,
            newest_period.last_seen_at,
            newest_period.currency,
            newest_period.price,
            newest_period.regular_price,
            newest_period.discount_percent,
            newest_period.is_free,
            newest_period.subscription,
            newest_period.discount_ends_at
        from newest_period
        union all
        select
            null,
            new_change.listing_id,
            new_change.region,
            new_change.change_seq,
            new_change.change_id,
            new_change.observed_at,
            new_change.last_seen_at,
            new_change.currency,
            new_change.price,
            new_change.regular_price,
            new_change.discount_percent,
            new_change.is_free,
            new_change.subscription,
            new_change.discount_ends_at
        from new_change
    ),
    compared as (
        select
            price_state.*,
            lag(price_state.change_seq) over by_key is null
                or (price_state.currency, price_state.price, price_state.regular_price,
                    price_state.discount_percent, price_state.is_free, price_state.subscription)
                   is distinct from
                   lag((price_state.currency, price_state.price, price_state.regular_price,
                        price_state.discount_percent, price_state.is_free, price_state.subscription)) over by_key
                as starts_period
        from price_state
        window by_key as (partition by price_state.listing_id, price_state.region order by price_state.change_seq)
    ),
    numbered as (
        select
            compared.*,
            count(*) filter (where compared.starts_period) over (
                partition by compared.listing_id, compared.region order by compared.change_seq
            ) as period_number
        from compared
    ),
    period_extent as (
        -- A period lasts as long as scrapes kept confirming its state; its discount end is the newest one shown.
        -- Windows, not a grouping joined back: the join's estimate decided between milliseconds and a minute.
        select
            numbered.*,
            max(numbered.last_seen_at) over by_period as period_last_seen_at,
            first_value(numbered.discount_ends_at) over (by_period order by numbered.change_seq desc)
                as period_discount_ends_at
        from numbered
        window by_period as (partition by numbered.listing_id, numbered.region, numbered.period_number)
    ),
    period_start as (
        select
            period_extent.price_period_id,
            period_extent.listing_id,
            period_extent.region,
            period_extent.currency,
            period_extent.price,
            period_extent.regular_price,
            period_extent.discount_percent,
            period_extent.is_free,
            period_extent.subscription,
            period_extent.period_discount_ends_at as discount_ends_at,
            period_extent.observed_at as valid_from,
            lead(period_extent.observed_at) over (
                partition by period_extent.listing_id, period_extent.region order by period_extent.change_seq
            ) as valid_to,
            period_extent.period_last_seen_at as last_seen_at,
            period_extent.change_id as opened_by_change_id
        from period_extent
        where period_extent.starts_period
    )
    select * from period_start;
end;

comment on function etl.price_period_changes(text, bigint, bigint) is
    'Price periods from a run''s changes: the period open before the run (price_period_id set) with its new valid_to, then the periods to open';
