"""Indexes for the report, web and BI queries at catalogue scale (issue 13 point 3).

The price drops of the last days (`reporting.price_drops_since`, `report drops --days`) start from the periods
that began in those days: without an index on valid_from, every query read all price periods. reporting.best_prices ranks one game at a time; walking the games in title
order (`report best --limit N`, ordered by game) stops after N of them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UPGRADE = r"""
create index price_history_valid_from_idx on core.price_history (valid_from);
create index game_title_idx on core.game (title);
"""

DOWNGRADE = r"""
drop index core.game_title_idx;
drop index core.price_history_valid_from_idx;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
