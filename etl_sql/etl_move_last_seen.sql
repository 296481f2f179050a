-- Unchanged rescrapes add no staging row; the loader moves last_seen_at on the existing change instead
-- and stamps it with the feed file. Those moves reach core here, found through the feed files loaded in a
-- time window (ops.feed_file.loaded_at), not by scanning history.
create or replace function etl.move_last_seen(for_source text, loaded_after timestamptz, loaded_upto timestamptz)
returns integer
language plpgsql
as $$
declare
    periods_confirmed integer;
begin
    with confirming_feed as (
        select feed_file_id
        from ops.feed_file
        where loaded_at > loaded_after and loaded_at <= loaded_upto
    ),
    confirmed_change as (
        select listing.listing_id, change.region, change.observed_at, change.last_seen_at
        from staging.store_listing as change
        join core.listing as listing
            on listing.store = change.source and listing.store_item_id = change.store_item_id
        where change.source = for_source
          and change.last_seen_feed_file_id in (select feed_file_id from confirming_feed)
    ),
    confirmed_period as (
        -- A change belongs to the period it falls in (a descriptive-only change to an earlier start).
        select period.price_period_id, max(confirmed_change.last_seen_at) as last_seen_at
        from confirmed_change
        join core.price_history as period
            on period.listing_id = confirmed_change.listing_id
            and period.region = confirmed_change.region
            and period.valid_from <= confirmed_change.observed_at
            and (period.valid_to is null or confirmed_change.observed_at < period.valid_to)
        group by period.price_period_id
    )
    update core.price_history as period
    set last_seen_at = confirmed_period.last_seen_at
    from confirmed_period
    where period.price_period_id = confirmed_period.price_period_id
      and period.last_seen_at < confirmed_period.last_seen_at;

    get diagnostics periods_confirmed = row_count;
    return periods_confirmed;
end;
$$;

comment on function etl.move_last_seen(text, timestamptz, timestamptz) is
    'Moves last_seen_at of price periods that rescrapes confirmed in feed files loaded in (loaded_after, loaded_upto]; returns periods moved';
