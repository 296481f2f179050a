"""The web's deals follow the day's changes only (issue 13): no step reads every deal.

- reporting.deals.check_at: the latest crawl of its store and region can pass it before the deal needs looking
  at again (a deal goes stale only when its store and region's latest crawl moves past its last sighting plus
  core.freshness.stale_after, or past its sale's announced end). etl.refresh_web_summaries() examines only
  the deals whose check_at the latest crawl passed, through deals_check_idx, instead of every deal. Existing
  deals get their last sighting, a lower bound: the next refresh examines them once.
- The ETL role moves a deal's last sighting as it confirms its price period (etl.move_last_seen): it may read
  a deal's key and sighting and update the sighting, nothing else. last_seen_at is in no index, and the table
  keeps a fifth of each page free, so that daily update can stay on its page (heap-only).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

UPGRADE = r"""
alter table reporting.deals add column check_at timestamptz;
update reporting.deals set check_at = last_seen_at;
alter table reporting.deals alter column check_at set not null;
comment on column reporting.deals.check_at is
    'No crawl before this time can make the deal stale (its last sighting plus core.freshness.stale_after, or its sale''s announced end, as of when it was last examined); etl.refresh_web_summaries examines it again once its store and region''s latest crawl passes it';
create index deals_check_idx on reporting.deals (store, region, check_at);
alter table reporting.deals set (fillfactor = 80);

grant select (listing_id, region, last_seen_at), update (last_seen_at) on reporting.deals to pricewatch_etl;
"""

DOWNGRADE = r"""
revoke all on reporting.deals from pricewatch_etl;
alter table reporting.deals reset (fillfactor);
drop index reporting.deals_check_idx;
alter table reporting.deals drop column check_at;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
