"""Answers a user can trust: the freshness rule's setting, and descriptions per region.

- A price period is current while its listing keeps being seen by the crawls of its store and region; the
  rule's one knob, how long a listing may go unseen, is a row of core.freshness (see docs/model.md,
  "When a price is current").
- A listing's title and URL in each region it is sold in (core.listing_region); core.listing keeps the
  description of one region, the one it was first seen in (described_region), so its game does not change
  because another region renamed it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UPGRADE = r"""
create table core.freshness (
    singleton boolean primary key default true check (singleton),
    stale_after interval not null default interval '2 days' check (stale_after > interval '0')
);
comment on table core.freshness is
    'The freshness rule (one row): a listing unseen for stale_after before its store and region''s latest crawl is no longer current';
comment on column core.freshness.stale_after is
    'How long before the latest crawl of its store and region a listing may have been seen last and still count as current';
insert into core.freshness default values;
-- The ETL reads it: a listing back after a longer gap starts a new price period.
grant select on core.freshness to pricewatch_etl;

alter table core.listing add column described_region text references core.region;
comment on column core.listing.described_region is
    'The region whose title and URL describe the listing (the first it was seen in); other regions'' are in core.listing_region';

create table core.listing_region (
    listing_id bigint not null references core.listing,
    region text not null references core.region,
    title text,
    url text,
    described_at timestamptz not null,
    primary key (listing_id, region)
);
comment on table core.listing_region is 'A listing''s title and URL in one region (stores sell one item under other names and pages per country)';
comment on column core.listing_region.title is 'The newest title the region showed; null while it showed none (eShop prices carry no title)';
comment on column core.listing_region.described_at is 'observed_at of the staging change the title and URL come from';
grant select, insert, update on core.listing_region to pricewatch_etl;
"""

DOWNGRADE = r"""
drop table core.listing_region;
alter table core.listing drop column described_region;
drop table core.freshness;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
