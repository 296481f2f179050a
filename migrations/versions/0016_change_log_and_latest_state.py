"""Lean staging (issue 17): an append-only change log beside a narrow table of each listing's latest state.

staging.store_listing kept every change and the latest state in one wide table: four indexes (two of them
over the listing's text key) and half of every page left free, so that a rescrape's move of `last_seen_at`
stayed heap-only. A first load paid for all of it on every row. Now:

- staging.store_listing_change, the change log: one row per change, written once by the load that found it,
  indexed only by its primary key (source, change_id), which the ETL's delta and the confirmation queue read
  and which grows at its right edge; pages are filled (fillfactor 100). The load that supersedes a change
  writes its final last seen time into it; nothing else changes a row. Each change names the change it
  superseded (`supersedes_change_id`), so the ETL prunes superseded changes by key.
- staging.store_listing_latest, the latest state: one narrow row per listing (key, change id and seq, both
  hashes, last seen), the rows change detection compares with and the only rows a rescrape updates. Its key is
  the listing (one latest state per listing, a lookup per record); `line_hash` is indexed for fingerprints.
  Confirmations update no indexed column, and half of each page is kept free (every row of a page can take
  one new version), so they stay heap-only.
- staging.store_listing is a view over the two with the columns of the old table (`is_latest`, `last_seen_at`
  as before), for the ETL's readers and for people; a row deleted through it deletes its change.

The unique index on (listing, change_seq) is gone: loads of a source hold its advisory lock, and the
latest-state table backs that up (a new listing's row is inserted under its key, a known one replaced only
where it still holds the state the load compared with; otherwise the load fails and writes nothing).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UPGRADE = r"""
create table staging.store_listing_latest (
    source text not null,
    store_item_id text not null,
    region text not null,
    change_id bigint not null,
    change_seq integer not null,
    content_hash uuid not null,
    line_hash uuid,
    last_seen_at timestamptz not null,
    last_seen_feed_file_id bigint not null,
    primary key (source, store_item_id, region)
) with (fillfactor = 50);
insert into staging.store_listing_latest (
    source, store_item_id, region, change_id, change_seq, content_hash, line_hash, last_seen_at, last_seen_feed_file_id
)
select source, store_item_id, region, change_id, change_seq, content_hash, line_hash, last_seen_at, last_seen_feed_file_id
from staging.store_listing
where is_latest;
create index store_listing_latest_line_hash_idx on staging.store_listing_latest (line_hash);
comment on table staging.store_listing_latest is
    'The latest state of each store listing (source, store_item_id, region): what feeds are compared with, and the only rows a rescrape updates';
comment on column staging.store_listing_latest.change_id is 'staging.store_listing_change holding the state';
comment on column staging.store_listing_latest.change_seq is 'change_seq of that change';
comment on column staging.store_listing_latest.content_hash is 'content_hash of that change';
comment on column staging.store_listing_latest.line_hash is 'line_hash of that change: a feed line with this fingerprint is the state seen again';
comment on column staging.store_listing_latest.last_seen_at is 'scraped_at of the newest feed record that showed the state';
comment on column staging.store_listing_latest.last_seen_feed_file_id is 'ops.feed_file of that record';
grant select, insert, update on staging.store_listing_latest to pricewatch_loader;
grant select on staging.store_listing_latest to pricewatch_etl;

drop index staging.store_listing_change_key;
drop index staging.store_listing_latest_key;
drop index staging.store_listing_line_hash_idx;
alter table staging.store_listing drop column is_latest;
alter table staging.store_listing add column supersedes_change_id bigint;
update staging.store_listing as change
set supersedes_change_id = previous.change_id
from staging.store_listing as previous
where previous.source = change.source and previous.store_item_id = change.store_item_id
  and previous.region = change.region and previous.change_seq = change.change_seq - 1;
alter table staging.store_listing reset (fillfactor);
alter table staging.store_listing rename to store_listing_change;
alter table staging.store_listing_change rename constraint store_listing_pkey to store_listing_change_pkey;
alter sequence staging.store_listing_change_id_seq rename to store_listing_change_change_id_seq;
-- A load draws a file's change ids first, to chain each change to the one it supersedes.
grant usage on sequence staging.store_listing_change_change_id_seq to pricewatch_loader;
comment on table staging.store_listing_change is
    'Store listings from feeds, one row per change of a listing (source, store_item_id, region), written once';
comment on column staging.store_listing_change.last_seen_at is
    'scraped_at of the newest feed record that showed this state, until it was superseded (the latest state''s is in staging.store_listing_latest)';
