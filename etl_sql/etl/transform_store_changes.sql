-- The transform step of stores: listings, games, price periods, confirmations.
-- needs revision 0014: ops.summary_queue
create or replace function etl.transform_store_changes(
    for_source text, after_change_id bigint, upto_change_id bigint,
    loaded_after timestamptz, loaded_upto timestamptz,
    out rows_changed integer, out listings_changed integer, out periods_confirmed integer)
language plpgsql
as $$
begin
    if upto_change_id > after_change_id then
        listings_changed := etl.upsert_listings(for_source, after_change_id, upto_change_id);
        perform ops.analyze_listings(listings_changed);
        rows_changed := etl.append_price_periods(for_source, after_change_id, upto_change_id);
        perform etl.note_latest_crawls(for_source, after_change_id, upto_change_id);
        perform etl.queue_changed_listings(for_source, after_change_id, upto_change_id);
    end if;
    periods_confirmed := etl.move_last_seen(for_source, loaded_after, loaded_upto);
    if upto_change_id > after_change_id then
        perform etl.prune_superseded_changes(for_source, after_change_id, upto_change_id);
    end if;
end;
$$;

comment on function etl.transform_store_changes(text, bigint, bigint, timestamptz, timestamptz) is
    'Store changes -> listings, games and price periods; rescrapes -> last_seen_at; superseded changes leave staging; returns periods opened, listings changed, periods confirmed';
