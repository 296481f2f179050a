"""The 3NF price model (core) and the schema of the ETL functions (etl).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
import json
from importlib import resources

from alembic import op

from migrations.sql_files import execute

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STORES = (
    ("steam", "Steam", "https://store.steampowered.com/"),
    ("psstore", "PlayStation Store", "https://store.playstation.com/"),
    ("gog", "GOG", "https://www.gog.com/"),
    ("epic", "Epic Games Store", "https://store.epicgames.com/"),
    ("eshop", "Nintendo eShop", "https://www.nintendo.com/"),
)

CORE = r"""
create table core.store (
    store text primary key,
    display_name text not null,
    homepage text not null
);
comment on table core.store is 'Stores pricewatch tracks; store is the spider name used as source in feeds';
comment on column core.store.display_name is 'Name shown to people, e.g. PlayStation Store';

create table core.region (
    region text primary key check (region ~ '^[A-Z]{2}$')
);
comment on table core.region is 'Storefront countries seen in feeds (ISO 3166-1 alpha-2)';

create table core.currency (
    currency text primary key check (currency ~ '^[A-Z]{3}$'),
    minor_units smallint not null check (minor_units between 0 and 4),
    name text not null
);
comment on table core.currency is 'ISO 4217 currencies, seeded from contracts/currencies.json';
comment on column core.currency.minor_units is 'Digits after the decimal point (JPY 0, USD 2, KWD 3)';

create table core.game (
    game_id bigint generated always as identity primary key,
    normalized_title text not null unique check (normalized_title <> ''),
    title text not null,
    created_at timestamptz not null default now()
);
comment on table core.game is 'Canonical games; for now one per normalised store title (merging across stores comes later)';
comment on column core.game.normalized_title is 'etl.normalize_title of the title: lower case, marks and punctuation removed';
comment on column core.game.title is 'The title as first seen in a store';

create table core.listing (
    listing_id bigint generated always as identity primary key,
    store text not null references core.store,
    store_item_id text not null,
    kind text not null check (kind in ('game', 'dlc', 'bundle', 'other')),
    title text not null,
    url text,
    platforms text[] not null default '{}',
    release_date text,
    game_id bigint references core.game,
    first_seen_at timestamptz not null,
    described_at timestamptz not null,
    constraint listing_store_item_key unique (store, store_item_id)
);
create index listing_game_idx on core.listing (game_id);
comment on table core.listing is 'An item of one store (a game, DLC or bundle page) with its latest descriptive fields';
comment on column core.listing.store_item_id is 'The store''s own id (Steam appid, PS Store product id, GOG id, ...)';
comment on column core.listing.game_id is 'The canonical game; null while the store gave no title';
comment on column core.listing.platforms is 'Platforms the store lists, sorted';
comment on column core.listing.release_date is 'Release date as the store writes it (free text: stores use many formats)';
comment on column core.listing.first_seen_at is 'scraped_at of the first feed record of this listing';
comment on column core.listing.described_at is 'observed_at of the staging change the descriptive fields come from';

create table core.price_history (
    price_period_id bigint generated always as identity primary key,
    listing_id bigint not null references core.listing,
    region text not null references core.region,
    currency text references core.currency,
    price numeric check (price >= 0),
    regular_price numeric check (regular_price >= 0),
    discount_percent smallint check (discount_percent between 0 and 100),
    is_free boolean not null,
    subscription text,
    discount_ends_at timestamptz,
    valid_from timestamptz not null,
    valid_to timestamptz,
    last_seen_at timestamptz not null,
    opened_by_change_id bigint not null,
    constraint price_period_ordered check (valid_to >= valid_from),
    constraint price_period_priced_in_currency check (price is null or currency is not null)
);
-- Exactly one open period per listing and region. Overlaps cannot be declared without btree_gist, so the
-- ETL builds periods by construction (each new period closes the previous one) and the tests check it.
create unique index price_history_open_key on core.price_history (listing_id, region) where valid_to is null;
create index price_history_listing_region_idx on core.price_history (listing_id, region, valid_from);
comment on table core.price_history is 'Price periods of a listing in a region: one row per price state, valid_from until valid_to';
comment on column core.price_history.currency is 'ISO 4217 code of price and regular_price; null when not for sale';
comment on column core.price_history.price is 'Price paid in the period, numeric in major units of currency; null when not for sale';
comment on column core.price_history.regular_price is 'Price without discount, major units; null when not for sale';
comment on column core.price_history.subscription is 'Set when the price is tied to a subscription (e.g. PS_PLUS): never the public price';
comment on column core.price_history.valid_from is 'When the store first showed this price state (observed_at of its staging change)';
comment on column core.price_history.valid_to is 'When the next price state began; null for the open (current) period';
comment on column core.price_history.last_seen_at is 'Newest scrape that confirmed this price state';
comment on column core.price_history.opened_by_change_id is 'staging.store_listing change that started the period (lineage)';

