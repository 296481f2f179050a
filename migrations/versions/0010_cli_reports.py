"""What the command line reads: the lows next to the best prices, the known stores and regions, and a comment
on every column of every reporting view.

- reporting.best_prices gains the sale end and the all-time low of the cheapest listing, and whether it is at
  that low now (columns appended, so `create or replace` keeps the view's dependants).
- reporting.stores and reporting.regions let the reader role say which store or region names exist.
- etl_sql/reporting_column_comments.sql comments every column of every reporting view from one glossary.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-06
"""
from migrations.sql_files import apply, execute

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None

GRANTS = r"""
grant select on reporting.stores, reporting.regions to pricewatch_reader, pricewatch_etl;
"""

# best_prices keeps its extra columns: they are a superset the older code ignores, and `create or replace`
# cannot take columns away.
DOWNGRADE = r"""
drop view reporting.regions;
drop view reporting.stores;
"""


def upgrade() -> None:
    apply("reporting_best_prices.sql", "reporting_stores.sql", "reporting_regions.sql")
    execute(GRANTS)
    apply("reporting_column_comments.sql")


def downgrade() -> None:
    execute(DOWNGRADE)
