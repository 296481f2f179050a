"""core.price_history partitioned by month (revision 0013): months created ahead by the ETL, a default partition
for the rest, and a migration that converts a table with data and back."""
from datetime import datetime, timedelta, timezone

import psycopg2
import pytest
from etl_fixtures import rows, run_etl

from pricewatch import migrate
from pricewatch.etl_cycle import run_store_source

# Where each period sits, by price_period_id.
HELD_IN = "select price_period_id, tableoid::regclass::text from core.price_history order by price_period_id"
PARTITION_OF_MONTH = "select to_regclass(%s) is not null"
CREATE_AHEAD = "select etl.create_history_partitions()"


def month(months_ahead: int) -> datetime:
    first = datetime.now(timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months_ahead):
        first = (first + timedelta(days=32)).replace(day=1)
    return first


def partition(of: datetime) -> str:
    return f"core.price_history_{of.astimezone(timezone.utc):%Y_%m}"


def remove_partition(conn, of: datetime) -> None:
    """Detached first: a partition cannot be dropped while ops.alert_sent's foreign key covers it."""
    with conn.cursor() as cur:
        cur.execute(f"alter table core.price_history detach partition {partition(of)}")
        cur.execute(f"drop table {partition(of)}")


def as_etl(conn, statement):
    with conn.cursor() as cur:
        cur.execute("set role pricewatch_etl")
        try:
            cur.execute(statement)
            return cur.fetchone()
        finally:
            cur.execute("reset role")


def store_run(conn) -> dict:
    """One store run the way `pricewatch etl` does it, as the ETL role."""
    with conn.cursor() as cur:
        cur.execute("set role pricewatch_etl")
    try:
        return run_store_source(conn, "steam")
    finally:
        with conn.cursor() as cur:
            cur.execute("reset role")


def test_a_migrated_database_has_this_month_the_next_and_a_default_partition(admin):
    assert rows(admin, "select relkind from pg_class where oid = 'core.price_history'::regclass") == [("p",)]
    for name in (partition(month(0)), partition(month(1)), "core.price_history_default"):
        assert rows(admin, PARTITION_OF_MONTH, (name,)) == [(True,)], name
    # Cheap when the months exist: nothing to create.
    assert as_etl(admin, CREATE_AHEAD) == (0,)


def test_the_etl_role_cannot_add_a_partition_itself(admin):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        as_etl(admin, "create table core.price_history_2001_01 partition of core.price_history"
                      " for values from ('2001-01-01') to ('2001-02-01')")


@pytest.mark.parametrize("observed, held_in", [
    # A missing month to come is created by the run before its periods are written.
    (lambda: month(1) + timedelta(minutes=30), lambda: partition(month(1))),
    # A month the ETL does not create ahead (years back) is kept by the default partition.
    (lambda: datetime(2020, 1, 15, tzinfo=timezone.utc), lambda: "core.price_history_default"),
])
def test_a_period_of_a_month_without_partition_lands_in_its_month_or_the_default(admin, staging, observed, held_in):
    remove_partition(admin, month(1))
    staging.change("367520", observed().isoformat())

    assert store_run(admin)["status"] == "succeeded"

    assert [where for _, where in rows(admin, HELD_IN)] == [held_in()]
    assert rows(admin, "select count(*) from reporting.price_history") == [(1,)]


def test_a_month_the_default_already_holds_is_left_there(admin, staging):
    remove_partition(admin, month(1))
    staging.change("367520", (month(1) + timedelta(days=3)).isoformat())
    run_etl(admin)

    assert as_etl(admin, CREATE_AHEAD) == (0,)

    assert rows(admin, PARTITION_OF_MONTH, (partition(month(1)),)) == [(False,)]
    assert [where for _, where in rows(admin, HELD_IN)] == ["core.price_history_default"]


SNAPSHOT = "select * from core.price_history order by price_period_id"
ALERTS = "select watch_rule_id, price_period_id, channel from ops.alert_sent order by 1, 2, 3"


def test_downgrade_and_upgrade_keep_every_period_and_alert(db_url, admin, staging):
    for at, price in (("2026-01-10T10:00:00", "19.99"), ("2026-02-10T10:00:00", "9.99"),
                      ("2026-04-02T10:00:00", "14.99")):
        staging.change("367520", at, price=price)
        staging.change("367520", at, region="GB", currency="GBP", price=price)
    run_etl(admin)
    with admin.cursor() as cur:
        cur.execute("""
            with rule as (
                insert into core.watch_rule (title, anchor_listing_id, min_discount)
                select 'Hollow Knight', listing_id, 10 from core.listing
                returning watch_rule_id
            )
            insert into ops.alert_sent (watch_rule_id, price_period_id, period_valid_from, channel)
            select rule.watch_rule_id, period.price_period_id, period.valid_from, 'webhook'
            from rule cross join core.price_history as period
            where period.price = 9.99""")
    periods, alerts = rows(admin, SNAPSHOT), rows(admin, ALERTS)
    revisions = migrate.revisions()

    migrate.downgrade(db_url, revisions[revisions.index("0013") - 1])
    assert rows(admin, "select relkind from pg_class where oid = 'core.price_history'::regclass") == [("r",)]
    assert (rows(admin, SNAPSHOT), rows(admin, ALERTS)) == (periods, alerts)

    migrate.upgrade(db_url)
    assert (rows(admin, SNAPSHOT), rows(admin, ALERTS)) == (periods, alerts)
    assert [where for _, where in rows(admin, HELD_IN)] == [
        partition(valid_from) for *_, valid_from in rows(admin, "select price_period_id, valid_from"
                                                                " from core.price_history order by 1")]
    # New periods continue the ids.
    staging.change("367520", "2026-04-20T10:00:00", price="4.99")
    run_etl(admin)
    assert rows(admin, "select max(price_period_id) from core.price_history") == [(periods[-1][0] + 1,)]
