"""Foundation: schemas, least-privilege roles, the ops ledger and the change-only staging table.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""
from migrations.sql_files import execute

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UPGRADE = r"""
-- Roles are cluster-wide and may already exist (another database on the same server), so create them once.
do $$
begin
    if not exists (select from pg_roles where rolname = 'pricewatch_loader') then
        create role pricewatch_loader nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'pricewatch_etl') then
        create role pricewatch_etl nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'pricewatch_reader') then
        create role pricewatch_reader nologin;
    end if;
end
$$;
comment on role pricewatch_loader is 'pricewatch: writes feeds into staging and the ops ledger; cannot see core';
comment on role pricewatch_etl is 'pricewatch: reads staging, writes the core model; cannot change the schema';
comment on role pricewatch_reader is 'pricewatch: reads the reporting views only (Tableau, pgAdmin, psql users)';

-- The migrating login hands its duties to the roles with SET ROLE, so it must be a member of each.
do $$
begin
    if not (select rolsuper from pg_roles where rolname = current_user) then
        execute format('grant pricewatch_loader, pricewatch_etl, pricewatch_reader to %I', current_user);
    end if;
end
$$;

create schema staging;
comment on schema staging is 'Raw store listings as loaded from feeds, one row per change; written by the loader';
create schema core;
comment on schema core is 'The normalised (3NF) price model built by the ETL from staging';
create schema reporting;
comment on schema reporting is 'Views for people and BI tools; the only schema the reader role sees';
create schema ops;
comment on schema ops is 'Operations: feed ledger, rejected lines, ETL runs and watermarks';

create table ops.feed_file (
    feed_file_id bigint generated always as identity primary key,
    path text not null,
    sha256 text not null,
    source text,
    feed_kind text not null,
    bytes bigint not null,
    lines_read integer not null default 0,
    rows_new integer not null default 0,
    rows_unchanged integer not null default 0,
    rows_rejected integer not null default 0,
    started_at timestamptz not null default now(),
    loaded_at timestamptz,
    constraint feed_file_sha256_key unique (sha256),
    constraint feed_file_counts_add_up check (lines_read = rows_new + rows_unchanged + rows_rejected)
);
comment on table ops.feed_file is 'Ledger of every feed file loaded: a file (by content hash) is loaded once';
comment on column ops.feed_file.path is 'Where the file was when loaded (it may since have moved to the archive)';
comment on column ops.feed_file.feed_kind is 'The loader feed spec used (store_listing, ...)';
comment on column ops.feed_file.source is 'Source of the records (null when the file mixes sources)';
comment on column ops.feed_file.loaded_at is 'When the load committed';
comment on column ops.feed_file.sha256 is 'Hash of the file content; loading the same content again is a no-op';
comment on column ops.feed_file.lines_read is 'Records read from the file; always rows_new + rows_unchanged + rows_rejected';
comment on column ops.feed_file.rows_new is 'Records that were a change of their listing and became a staging row';
comment on column ops.feed_file.rows_unchanged is 'Records identical to what staging already held (only last_seen_at moved)';
comment on column ops.feed_file.rows_rejected is 'Records refused with a reason, see ops.load_reject';

create table ops.load_reject (
    load_reject_id bigint generated always as identity primary key,
    feed_file_id bigint not null references ops.feed_file on delete cascade,
    line_number integer not null,
    reason text not null,
    raw_text text,
    rejected_at timestamptz not null default now()
);
create index load_reject_feed_file_idx on ops.load_reject (feed_file_id);
comment on table ops.load_reject is 'Feed records the loader refused, with the file, line number, reason and raw text';
comment on column ops.load_reject.raw_text is 'The line as read (undecodable bytes shown as \xNN escapes, NUL as \x00)';
comment on column ops.load_reject.line_number is 'Line in the feed file (element number for JSON arrays)';

create table staging.store_listing (
    change_id bigint generated always as identity primary key,
    source text not null,
    store_item_id text not null,
    region text not null,
    change_seq integer not null,
    is_latest boolean not null default true,
    observed_at timestamptz not null,
    last_seen_at timestamptz not null,
    last_seen_feed_file_id bigint not null,
    currency text,
    price numeric,
    regular_price numeric,
    discount_percent smallint,
    is_free boolean not null,
    subscription text,
    title text not null,
    kind text not null,
    url text,
    platforms text[] not null default '{}',
    release_date text,
    discount_ends_at timestamptz,
    content_hash uuid not null,
    feed_file_id bigint not null,
    line_number integer not null
);
-- One row per change: the n-th change of a listing exists once, whatever loads race. A price going
-- A -> B -> A is three changes with change_seq 1, 2, 3, so the return to A is kept.
create unique index store_listing_change_key on staging.store_listing (source, store_item_id, region, change_seq);
create unique index store_listing_latest_key on staging.store_listing (source, store_item_id, region) where is_latest;
create index store_listing_source_change_idx on staging.store_listing (source, change_id);
comment on table staging.store_listing is 'Store listings from feeds, one row per change of a listing (source, store_item_id, region)';
comment on column staging.store_listing.change_seq is '1 for the first state of the listing, +1 for every later change';
comment on column staging.store_listing.is_latest is 'True on the current state of the listing, the row rescrapes are compared with';
comment on column staging.store_listing.observed_at is 'scraped_at of the first feed record that showed this state';
comment on column staging.store_listing.last_seen_at is 'scraped_at of the newest feed record that confirmed this state';
comment on column staging.store_listing.price is 'Price paid now, in major units of currency; null when not for sale';
comment on column staging.store_listing.regular_price is 'Price without discount, in major units; null when not for sale';
comment on column staging.store_listing.subscription is 'Set when the price is tied to a subscription (e.g. PS_PLUS), never the public price';
comment on column staging.store_listing.content_hash is 'md5 of every field but scraped_at: equal hash means nothing changed';
comment on column staging.store_listing.feed_file_id is 'ops.feed_file that first showed this state (no foreign key: per-row checks would dominate bulk loads; the loader writes the ledger row in the same transaction)';
comment on column staging.store_listing.last_seen_feed_file_id is 'ops.feed_file that last confirmed this state; the ETL propagates last_seen_at from rows whose id passed its watermark';
comment on column staging.store_listing.line_number is 'Line of the record in its feed file (element number for JSON arrays)';

alter default privileges in schema staging grant select, insert, update on tables to pricewatch_loader;
alter default privileges in schema staging grant select on tables to pricewatch_etl;
alter default privileges in schema reporting grant select on tables to pricewatch_reader;

grant usage on schema staging, ops to pricewatch_loader;
grant select, insert, update on all tables in schema staging to pricewatch_loader;
grant select, insert, update on ops.feed_file, ops.load_reject to pricewatch_loader;

grant usage on schema staging, core, ops to pricewatch_etl;
grant select on all tables in schema staging to pricewatch_etl;
grant select on ops.feed_file to pricewatch_etl;

grant usage on schema reporting to pricewatch_reader;
"""

DOWNGRADE = r"""
drop schema reporting cascade;
drop schema core cascade;
drop schema staging cascade;
drop schema ops cascade;
-- Roles are shared by every database on the server, so they stay; this database no longer grants them anything.
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
