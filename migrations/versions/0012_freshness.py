"""When a price stops being current: the freshness rule's setting.

A price period is current while its listing keeps being seen by the crawls of its store and region; the
rule's one knob, how long a listing may go unseen, is a row of core.freshness (see docs/model.md,
"When a price is current").

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0012"
down_revision = "0006"
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
"""

DOWNGRADE = r"""
drop table core.freshness;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
