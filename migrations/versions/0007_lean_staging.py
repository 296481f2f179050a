"""Lean staging: one index fewer for every change a load writes.

staging.store_listing had both a primary key on change_id and an index on (source, change_id); every reader
of changes by id knows the source (the ETL reads a source's changes after its watermark, the confirmation
queue holds the source beside the change_id), so the primary key becomes (source, change_id) and serves them
all. A first load then writes four index entries per change instead of five. etl.move_last_seen joins the
queue to staging on both columns, which works with either key.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UPGRADE = r"""
alter table staging.store_listing drop constraint store_listing_pkey;
drop index staging.store_listing_source_change_idx;
alter table staging.store_listing add constraint store_listing_pkey primary key (source, change_id);
"""

DOWNGRADE = r"""
alter table staging.store_listing drop constraint store_listing_pkey;
alter table staging.store_listing add constraint store_listing_pkey primary key (change_id);
create index store_listing_source_change_idx on staging.store_listing (source, change_id);
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
