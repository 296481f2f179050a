"""One game across stores, and the watchlist with alerts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from migrations.sql_files import execute

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UPGRADE = r"""
comment on table core.game is
    'Canonical games: listings of every store that are the same game point here (set by the pricewatch.games matcher)';
alter table core.game add column base_game_id bigint references core.game;
comment on column core.game.base_game_id is 'For DLC, soundtracks and other add-ons: the game they belong to (never merged into it)';

alter table core.listing
    add column edition text,
    add column match_method text check (match_method in ('steam_appid', 'title', 'fuzzy', 'manual')),
    add column match_score numeric(4, 1);
comment on column core.listing.edition is 'Edition words the store added to the game''s name (Deluxe Edition, GOTY, 豪華版); null for the plain game';
comment on column core.listing.match_method is 'Evidence that tied the listing to its game: steam_appid, title (identical name), fuzzy, manual';
comment on column core.listing.match_score is 'rapidfuzz score (0-100) when match_method is fuzzy';

create table core.game_decision (
    listing_id bigint primary key references core.listing,
    action text not null check (action in ('merge', 'split')),
    same_as_listing_id bigint references core.listing,
    decided_at timestamptz not null default now(),
    constraint game_decision_merge_has_target check ((action = 'merge') = (same_as_listing_id is not null)),
    constraint game_decision_not_self check (same_as_listing_id <> listing_id)
);
comment on table core.game_decision is 'A person''s word on a listing''s game (pricewatch games merge/split); the matcher never overrides it';
comment on column core.game_decision.action is 'merge: same game as same_as_listing_id; split: a game of its own';

create table ops.game_match_review (
    listing_id bigint references core.listing,
    candidate_listing_id bigint references core.listing,
    score numeric(4, 1) not null,
    found_at timestamptz not null default now(),
    primary key (listing_id, candidate_listing_id)
);
comment on table ops.game_match_review is 'Uncertain matches the matcher left apart, for pricewatch games review; rebuilt by every matcher run';

create table core.watch_rule (
    watch_rule_id bigint generated always as identity primary key,
    title text not null,
    anchor_listing_id bigint not null references core.listing,
    region text check (region ~ '^[A-Z]{2}$'),
    currency text references core.currency,
    below numeric check (below > 0),
    min_discount smallint check (min_discount between 1 and 100),
    new_low text check (new_low in ('all_time', '365_days', 'since_raise')),
    created_at timestamptz not null default now(),
    constraint watch_rule_asks_something check (num_nonnulls(below, min_discount, new_low) > 0),
    constraint watch_rule_below_in_currency check (below is null or currency is not null)
);
comment on table core.watch_rule is 'Watchlist: a game and the conditions (all must hold) that should raise an alert';
comment on column core.watch_rule.title is 'What the user typed to name the game';
comment on column core.watch_rule.anchor_listing_id is 'A listing of the watched game: the rule follows that listing''s game through merges and splits';
comment on column core.watch_rule.below is 'Alert when the public price is below this amount of currency';
comment on column core.watch_rule.min_discount is 'Alert when the discount is at least this many percent';
comment on column core.watch_rule.new_low is 'Alert on a new low: all_time, 365_days, or since_raise (lows before the last regular-price raise do not count)';

create table ops.alert_sent (
    watch_rule_id bigint not null references core.watch_rule on delete cascade,
    price_period_id bigint not null references core.price_history,
    channel text not null,
    sent_at timestamptz not null default now(),
    primary key (watch_rule_id, price_period_id, channel)
);
comment on table ops.alert_sent is 'Alerts delivered, per rule, price period and channel (webhook, email): each is sent once';
"""

GRANTS = r"""
grant select, insert, update, delete on core.game_decision, core.watch_rule to pricewatch_etl;
grant select, insert, delete on ops.game_match_review to pricewatch_etl;
grant select, insert on ops.alert_sent to pricewatch_etl;
grant delete on core.game to pricewatch_etl;
grant usage on schema reporting to pricewatch_etl;
"""

DOWNGRADE = r"""
drop table ops.alert_sent;
drop table core.watch_rule;
drop table ops.game_match_review;
drop table core.game_decision;
alter table core.listing drop column edition, drop column match_method, drop column match_score;
alter table core.game drop column base_game_id;
comment on table core.game is 'Canonical games; for now one per normalised store title (merging across stores comes later)';
"""


def upgrade() -> None:
    execute(UPGRADE)
    execute(GRANTS)


def downgrade() -> None:
    execute(DOWNGRADE)
