-- Moves last_seen_at of the price periods that rescrapes confirmed.
-- needs revision 0006: staging.store_listing_confirmation
-- Unchanged rescrapes add no staging row: the loader moves last_seen_at on the latest change and queues the
-- change in staging.store_listing_confirmation. This step takes the queued changes of the feed files loaded in
-- the run's window out of the queue and moves last_seen_at of their price periods: work in proportion to
-- what was rescraped, whatever the size of the history, and no index on staging to keep current.
create or replace function etl.move_last_seen(for_source text, loaded_after timestamptz, loaded_upto timestamptz)
returns integer
language plpgsql
as $$
declare
    periods_confirmed integer;
begin
    with taken as (
        delete from staging.store_listing_confirmation as confirmation
        where confirmation.source = for_source
          and confirmation.feed_file_id in (
              select feed_file_id
              from ops.feed_file
              where loaded_at > loaded_after and loaded_at <= loaded_upto
          )
        returning confirmation.source, confirmation.change_id
    ),
    confirmed_change as (
        select distinct listing.listing_id, change.region, change.observed_at, change.last_seen_at
        from taken
        join staging.store_listing as change on change.source = taken.source and change.change_id = taken.change_id
        join core.listing as listing
            on listing.store = change.source and listing.store_item_id = change.store_item_id
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
    'Takes the queued confirmations of feed files loaded in (loaded_after, loaded_upto] and moves last_seen_at of their price periods; returns periods moved';
