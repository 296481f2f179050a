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
from migrations.sql_files import execute

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

DOWNGRADE = r"""
drop index staging.store_listing_line_hash_idx;
alter table staging.store_listing drop column line_hash;
drop table staging.store_listing_confirmation;
alter table core.price_history reset (fillfactor);
alter table staging.store_listing reset (fillfactor);
create index store_listing_last_seen_feed_idx on staging.store_listing (source, last_seen_feed_file_id);
"""

def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