create table ops.etl_watermark (
    source text primary key references core.store,
    last_change_id bigint not null default 0,
    last_loaded_at timestamptz not null default '-infinity',
    updated_at timestamptz not null default now()
);
comment on table ops.etl_watermark is 'Per source, how far the ETL has read staging: the next run starts after these ids';
comment on column ops.etl_watermark.last_change_id is 'Highest staging.store_listing.change_id already turned into core rows';
-- Not a feed_file_id: the loader takes its ledger id before it waits for the source lock, so a lower id can
-- commit after a higher one. loaded_at is stamped under the lock, so it only grows for a source.
comment on column ops.etl_watermark.last_loaded_at is 'Newest ops.feed_file.loaded_at whose rescrapes (last_seen_at moves) reached core';

create table ops.etl_run (
    etl_run_id bigint generated always as identity primary key,
    source text not null references core.store,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    status text not null check (status in ('succeeded', 'failed')),
    error text,
    rows_in integer not null default 0,
    rows_changed integer not null default 0,
    listings_changed integer not null default 0,
    periods_confirmed integer not null default 0,
    after_change_id bigint,
    upto_change_id bigint,
    constraint etl_run_error_when_failed check ((status = 'failed') = (error is not null))
);
create index etl_run_source_idx on ops.etl_run (source, started_at);
comment on table ops.etl_run is 'One row per ETL run of a source, successful or not';
comment on column ops.etl_run.rows_in is 'New staging changes read (change_id after the watermark)';
comment on column ops.etl_run.rows_changed is 'Price periods opened: price changes, including first prices of new listings';
comment on column ops.etl_run.listings_changed is 'Listings inserted or whose descriptive fields changed';
comment on column ops.etl_run.periods_confirmed is 'Price periods whose last_seen_at moved because a rescrape confirmed them';

-- The ETL finds confirmed (rescraped, unchanged) listings by the feed file that last confirmed them.
create index store_listing_last_seen_feed_idx on staging.store_listing (source, last_seen_feed_file_id);

create schema etl;
comment on schema etl is 'Functions that turn staging changes into the core model, one run per source';
"""

GRANTS = r"""
grant usage on schema etl to pricewatch_etl;
grant select, insert, update on all tables in schema core to pricewatch_etl;
grant select, insert, update on ops.etl_run, ops.etl_watermark to pricewatch_etl;
"""

DOWNGRADE = r"""
drop schema etl;
drop index staging.store_listing_last_seen_feed_idx;
drop table ops.etl_run;
drop table ops.etl_watermark;
drop table core.price_history;
drop table core.listing;
drop table core.game;
drop table core.currency;
drop table core.region;
drop table core.store;
"""


def seed() -> None:
    """Reference rows, passed as JSON parameters and unpacked by one set-based insert each."""
    table = resources.files("contracts").joinpath("currencies.json").read_text(encoding="utf-8")
    stores = json.dumps([dict(zip(("store", "display_name", "homepage"), row)) for row in STORES])
    with op.get_bind().connection.cursor() as cur:
        cur.execute(
            """
            insert into core.currency (currency, minor_units, name)
            select code, (info ->> 'minor_units')::smallint, info ->> 'name'
            from jsonb_each(%s::jsonb) as listed (code, info)
            """,
            (table,),
        )
        cur.execute(
            "insert into core.store select * from jsonb_populate_recordset(null::core.store, %s::jsonb)",
            (stores,),
        )


def upgrade() -> None:
    execute(CORE)
    seed()
    execute(GRANTS)


def downgrade() -> None:
    execute(DOWNGRADE)