comment on column staging.store_listing_change.last_seen_feed_file_id is 'ops.feed_file of that record';
comment on column staging.store_listing_change.supersedes_change_id is
    'The change of the listing this one superseded (null for its first state): what the ETL prunes once it has read this one';
revoke update on staging.store_listing_change from pricewatch_loader;
grant update (last_seen_at, last_seen_feed_file_id) on staging.store_listing_change to pricewatch_loader;

create view staging.store_listing as
select change.change_id, change.source, change.store_item_id, change.region, change.change_seq,
    latest.change_id is not null as is_latest,
    change.observed_at,
    coalesce(latest.last_seen_at, change.last_seen_at) as last_seen_at,
    coalesce(latest.last_seen_feed_file_id, change.last_seen_feed_file_id) as last_seen_feed_file_id,
    change.currency, change.price, change.regular_price, change.discount_percent, change.is_free,
    change.subscription, change.title, change.kind, change.url, change.platforms, change.release_date,
    change.discount_ends_at, change.content_hash, change.feed_file_id, change.line_number, change.line_hash
from staging.store_listing_change as change
left join staging.store_listing_latest as latest
    on latest.source = change.source and latest.store_item_id = change.store_item_id
    and latest.region = change.region and latest.change_id = change.change_id;
comment on view staging.store_listing is
    'Store listings from feeds, one row per change, with is_latest and last seen as of now: the change log joined to the latest states';
revoke all on staging.store_listing from pricewatch_loader, pricewatch_etl;
grant select on staging.store_listing to pricewatch_loader, pricewatch_etl;

-- Writes through the view: a deleted row is its change (and its listing's latest state, if it was that); an
-- insert or update is a clear error naming the tables to write. Roles without the privilege on the view are
-- refused before the trigger, as they were by the table.
create function staging.store_listing_write() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'DELETE' then
        delete from staging.store_listing_latest as latest
        where latest.source = old.source and latest.store_item_id = old.store_item_id and latest.region = old.region
          and latest.change_id = old.change_id;
        delete from staging.store_listing_change as change
        where change.source = old.source and change.change_id = old.change_id;
        return old;
    end if;
    raise exception 'staging.store_listing is a view: % staging.store_listing_change (the changes) and staging.store_listing_latest (the latest states) instead', lower(tg_op)
        using errcode = 'feature_not_supported';
end
$$;
comment on function staging.store_listing_write() is 'Deletes through the view staging.store_listing; refuses inserts and updates with the tables to write';
create trigger store_listing_write instead of insert or update or delete on staging.store_listing
    for each row execute function staging.store_listing_write();
"""

DOWNGRADE = r"""
drop view staging.store_listing;
drop function staging.store_listing_write();
alter table staging.store_listing_change rename to store_listing;
alter table staging.store_listing rename constraint store_listing_change_pkey to store_listing_pkey;
revoke usage on sequence staging.store_listing_change_change_id_seq from pricewatch_loader;
alter sequence staging.store_listing_change_change_id_seq rename to store_listing_change_id_seq;
alter table staging.store_listing add column is_latest boolean not null default false;
update staging.store_listing as change
set is_latest = true, last_seen_at = latest.last_seen_at, last_seen_feed_file_id = latest.last_seen_feed_file_id
from staging.store_listing_latest as latest
where latest.source = change.source and latest.change_id = change.change_id;
alter table staging.store_listing alter column is_latest set default true;
alter table staging.store_listing drop column supersedes_change_id;
alter table staging.store_listing set (fillfactor = 50);
comment on table staging.store_listing is 'Store listings from feeds, one row per change of a listing (source, store_item_id, region)';
comment on column staging.store_listing.is_latest is 'True on the current state of the listing, the row rescrapes are compared with';
comment on column staging.store_listing.last_seen_at is 'scraped_at of the newest feed record that confirmed this state';
comment on column staging.store_listing.last_seen_feed_file_id is 'ops.feed_file that last confirmed this state; the ETL propagates last_seen_at from rows whose id passed its watermark';
grant select, insert, update on staging.store_listing to pricewatch_loader;
create unique index store_listing_change_key on staging.store_listing (source, store_item_id, region, change_seq);
create unique index store_listing_latest_key on staging.store_listing (source, store_item_id, region) where is_latest;
create index store_listing_line_hash_idx on staging.store_listing (line_hash) where is_latest;
drop table staging.store_listing_latest;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
