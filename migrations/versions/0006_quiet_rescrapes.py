"""Rescrapes that write almost nothing, and staging that grows with the catalogue.

- The hash of each latest row's feed line (`line_hash`), so a line identical to the latest state apart from
  its scrape time is recognised by an index lookup instead of being parsed.
- Confirmations queued for the ETL (staging.store_listing_confirmation) instead of found through an index on
  `last_seen_feed_file_id`; without that index, and with room on each page (fillfactor), moving last_seen_at
  is a heap-only (HOT) update that writes no index entry.
- The same room on core.price_history, whose open periods the ETL confirms after every crawl.
- The ETL deletes the staging changes it has read once a later change superseded them (core keeps them).

A fillfactor applies to pages written from now on: on a database that already holds many rows, a
`vacuum full staging.store_listing, core.price_history` (it locks them while it runs) rewrites the old ones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""
from migrations.sql_files import apply, execute

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UPGRADE = r"""
drop index staging.store_listing_last_seen_feed_idx;
alter table staging.store_listing set (fillfactor = 50);
alter table core.price_history set (fillfactor = 50);

create table staging.store_listing_confirmation (
    source text not null,
    feed_file_id bigint not null,
    change_id bigint not null
);
comment on table staging.store_listing_confirmation is
    'Queue of latest staging.store_listing rows a rescrape confirmed (last_seen_at moved), until the ETL moves their price periods';
comment on column staging.store_listing_confirmation.feed_file_id is 'ops.feed_file whose records confirmed the change';
comment on column staging.store_listing_confirmation.change_id is 'staging.store_listing change whose last_seen_at moved';
grant select, insert on staging.store_listing_confirmation to pricewatch_loader;
grant select, delete on staging.store_listing_confirmation to pricewatch_etl;

alter table staging.store_listing add column line_hash uuid;
comment on column staging.store_listing.line_hash is
    'md5 of the feed line that made the row, with its scraped_at value left out: an identical line is this state again';
create index store_listing_line_hash_idx on staging.store_listing (line_hash) where is_latest;
"""

# etl.new_changes returns whole staging rows and the functions after it read them: recreated with the new
# column (and, going down, without it).
RECREATED_WITH_LINE_HASH = ("etl_new_changes.sql", "etl_listing_descriptions.sql", "etl_price_period_changes.sql")

FUNCTION_GRANTS = r"""
revoke all on all functions in schema etl from public;
grant execute on all functions in schema etl to pricewatch_etl;
"""

DOWNGRADE = r"""
drop function etl.prune_superseded_changes(text, bigint, bigint);
drop index staging.store_listing_line_hash_idx;
alter table staging.store_listing drop column line_hash cascade;
drop table staging.store_listing_confirmation;
alter table core.price_history reset (fillfactor);
alter table staging.store_listing reset (fillfactor);
create index store_listing_last_seen_feed_idx on staging.store_listing (source, last_seen_feed_file_id);
"""

# The two functions as revision 0005 left them: confirmations found through the index recreated above, and
# no pruning.
FUNCTIONS_0005 = r"""
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

create or replace function etl.transform_store_changes(
    for_source text, after_change_id bigint, upto_change_id bigint,
    loaded_after timestamptz, loaded_upto timestamptz,
    out rows_changed integer, out listings_changed integer, out periods_confirmed integer)
language plpgsql
as $$
begin
    if upto_change_id > after_change_id then
        listings_changed := etl.upsert_listings(for_source, after_change_id, upto_change_id);
        rows_changed := etl.append_price_periods(for_source, after_change_id, upto_change_id);
    end if;
    periods_confirmed := etl.move_last_seen(for_source, loaded_after, loaded_upto);
end;
$$;
"""


def upgrade() -> None:
    execute(UPGRADE)
    apply(*RECREATED_WITH_LINE_HASH, "etl_move_last_seen.sql", "etl_prune_staging.sql", "etl_run_source.sql")
    execute(FUNCTION_GRANTS)


def downgrade() -> None:
    execute(DOWNGRADE)
    apply(*RECREATED_WITH_LINE_HASH)
    execute(FUNCTIONS_0005)
    execute(FUNCTION_GRANTS)
