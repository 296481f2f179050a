-- Queues the listings a run's changes touched, for the web summaries to judge again.
-- needs revision 0014: ops.summary_queue
create or replace function etl.queue_changed_listings(for_source text, after_change_id bigint, upto_change_id bigint)
returns void
language sql
begin atomic
    insert into ops.summary_queue (listing_id)
    select distinct listing.listing_id
    from etl.new_changes(for_source, after_change_id, upto_change_id) as change
    join core.listing as listing on listing.store = change.source and listing.store_item_id = change.store_item_id
    on conflict do nothing;
end;

comment on function etl.queue_changed_listings(text, bigint, bigint) is
    'Adds the listings of a run''s staging changes (new prices, new listings, new descriptions) to ops.summary_queue';
