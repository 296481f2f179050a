"""Game matching that costs what the day changed: what the matcher last saw of each listing, and indexes on
the names it derived, so a run matches new and retitled listings against the games already known.

- `steam_appid`: the Steam app a listing is or links to, as a column the matcher can look up.
- `matched_title`, `matched_kind`, `matched_appid`, `matched_at`, `matched_game_id`: what the matcher last
  matched; a listing whose title, kind or Steam link differs, or never matched (a manual decision clears
  `matched_at`), is pending, found through a partial index.
- `match_name`, `match_markers`, `match_block`, `match_franchise`: the identifying name (pricewatch.games.titles),
  its markers, its fuzzy block (null for add-ons and bundles) and an add-on's 《》 name; null for decided listings.
- The index on core.game.base_game_id that deleting a game needs (the reference is checked on every delete).
- News matching by index: `normalized_url` (the store link a post is compared with) and the first word of a
  game's title (fuzzy title candidates), so a news run costs its new items, not the catalogue.

Existing listings are all pending after the upgrade: the next `pricewatch etl` matches the whole catalogue once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = r"""
alter table core.listing
    add column steam_appid text generated always as (
        case when store = 'steam' then store_item_id
             else substring(url from 'store\.steampowered\.com/app/(\d+)') end) stored,
    add column matched_title text,
    add column matched_kind text,
    add column matched_appid text,
    add column matched_at timestamptz,
    add column matched_game_id bigint,
    add column match_name text,
    add column match_markers text[],
    add column match_block text,
    add column match_franchise text;
comment on column core.listing.steam_appid is 'The Steam appid the listing is, or links to from another store';
comment on column core.listing.matched_title is 'The title the game matcher last matched; another title makes the listing pending';
comment on column core.listing.matched_kind is 'The kind the game matcher last matched';
comment on column core.listing.matched_appid is 'The steam_appid the game matcher last matched';
comment on column core.listing.matched_at is 'When the game matcher last matched the listing; null: pending (new, or a manual decision since)';
comment on column core.listing.matched_game_id is 'The game the matcher put the listing in (the ETL moves a retitled listing before the matcher sees it)';
comment on column core.listing.match_name is 'Identifying name of the title (pricewatch.games.titles); null for decided listings';
comment on column core.listing.match_markers is 'Add-on, bundle and remake markers of the title, sorted';
comment on column core.listing.match_block is 'Names compared by fuzzy score share a block (first word, sequel numbers, remake); null for add-ons and bundles';
comment on column core.listing.match_franchise is 'An add-on''s name in 《》, which names its base game';

create index listing_match_pending_idx on core.listing (listing_id)
    where matched_at is null or (title, kind, steam_appid) is distinct from (matched_title, matched_kind, matched_appid);
create index listing_match_name_idx on core.listing (match_name text_pattern_ops) where match_name is not null;
create index listing_match_block_idx on core.listing (match_block, length(match_name)) where match_block is not null;
create index listing_steam_appid_idx on core.listing (steam_appid) where steam_appid is not null;
create index listing_match_franchise_idx on core.listing (match_franchise) where match_franchise is not null;
create index game_base_game_idx on core.game (base_game_id) where base_game_id is not null;

-- News: a store link is found by the listing's normalised URL, a fuzzy title through its first word. Both are
-- spelled out with built-in functions: an upgrade drops and re-creates the etl functions, which a column or an
-- index could not survive. The URL is reduced as etl.normalize_url does (tests/test_news_etl.py checks they agree).
alter table core.listing add column normalized_url text generated always as (
    regexp_replace(
        regexp_replace(
            regexp_replace(lower(split_part(split_part(url, '#', 1), '?', 1)), '^[a-z][a-z0-9+.-]*://(www\.)?', ''),
            '^([^/]+)/[a-z]{2}(-[a-z]{2})?(/|$)', '\1/'),
        '/+$', '')) stored;
comment on column core.listing.normalized_url is 'url as etl.normalize_url reduces it: what a store link in a post is compared with';
create index listing_normalized_url_idx on core.listing (normalized_url) where normalized_url is not null;
create index game_first_word_idx on core.game (split_part(regexp_replace(normalized_title, '^the ', ''), ' ', 1));
"""

DOWNGRADE = r"""
drop index core.game_base_game_idx, core.game_first_word_idx;
alter table core.listing
    drop column normalized_url, drop column steam_appid, drop column matched_title, drop column matched_kind, drop column matched_appid,
    drop column matched_at, drop column matched_game_id, drop column match_name, drop column match_markers, drop column match_block,
    drop column match_franchise;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
