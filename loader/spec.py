"""What a feed is, declaratively: its contract, where it lands in staging and what counts as a change.

A feed spec names the contract (contracts/<name>.schema.json, the reference for what a valid record is), the
staging table, the key fields that identify one listing, the content fields whose change makes a new staging
row, and the refresh fields that are only kept current on the latest row (a news item's score, say).
Two switches make rescrapes cheap where a feed allows it: `fingerprint_lines` recognises a line identical to
the latest state but for its observed-at value without parsing it (the spec needs no refresh fields, whose
values move while the fingerprint would stay), and `confirmation_queue` names the table where confirmed latest
rows wait for the ETL (without it the ETL finds them by `last_seen_feed_file_id`).

Staging takes one of two layouts. A spec with `fingerprint_lines` keeps an append-only change log
(`<table>_change`, written once per change) apart from a narrow table of each listing's latest state
(`<table>_latest`: change id and seq, content and line hashes, last seen; the rows a rescrape reads and
updates), and `table` names the view joining them. Without it `table` is one table of changes whose latest
rows carry `is_latest` and are updated in place (refresh fields live there).

The loader's SQL is generated from the spec, so adding a store or a feed kind means adding a spec, not code.
"""
from dataclasses import dataclass, field

INTEGER_TYPES = ("smallint", "integer", "bigint")


@dataclass(frozen=True)
class Column:
    """A feed field stored in a staging column of an SQL type (`text[]` for a JSON array of strings)."""

    field: str
    sql_type: str = "text"
    column: str | None = None

    @property
    def name(self) -> str:
        return self.column or self.field


@dataclass(frozen=True)
class MoneyRule:
    """Decimal-string amounts checked against their currency: not negative, not absurd, no excess decimals,
    and (when `currency_required`) never an amount without a currency."""

    fields: tuple[str, ...]
    currency_field: str
    max_amount: int = 10_000_000
    currency_required: bool = True


@dataclass(frozen=True)
class PriceRule:
    """Fields of a price that must agree with each other: price at most regular_price, a stated discount_percent
    (above 0) what the two prices say to within a point of rounding, and a free item priced 0."""

    price: str
    regular_price: str
    discount_percent: str
    is_free: str


@dataclass(frozen=True)
class FeedSpec:
    name: str
    contract: str
    table: tuple[str, str]
    key: tuple[Column, ...]
    observed_at: Column
    content: tuple[Column, ...]
    refresh: tuple[Column, ...] = ()
    money: MoneyRule | None = None
    price_rule: PriceRule | None = None
    sources: tuple[str, ...] = field(default=())
    fingerprint_lines: bool = False
    confirmation_queue: tuple[str, str] | None = None

    def __post_init__(self):
        if self.fingerprint_lines and self.refresh:
            raise ValueError(f"{self.name}: fingerprint_lines needs a spec without refresh fields")

    @property
    def source_column(self) -> Column:
        """The key column holding the source, whose advisory lock a load takes."""
        return next(column for column in self.key if column.field == "source")

    @property
    def change_log(self) -> tuple[str, str]:
        """The table a load appends changes to."""
        schema, name = self.table
        return (schema, f"{name}_change") if self.fingerprint_lines else self.table

    @property
    def latest_state(self) -> tuple[str, str] | None:
        """The narrow table of each listing's latest state, when the layout has one."""
        schema, name = self.table
        return (schema, f"{name}_latest") if self.fingerprint_lines else None

    @property
    def stored_tables(self) -> tuple[tuple[str, str], ...]:
        """The tables a load writes (whose planner statistics it refreshes)."""
        return (self.change_log, self.latest_state) if self.latest_state else (self.table,)

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.key + (self.observed_at,) + self.content + self.refresh
