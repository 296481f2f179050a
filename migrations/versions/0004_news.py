"""Deals chatter: news staging, news sources, items, deals and mentions of games.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
import json

from alembic import op

from migrations.sql_files import execute

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NEWS_SOURCES = (
    ("reddit", "Reddit", "Deal posts of r/GameDeals and the subreddits in PRICEWATCH_REDDIT_SUBREDDITS"),
    ("news", "News feeds", "RSS/Atom feeds of gaming news sites and social accounts in PRICEWATCH_NEWS_FEEDS"),
)
# How deal titles name the stores we track ("[Epic Games] ...", "[PSN] ..."), lower case.
STORE_ALIASES = {
    "steam": ("steam", "steam store", "steampowered"),
    "gog": ("gog", "gog.com", "good old games"),
    "epic": ("epic", "epic games", "epic games store", "egs", "epic store"),
    "psstore": ("playstation store", "playstation", "psn", "ps store", "playstation network"),
    "eshop": ("nintendo eshop", "eshop", "nintendo", "switch eshop"),
}

UPGRADE = r"""
create table staging.news_item (
    change_id bigint generated always as identity primary key,
    source text not null,
    feed text not null,
    external_id text not null,
    change_seq integer not null,
    is_latest boolean not null default true,
    observed_at timestamptz not null,
    last_seen_at timestamptz not null,
    last_seen_feed_file_id bigint not null,
    title text not null,
    url text,
    published_at timestamptz,
    author text,
    summary text,
    link_url text,
    score integer,
    num_comments integer,
    flair text,
    deal_store text,
    deal_title text,
    deal_price numeric,
    deal_currency text,
    deal_discount_percent smallint,
    content_hash uuid not null,
    feed_file_id bigint not null,
    line_number integer not null
);
create unique index news_item_change_key on staging.news_item (source, feed, external_id, change_seq);
create unique index news_item_latest_key on staging.news_item (source, feed, external_id) where is_latest;
create index news_item_source_change_idx on staging.news_item (source, change_id);
create index news_item_last_seen_feed_idx on staging.news_item (source, last_seen_feed_file_id);
comment on table staging.news_item is 'News items from feeds, one row per change of title or url of an item (source, feed, external_id)';
comment on column staging.news_item.change_seq is '1 for the first state of the item, +1 for every later title/url change';
comment on column staging.news_item.is_latest is 'True on the current state of the item; its refresh fields (score, ...) follow every rescrape';
comment on column staging.news_item.observed_at is 'scraped_at of the first feed record that showed this title and url';
comment on column staging.news_item.last_seen_at is 'scraped_at of the newest feed record that confirmed this state';
comment on column staging.news_item.score is 'Reddit score as last scraped: a score change moves it on the latest row, never makes a row';
comment on column staging.news_item.deal_price is 'Price a deal title states, major units of deal_currency (null currency: the title shows none)';
comment on column staging.news_item.content_hash is 'md5 of title and url: equal hash means no new row';
comment on column staging.news_item.feed_file_id is 'ops.feed_file that first showed this state (no foreign key, as in staging.store_listing: per-row checks would dominate bulk loads)';
comment on column staging.news_item.last_seen_feed_file_id is 'ops.feed_file that last confirmed this state; the ETL refreshes core items from rows it names';

create table core.news_source (
    source text primary key,
    display_name text not null,
    description text not null
);
comment on table core.news_source is 'Sources of deals chatter (reddit, news); source is the spider name used in feeds';

create table core.news_feed (
    news_feed_id bigint generated always as identity primary key,
    source text not null references core.news_source,
    feed text not null,
    first_seen_at timestamptz not null,
    constraint news_feed_source_feed_key unique (source, feed)
);
comment on table core.news_feed is 'One subreddit or one RSS/Atom feed of a news source';
comment on column core.news_feed.feed is 'Subreddit name (reddit) or feed URL (news)';

