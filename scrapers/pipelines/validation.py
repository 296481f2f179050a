"""Drop every item that breaks its feed contract, so nothing invalid ever reaches a feed file.

The contract (a JSON Schema in contracts/) is chosen by the item's `source` through the setting
PRICEWATCH_ITEM_SCHEMAS ({source: schema name}); an item of an unmapped source is invalid too.
Dropped items are counted in stats: pricewatch/items/invalid, .../invalid/<source> and, per failing
field, pricewatch/validation/<field>.
"""
import functools
import logging

from jsonschema import Draft202012Validator
from scrapy.exceptions import DropItem, NotConfigured

import contracts

logger = logging.getLogger(__name__)


@functools.cache
def validator(schema_name: str) -> Draft202012Validator:
    return Draft202012Validator(contracts.schema(schema_name), format_checker=Draft202012Validator.FORMAT_CHECKER)


def contract_errors(item: dict, schemas: dict[str, str]) -> list[tuple[str, str]]:
    """(field, message) for every way `item` breaks its contract; empty when it is valid."""
    source = item.get("source") if isinstance(item, dict) else None
    schema_name = schemas.get(source)
    if schema_name is None:
        return [("source", f"no contract for source {source!r}")]
    return [
        (".".join(str(part) for part in error.absolute_path) or "item", error.message)
        for error in validator(schema_name).iter_errors(item)
    ]


class ContractValidationPipeline:
    def __init__(self, stats, schemas: dict[str, str]):
        self.stats = stats
        self.schemas = schemas

    @classmethod
    def from_crawler(cls, crawler):
        schemas = crawler.settings.getdict("PRICEWATCH_ITEM_SCHEMAS")
        if not schemas:
            raise NotConfigured("PRICEWATCH_ITEM_SCHEMAS is empty")
        return cls(crawler.stats, schemas)

    def process_item(self, item):
        errors = contract_errors(item, self.schemas)
        if not errors:
            return item
        self.stats.inc_value("pricewatch/items/invalid")
        source = item.get("source") if isinstance(item, dict) else None
        self.stats.inc_value(f"pricewatch/items/invalid/{source or 'unknown'}")
        for field, _ in errors:
            self.stats.inc_value(f"pricewatch/validation/{field}")
        raise DropItem(f"item breaks its contract: {'; '.join(f'{f}: {m}' for f, m in errors)}")
