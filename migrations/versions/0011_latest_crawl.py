"""The latest crawl of each store and region, kept by the ETL, for the freshness rule.

reporting.price_history judges a listing stale against the latest crawl of its store and region. Working that
out from every open price period on every query cost a scan of the whole catalogue (the web's search timed
out at 1M listing-regions); the ETL now keeps it in core.latest_crawl as it writes the sightings.

Small tables are analyzed after any change: autovacuum's default waits for 50 changed rows, so a table of a
few rows (the watchlist, the stores, the freshness setting) kept the planner's default guess of hundreds or
thousands of rows, and the views joining them hashed whole catalogue tables.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UPGRADE = r"""
create table core.latest_crawl (
    store text not null references core.store,
    region text not null references core.region,
    crawled_at timestamptz not null,
    primary key (store, region)
);
comment on table core.latest_crawl is
    'The newest sighting of any listing of a store in a region: when its latest crawl ran, as far as the ETL has seen';
comment on column core.latest_crawl.crawled_at is 'The newest last_seen_at the ETL wrote for the store and region';
grant select, insert, update on core.latest_crawl to pricewatch_etl;

alter table core.latest_crawl set (autovacuum_analyze_threshold = 0);
alter table core.watch_rule set (autovacuum_analyze_threshold = 0);
alter table core.freshness set (autovacuum_analyze_threshold = 0);
alter table core.store set (autovacuum_analyze_threshold = 0);
alter table core.region set (autovacuum_analyze_threshold = 0);
analyze core.watch_rule, core.freshness, core.store, core.region;

-- Only an open period can hold the newest sighting: confirmations move the open period's last_seen_at.
insert into core.latest_crawl (store, region, crawled_at)
select listing.store, period.region, max(period.last_seen_at)
from core.price_history as period
join core.listing as listing on listing.listing_id = period.listing_id
where period.valid_to is null
group by listing.store, period.region;
analyze core.latest_crawl;
"""

DOWNGRADE = r"""
alter table core.watch_rule reset (autovacuum_analyze_threshold);
alter table core.freshness reset (autovacuum_analyze_threshold);
alter table core.store reset (autovacuum_analyze_threshold);
alter table core.region reset (autovacuum_analyze_threshold);
drop table core.latest_crawl;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