create table core.news_item (
    news_item_id bigint generated always as identity primary key,
    news_feed_id bigint not null references core.news_feed,
    external_id text not null,
    title text not null,
    url text,
    published_at timestamptz,
    author text,
    summary text,
    link_url text,
    score integer,
    num_comments integer,
    flair text,
    first_seen_at timestamptz not null,
    described_at timestamptz not null,
    last_seen_at timestamptz not null,
    matched_at timestamptz,
    constraint news_item_feed_external_key unique (news_feed_id, external_id)
);
create index news_item_published_idx on core.news_item (published_at);
comment on table core.news_item is 'A post or article of a feed, with its latest fields';
comment on column core.news_item.external_id is 'Reddit post id, else the entry guid, else its link';
comment on column core.news_item.link_url is 'Reddit: the page the post links to (a store page for most deal posts)';
comment on column core.news_item.described_at is 'observed_at of the staging change the title and url come from';
comment on column core.news_item.last_seen_at is 'Newest scrape that showed the item';
comment on column core.news_item.matched_at is 'When fuzzy title matching last looked at the item; null: not yet (or its title or link changed)';

create table core.store_alias (
    alias text primary key check (alias = lower(alias)),
    store text not null references core.store
);
comment on table core.store_alias is 'Names deal titles give our stores, lower case ("epic games" -> epic)';

create table core.news_deal (
    news_item_id bigint primary key references core.news_item,
    store_named text not null,
    store text references core.store,
    title text,
    price numeric check (price >= 0),
    currency text references core.currency,
    discount_percent smallint check (discount_percent between 0 and 100)
);
comment on table core.news_deal is 'The deal a post title announces: "[Steam] Hades ($12.49 / 50% off)"';
comment on column core.news_deal.store_named is 'Store as the title writes it (Steam, Humble Bundle, ...)';
comment on column core.news_deal.store is 'Our store, when store_named is one of its aliases';
comment on column core.news_deal.price is 'Price the title states, major units; null when it gives none or a range';
comment on column core.news_deal.currency is 'ISO 4217 code of price; null when the title shows no currency';

create table core.news_mention (
    news_item_id bigint not null references core.news_item on delete cascade,
    game_id bigint not null references core.game,
    listing_id bigint references core.listing,
    match_method text not null check (match_method in ('store_link', 'exact_title', 'fuzzy_title')),
    match_score numeric not null check (match_score between 0 and 100),
    matched_text text,
    matched_at timestamptz not null default now(),
    primary key (news_item_id, game_id)
);
create index news_mention_game_idx on core.news_mention (game_id);
comment on table core.news_mention is 'A news item mentions a game: found by a store link, the exact title or a fuzzy title match';
comment on column core.news_mention.listing_id is 'The listing a store link points to (store_link matches only)';
comment on column core.news_mention.match_score is 'rapidfuzz score of a fuzzy_title match (0-100); 100 for exact matches';
comment on column core.news_mention.matched_text is 'The link or game title that matched';

-- ETL bookkeeping now serves stores and news sources; each run function checks its own source list.
alter table ops.etl_watermark drop constraint etl_watermark_source_fkey;
alter table ops.etl_run drop constraint etl_run_source_fkey;
"""

GRANTS = r"""
grant select on core.news_source, core.store_alias to pricewatch_etl;
grant select, insert, update on core.news_feed, core.news_item, core.news_deal, core.news_mention to pricewatch_etl;
grant delete on core.news_deal, core.news_mention to pricewatch_etl;
"""

DOWNGRADE = r"""
delete from ops.etl_run where source not in (select store from core.store);
delete from ops.etl_watermark where source not in (select store from core.store);
alter table ops.etl_watermark add constraint etl_watermark_source_fkey foreign key (source) references core.store;
alter table ops.etl_run add constraint etl_run_source_fkey foreign key (source) references core.store;
drop table core.news_mention;
drop table core.news_deal;
drop table core.store_alias;
drop table core.news_item;
drop table core.news_feed;
drop table core.news_source;
drop table staging.news_item;
"""


def seed() -> None:
    sources = json.dumps([dict(zip(("source", "display_name", "description"), row)) for row in NEWS_SOURCES])
    aliases = json.dumps([{"alias": alias, "store": store} for store, names in STORE_ALIASES.items() for alias in names])
    with op.get_bind().connection.cursor() as cur:
        cur.execute("insert into core.news_source select * from jsonb_populate_recordset(null::core.news_source, %s::jsonb)",
                    (sources,))
        cur.execute("insert into core.store_alias select * from jsonb_populate_recordset(null::core.store_alias, %s::jsonb)",
                    (aliases,))


def upgrade() -> None:
    execute(UPGRADE)
    seed()
    execute(GRANTS)


def downgrade() -> None:
    execute(DOWNGRADE)
