"""The web app (`pricewatch serve`): a role that may only add and remove watch rules, search by title words,
and summaries of the catalogue judged once per ETL instead of per page view.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-06
"""
from migrations.sql_files import apply, execute

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None

# historical_lows and watchlist_alerts changed in place so that a filter on listing_id reaches the periods'
# index (one game's lows and alerts read that game's periods, not the catalogue's): re-applied here.
REPORTING_FILES = (
    "reporting_historical_lows.sql",
    "watchlist_alerts.sql",
    "reporting/game_search.sql",
    "reporting/deals.sql",
    "reporting/store_coverage.sql",
    "reporting/source_status.sql",
    "reporting/watch_rules.sql",
    "reporting/refresh_summaries.sql",
)

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
create index game_base_game_idx on core.game (base_game_id) where base_game_id is not null;
"""

GRANTS = r"""
grant usage on schema core to pricewatch_web;
grant insert (title, anchor_listing_id, region, currency, below, min_discount, new_low) on core.watch_rule to pricewatch_web;
grant select (watch_rule_id), delete on core.watch_rule to pricewatch_web;
grant select on reporting.game_search, reporting.deals, reporting.store_coverage, reporting.source_status,
    reporting.watch_rules to pricewatch_reader;
revoke all on function reporting.refresh_summaries() from public;
grant execute on function reporting.refresh_summaries() to pricewatch_etl;
"""

DOWNGRADE = r"""
drop function reporting.refresh_summaries();
drop view reporting.watch_rules;
drop view reporting.source_status;
drop materialized view reporting.store_coverage;
drop materialized view reporting.deals;
drop view reporting.game_search;
drop index core.game_base_game_idx;
drop index core.game_title_words_idx;
revoke all on core.watch_rule from pricewatch_web;
revoke all on schema core from pricewatch_web;
"""


def upgrade() -> None:
    execute(UPGRADE)
    apply(*REPORTING_FILES)
    execute(GRANTS)


def downgrade() -> None:
    execute(DOWNGRADE)
