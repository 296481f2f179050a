"""What a feed is, declaratively: its contract, where it lands in staging and what counts as a change.

A feed spec names the contract (contracts/<name>.schema.json, the reference for what a valid record is), the
staging table, the key fields that identify one listing, the content fields whose change makes a new staging
row, and the refresh fields that are only kept current on the latest row (a news item's score, say). The
loader's SQL is generated from the spec, so adding a store or a feed kind means adding a spec, not code.
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
class FeedSpec:
    name: str
    contract: str
    table: tuple[str, str]
    key: tuple[Column, ...]
    observed_at: Column
    content: tuple[Column, ...]
    refresh: tuple[Column, ...] = ()
    money: MoneyRule | None = None
    sources: tuple[str, ...] = field(default=())

    @property
    def source_column(self) -> Column:
        """The key column holding the source, whose advisory lock a load takes."""
        return next(column for column in self.key if column.field == "source")

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.key + (self.observed_at,) + self.content + self.refresh
