"""The daily cycle costs what the day changed (issue 13).

- The web summaries cost what a run changed: the ETL steps that change a listing's price periods or
  description add the listing to ops.summary_queue; etl.refresh_web_summaries() judges those listings again
  from their history and only checks the other deals for what needs no history (the last sighting, the game,
  whether the crawls still see them). The upgrade queues every listing, so the next refresh refills whole.
- core.price_history keeps a fifth of each page free instead of half (fillfactor 80, was 50 since 0006): a
  page reserved half its room for the daily confirmations of its open periods, but most periods are closed
  and never change again, so every stored price change cost twice its size (bench/RESULTS.md section 5).
  It applies to pages written from now on.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

UPGRADE = r"""
create table ops.summary_queue (
    listing_id bigint primary key
);
comment on table ops.summary_queue is
    'Listings whose price periods or description an ETL run changed since the web summaries were last refreshed (etl.refresh_web_summaries drains it)';
grant insert on ops.summary_queue to pricewatch_etl;
-- Summaries filled before the queue existed are judged again, every listing (the next refresh refills whole).
insert into ops.summary_queue select listing_id from core.listing;

alter table core.price_history set (fillfactor = 80);
"""

DOWNGRADE = r"""
alter table core.price_history set (fillfactor = 50);
drop table ops.summary_queue;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
