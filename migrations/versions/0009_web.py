"""The web app (`pricewatch serve`): a role that may only add and remove watch rules, search by title words,
and summaries of the catalogue judged once per ETL instead of per page view.

The summaries (reporting.deals, reporting.store_coverage) are filled by etl.refresh_web_summaries() at the
end of every `pricewatch etl`; after this upgrade they are empty until the next ETL run.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UPGRADE = r"""
do $$
begin
    if not exists (select from pg_roles where rolname = 'pricewatch_web') then
        create role pricewatch_web nologin;
    end if;
    if not (select rolsuper from pg_roles where rolname = current_user) then
        execute format('grant pricewatch_web to %I', current_user);
    end if;
end
$$;
comment on role pricewatch_web is 'pricewatch: the web app''s writes - adds and removes watch rules, nothing else';

create index game_title_words_idx on core.game using gin (to_tsvector('simple', title));

create table reporting.deals (
    game_id bigint,
    game text,
    store text not null,
    store_name text not null,
    title text not null,
    kind text not null,
    region text not null,
    currency text not null,
    price numeric not null,
    regular_price numeric,
    discount_percent smallint,
    since timestamptz not null,
    last_seen_at timestamptz not null,
    url text,
    previous_low numeric,
    new_all_time_low boolean not null,
    new_low_since_raise boolean not null,
    listing_id bigint not null,
    primary key (listing_id, region)
);
comment on table reporting.deals is
    'Current public prices that are discounted or a new low (all-time, or since the last base-price raise); refilled by etl.refresh_web_summaries() after each ETL';
comment on column reporting.deals.previous_low is 'Lowest public price of the listing in this region and currency before the current one';
comment on column reporting.deals.new_low_since_raise is 'Lower than every price since the last regular-price raise (lows before it do not count)';
-- Each list in its order, alone and per filter (store, store and region, region, currency): a filtered list
-- starts at its filter's first rows instead of skipping the others.
create index deals_discount_idx on reporting.deals (discount_percent desc, since desc);
create index deals_store_discount_idx on reporting.deals (store, discount_percent desc, since desc);
create index deals_store_region_discount_idx on reporting.deals (store, region, discount_percent desc, since desc);
create index deals_region_discount_idx on reporting.deals (region, discount_percent desc, since desc);
create index deals_currency_discount_idx on reporting.deals (currency, discount_percent desc, since desc);
create index deals_all_time_low_idx on reporting.deals (since desc) where new_all_time_low;
create index deals_store_all_time_low_idx on reporting.deals (store, since desc) where new_all_time_low;
create index deals_store_region_all_time_low_idx on reporting.deals (store, region, since desc) where new_all_time_low;
create index deals_region_all_time_low_idx on reporting.deals (region, since desc) where new_all_time_low;
create index deals_currency_all_time_low_idx on reporting.deals (currency, since desc) where new_all_time_low;
create index deals_low_since_raise_idx on reporting.deals (since desc) where new_low_since_raise and not new_all_time_low;
create index deals_store_low_since_raise_idx on reporting.deals (store, since desc)
    where new_low_since_raise and not new_all_time_low;
create index deals_store_region_low_since_raise_idx on reporting.deals (store, region, since desc)
    where new_low_since_raise and not new_all_time_low;
create index deals_region_low_since_raise_idx on reporting.deals (region, since desc)
    where new_low_since_raise and not new_all_time_low;
create index deals_currency_low_since_raise_idx on reporting.deals (currency, since desc)
    where new_low_since_raise and not new_all_time_low;

create table reporting.store_coverage (
    store text not null,
    store_name text not null,
    region text not null,
    currency text,
    listings bigint not null,
    priced bigint not null,
    discounted bigint not null,
    oldest_seen_at timestamptz not null,
    newest_seen_at timestamptz not null
);
comment on table reporting.store_coverage is
    'Per store, region and currency: current listings, how many are priced and discounted, oldest and newest last-seen time; refilled after each ETL';

grant usage on schema core to pricewatch_web;
grant insert (title, anchor_listing_id, region, currency, below, min_discount, new_low) on core.watch_rule to pricewatch_web;
grant select (watch_rule_id), delete on core.watch_rule to pricewatch_web;
grant select on reporting.deals, reporting.store_coverage to pricewatch_reader;
"""

DOWNGRADE = r"""
drop table reporting.store_coverage;
drop table reporting.deals;
drop index core.game_title_words_idx;
revoke all on core.watch_rule from pricewatch_web;
revoke all on schema core from pricewatch_web;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
