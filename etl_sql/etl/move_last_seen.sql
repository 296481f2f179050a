-- Moves last_seen_at of the price periods that rescrapes confirmed.
-- needs revision 0018: core.price_history.previous_price, staging.store_listing_confirmation, core.freshness, ops.summary_queue, core.latest_crawl, reporting.current_offer
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
        select distinct listing.listing_id, change.region, change.last_seen_at, change.change_id
        from taken
        join staging.store_listing as change on change.source = taken.source and change.change_id = taken.change_id
        join core.listing as listing
            on listing.store = change.source and listing.store_item_id = change.store_item_id
    ),
    noted_crawl as (
        -- The newest confirmation of each region moves its latest crawl (etl.note_latest_crawls does the same
        -- for the run's changes), read from the queue this step takes anyway.
        insert into core.latest_crawl as crawl (store, region, crawled_at)
        select for_source, confirmed_change.region, max(confirmed_change.last_seen_at)
        from confirmed_change
        group by confirmed_change.region
        on conflict (store, region) do update set crawled_at = greatest(crawl.crawled_at, excluded.crawled_at)
    ),
    open_sighting as (
        -- A sighting belongs to the period it falls in: nearly always the open one (the change's own, the one a
        -- descriptive-only change extended, or the one a return after a gap started), which `valid_to is null`
        -- finds in core.price_history_open alone.
        select confirmed_change.*, period.price_period_id, period.valid_from
        from confirmed_change
        join core.price_history as period
            on period.listing_id = confirmed_change.listing_id
            and period.region = confirmed_change.region
            and period.valid_to is null
    ),
    late_sighting as (
        -- Seen before its open period began (a feed loaded late): the closed period it falls in, looked up per
        -- sighting (a lateral with a limit is never turned into a scan of every month's partition).
        select earlier.price_period_id, earlier.valid_to, max(open_sighting.last_seen_at) as last_seen_at
        from open_sighting
        cross join lateral (
            select period.price_period_id, period.valid_to
            from core.price_history as period
            where period.listing_id = open_sighting.listing_id
              and period.region = open_sighting.region
              and period.valid_from <= open_sighting.last_seen_at
              and open_sighting.last_seen_at < period.valid_to
            limit 1
        ) as earlier
        where open_sighting.last_seen_at < open_sighting.valid_from
        group by earlier.price_period_id, earlier.valid_to
    ),
    confirmed_period as (
        select open_sighting.price_period_id, max(open_sighting.last_seen_at) as last_seen_at,
            max(open_sighting.change_id) as change_id
        from open_sighting
        where open_sighting.valid_from <= open_sighting.last_seen_at
        group by open_sighting.price_period_id
    ),
    moved_late as (
        update core.price_history as period
        set last_seen_at = late_sighting.last_seen_at
        from late_sighting
        where period.price_period_id = late_sighting.price_period_id
          and period.valid_to = late_sighting.valid_to
          and period.last_seen_at < late_sighting.last_seen_at
        returning period.price_period_id
    ),
    judged_period as (
        -- Seen again after going unseen for longer than the freshness rule allows: the price did not hold
        -- across the gap, so the open period ends where the listing came back and a new one starts there.
        select confirmed_period.*,
            -- The setting is read as a value, not joined: its one row, never analyzed, would count as a
            -- default-sized table and multiply the estimates of every step after it.
            confirmed_period.last_seen_at
                > period.last_seen_at + (select freshness.stale_after from core.freshness as freshness)
                as back_after_gap,
        -- Seen again after the sale end the store announced: its price counts as current again.
        confirmed_period.last_seen_at > period.discount_ends_at
            and period.discount_ends_at >= period.last_seen_at as seen_past_sale_end
        from confirmed_period
        join core.price_history as period
            on period.price_period_id = confirmed_period.price_period_id and period.valid_to is null
    ),
    moved as (
        update core.price_history as period
        set last_seen_at = case when judged_period.back_after_gap then period.last_seen_at
                                else judged_period.last_seen_at end,
            valid_to = case when judged_period.back_after_gap then judged_period.last_seen_at end
        from judged_period
        where period.price_period_id = judged_period.price_period_id
          and period.valid_to is null
          and period.last_seen_at < judged_period.last_seen_at
        returning period.*, judged_period.back_after_gap, judged_period.seen_past_sale_end,
            judged_period.change_id as returned_by_change_id
    ),
    reopened as (
        insert into core.price_history (
            listing_id, region, currency, price, regular_price, discount_percent, is_free, subscription,
            discount_ends_at, valid_from, valid_to, last_seen_at, opened_by_change_id, previous_price
        )
        -- The same price again: its previous public price is its own, never a drop.
        select listing_id, region, currency, price, regular_price, discount_percent, is_free, subscription,
            discount_ends_at, valid_to, null, valid_to, returned_by_change_id,
            case when subscription is null then price end
        from moved
        where back_after_gap
    ),
    -- The web summaries show the open period's last sighting; whether the price is still current their
    -- refresh judges without reading every price (etl.refresh_web_summaries).
    resighted_deal as (
        update reporting.deals as deal
        set last_seen_at = moved.last_seen_at
        from moved
        where deal.listing_id = moved.listing_id and deal.region = moved.region and moved.valid_to is null
    ),
    resighted_offer as (
        update reporting.current_offer as offer
        set last_seen_at = moved.last_seen_at,
            check_at = etl.current_until(moved.last_seen_at, moved.discount_ends_at,
                                         (select freshness.stale_after from core.freshness as freshness))
        from moved
        where offer.listing_id = moved.listing_id and offer.region = moved.region and moved.valid_to is null
    ),
    queued as (
        -- Either can make a price that had stopped being current a deal again: the web summaries judge it again.
        insert into ops.summary_queue (listing_id)
        select distinct listing_id
        from moved
        where back_after_gap or seen_past_sale_end
        on conflict do nothing
    )
    select (select count(*) from moved) + (select count(*) from moved_late) into periods_confirmed;

    return periods_confirmed;
end;
$$;

comment on function etl.move_last_seen(text, timestamptz, timestamptz) is
    'Takes the queued confirmations of feed files loaded in (loaded_after, loaded_upto] and moves last_seen_at of their price periods and of their rows in reporting.deals and reporting.current_offer (a listing back after a gap longer than core.freshness.stale_after starts a new period); returns periods moved';
