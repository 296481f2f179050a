"""The web summaries follow the day's changes only (issue 13): no step reads every deal or every current price.

- reporting.current_offer: every current price of a listing in a region, as reporting.store_coverage counts it,
  with its last sighting and check_at, the latest crawl time at which it is still current (its last sighting
  plus core.freshness.stale_after, or its sale's announced end). A price goes stale only when the latest crawl of its
  store and region moves past that, so etl.refresh_web_summaries() looks again only at the offers whose check_at
  the latest crawl passed (current_offer_check_idx) and at the listings the run changed, and keeps the coverage
  counts by adding and subtracting those; the oldest and newest sightings are one index probe each
  (current_offer_seen_idx), not a scan of every open period.
- The ETL role moves the last sighting of a deal and of an offer (and the offer's check_at) as it confirms their
  price period (etl.move_last_seen): it may read their key and sighting and update those, nothing else. A deal's
  sighting is in no index and the table keeps a fifth of each page free, so that daily update can stay on its
  page (heap-only).
- The upgrade queues every listing: the next refresh refills the summaries whole and fills current_offer.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UPGRADE = r"""
create table reporting.current_offer (
    listing_id bigint not null,
    region text not null,
    store text not null,
    currency text,
    priced boolean not null,
    discounted boolean not null,
    last_seen_at timestamptz not null,
    check_at timestamptz not null,
    primary key (listing_id, region)
);
comment on table reporting.current_offer is
    'Every current price of a listing in a region (reporting.current_prices as of the last ETL), the rows reporting.store_coverage counts; kept by etl.refresh_web_summaries';
comment on column reporting.current_offer.check_at is
    'The latest crawl time at which the price is still current (etl.current_until: its last sighting plus core.freshness.stale_after, or its sale''s announced end); the refresh judges it again once its store and region''s latest crawl passes it';
create index current_offer_check_idx on reporting.current_offer (store, region, check_at);
create index current_offer_seen_idx on reporting.current_offer (store, region, coalesce(currency, ''), last_seen_at);
revoke all on reporting.current_offer from pricewatch_reader;
grant select (listing_id, region, last_seen_at), update (last_seen_at, check_at) on reporting.current_offer to pricewatch_etl;

create unique index store_coverage_key_idx on reporting.store_coverage (store, region, currency) nulls not distinct;

alter table reporting.deals set (fillfactor = 80);
grant select (listing_id, region, last_seen_at), update (last_seen_at) on reporting.deals to pricewatch_etl;

insert into ops.summary_queue select listing_id from core.listing on conflict do nothing;
"""

DOWNGRADE = r"""
revoke all on reporting.deals from pricewatch_etl;
alter table reporting.deals reset (fillfactor);
drop index reporting.store_coverage_key_idx;
drop table reporting.current_offer;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
