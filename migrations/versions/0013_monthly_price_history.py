"""core.price_history partitioned by month of valid_from (docs/scaling.md, "Monthly partitions").

- The table is rebuilt as a range-partitioned one: a partition per month the rows span, this month and the
  next, and a default partition for anything outside the months created; the ETL creates the months ahead
  (etl.create_history_partitions). valid_from never changes once a period opens, so a row never moves.
- PostgreSQL wants the partition key in every unique key: the primary key is (price_period_id, valid_from)
  (price_period_id alone stays unique: it comes from one identity sequence), and the one-open-period-per-listing-
  and-region index is no longer unique (the ETL keeps it so by construction, tests/test_etl.py checks it).
- ops.alert_sent keeps its foreign key to the period through the full key: it gains period_valid_from.

The rows are copied in one statement that routes each to its month, inside the migration's transaction: the
table is locked while it runs (112 s for 10M periods on the shared 2-core machine, bench/RESULTS.md §10).
The downgrade copies them back into one table.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

# The columns, defaults, identity, checks and comments come from the table being replaced (`like`), so a
# column added later is carried along; keys, indexes and foreign keys are declared again after the copy.
REBUILT = r"""
create table core.price_history_rebuilt (
    like core.price_history including defaults including identity including constraints including comments
) {layout};
{partitions}
insert into core.price_history_rebuilt overriding system value select * from core.price_history;
select setval(pg_get_serial_sequence('core.price_history_rebuilt', 'price_period_id'),
              coalesce(max(price_period_id), 0) + 1, false)
from core.price_history_rebuilt;
alter table ops.alert_sent drop constraint alert_sent_price_period_id_fkey;
drop table core.price_history;
alter table core.price_history_rebuilt rename to price_history;
alter sequence core.price_history_rebuilt_price_period_id_seq rename to price_history_price_period_id_seq;
alter table core.price_history
    add constraint price_history_pkey primary key ({key}),
    add constraint price_history_listing_id_fkey foreign key (listing_id) references core.listing,
    add constraint price_history_region_fkey foreign key (region) references core.region,
    add constraint price_history_currency_fkey foreign key (currency) references core.currency;
create {open_index_kind} index {open_index} on core.price_history (listing_id, region) where valid_to is null;
create index price_history_listing_region_idx on core.price_history (listing_id, region, valid_from);
comment on table core.price_history is
    'Price periods of a listing in a region: one row per price state, valid_from until valid_to{table_note}';
grant select, insert, update on core.price_history to pricewatch_etl;
alter table ops.alert_sent add constraint alert_sent_price_period_id_fkey
    foreign key ({alert_key}) references core.price_history ({key});
"""

# A partition per month (UTC) from the oldest period's to the next month, then the default one. The same
# name and bounds as etl.create_history_partitions, which adds the months to come.
MONTHLY_PARTITIONS = r"""
create table core.price_history_default partition of core.price_history_rebuilt default with (fillfactor = 50);
comment on table core.price_history_default is
    'Price periods of core.price_history that began in a month without a partition of its own';
do $$
declare
    month timestamptz;
begin
    for month in
        select generate_series(
            date_trunc('month', coalesce(min(valid_from), now()), 'UTC'),
            greatest(date_trunc('month', max(valid_from), 'UTC'), date_trunc('month', now(), 'UTC')) + interval '1 month',
            interval '1 month')
        from core.price_history
    loop
        execute format(
            'create table core.%1$I partition of core.price_history_rebuilt for values from (%2$L) to (%3$L) with (fillfactor = 50);'
            'comment on table core.%1$I is %4$L',
            'price_history_' || to_char(month at time zone 'UTC', 'YYYY_MM'), month,
            (month at time zone 'UTC' + interval '1 month') at time zone 'UTC',
            'Price periods of core.price_history that began in ' || to_char(month at time zone 'UTC', 'YYYY-MM') || ' (UTC)');
    end loop;
end;
$$;
"""

UPGRADE = r"""
alter table ops.alert_sent add column period_valid_from timestamptz;
update ops.alert_sent as sent
set period_valid_from = period.valid_from
from core.price_history as period
where period.price_period_id = sent.price_period_id;
alter table ops.alert_sent alter column period_valid_from set not null;
comment on column ops.alert_sent.period_valid_from is
    'valid_from of the price period: with price_period_id, the key of core.price_history (partitioned by it)';
""" + REBUILT.format(
    layout="partition by range (valid_from)",
    partitions=MONTHLY_PARTITIONS,
    key="price_period_id, valid_from",
    open_index_kind="",
    open_index="price_history_open_idx",
    table_note=' (partitioned by month of valid_from; price_history_default holds months not created yet)',
    alert_key="price_period_id, period_valid_from",
)

DOWNGRADE = REBUILT.format(
    layout="with (fillfactor = 50)",
    partitions="",
    key="price_period_id",
    open_index_kind="unique",
    open_index="price_history_open_key",
    table_note="",
    alert_key="price_period_id",
) + r"""
alter table ops.alert_sent drop column period_valid_from;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
