"""The feed contract (a JSON Schema) as Python: the first broken rule of a decoded record, or None.

Generated from the same schema and money rule as the SQL checks (loader.contract_checks), rule for rule and
in the same order, so a record gets the same reason either way (tests/test_bad_input.py compares them on
generated bad input). Most lines are decoded straight into a msgspec Struct made from the schema, which
checks types, enums, lengths, patterns and bounds in C while decoding; only the rules a Struct cannot
express (date-time formats, the money rule, the clock rule, then the price rule across fields) run in Python
after. A line the Struct refuses is decoded as a plain object and every rule is tried in order, to find its
reason.

The SQL checks stay the reference: where Python and PostgreSQL could read a value differently (a date-time
Python's parser refuses, an integer beyond the column's type, whitespace only PostgreSQL's locale decides),
the validator raises `Undecided` and the line goes to the SQL checks rather than get a reason that might
differ.
"""
import functools
import re
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Annotated, Literal, Optional, Union

import msgspec

import contracts
from loader.contract_checks import (ANNOTATIONS, DATE_TIME, DECIMAL, DISCOUNT_ROUNDING, EARLIEST_SCRAPE,
                                    FUTURE_TOLERANCE, resolve, understood)
from loader.spec import FeedSpec, PriceRule

ASCII_SPACE = " \t\n\r\x0b\x0c"
# What a field missing from the record reads as, in the Struct and in a plain object alike.
ABSENT = msgspec.UNSET
# PostgreSQL refuses offsets beyond about 15 hours.
MAX_OFFSET_HOURS = 14
# Distinct (amount, currency) pairs whose money check is remembered: prices repeat across a catalogue.
KNOWN_AMOUNTS = 1 << 16
# Distinct date-times whose verdict is remembered: a crawl writes the same second on many lines.
KNOWN_TIMES = 1 << 16


class Undecided(Exception):
    """The record is left to the SQL checks, which decide it the way PostgreSQL reads it."""


def json_type(value) -> str:
    """What jsonb_typeof says of a value decoded from JSON (numbers arrive as int or Decimal)."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, Decimal)):
        return "number"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def anchored(pattern: str) -> str:
    """A contract pattern as PostgreSQL's `~` reads it: a final `$` is the end of the string (in Python it
    would also match before a final newline)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + r"\Z"
    return pattern


def search(pattern: str):
    return re.compile(anchored(pattern)).search


MATCHES_DATE_TIME = search(DATE_TIME)
MATCHES_DECIMAL = search(DECIMAL)


@functools.lru_cache(maxsize=4096)
def is_calendar_date(text: str) -> bool:
    if text.startswith("0000"):
        raise Undecided  # PostgreSQL reads year 0 as 1 BC
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=KNOWN_TIMES)
def is_date_time(text: str) -> bool:
    """The contract's date-time: RFC 3339 shape, a real calendar date and times within their ranges. What
    PostgreSQL alone reads its own way (24:00:00, a leap second, offsets beyond 14 hours) is left to it."""
    found = MATCHES_DATE_TIME(text)
    if found is None or not is_calendar_date(text[:10]):
        return False
    offset = found.group(2)
    if (int(text[11:13]) > 23 or int(text[14:16]) > 59 or int(text[17:19]) > 59
            or (len(offset) > 1 and (int(offset[1:3]) > MAX_OFFSET_HOURS or int(offset[4:6]) > 59))):
        raise Undecided
    return True


def leading_minus(text: str) -> bool:
    """PostgreSQL's `text ~ '^\\s*-'`; whitespace beyond ASCII depends on the server's locale."""
    rest = text.lstrip(ASCII_SPACE)
    if rest[:1].isspace():
        raise Undecided
    return rest.startswith("-")


def type_check(label: str, node: dict) -> list:
    types = node.get("type")
    if types is None:
        return []
    types = [types] if isinstance(types, str) else list(types)
    plain = {t for t in types if t != "integer"}
    integer = "integer" in types

    def check(value, record):
        found = json_type(value)
        if found in plain or (integer and found == "number" and value == int(value)):
            return None
        return f"{label}: expected {' or '.join(types)}, got {found}"

    return [check]


def on_strings(condition, reason: str):
    return lambda value, record: reason if isinstance(value, str) and condition(value) else None


def on_numbers(condition, reason: str):
    return lambda value, record: reason if json_type(value) == "number" and condition(value) else None


def value_checks(label: str, node: dict, schema: dict) -> list:
    """Checks `(value, record) -> reason or None` for one present value, in the SQL checks' order. The ones
    a Struct cannot express are marked `extra`."""
    node = understood(schema, node, label, "Python")
    checks = type_check(label, node)
    if "enum" in node:
        if not all(isinstance(item, str) for item in node["enum"]):
            raise ValueError(f"{label}: an enum of other than strings is not translated to Python")
        allowed, reason = frozenset(node["enum"]), f"{label}: not one of {', '.join(node['enum'])}"
        checks.append(lambda value, record: None if isinstance(value, str) and value in allowed else reason)
    if "minLength" in node:
        least = node["minLength"]
        checks.append(on_strings(lambda text: len(text) < least, f"{label}: shorter than {least} characters"))
    if "maxLength" in node:
        most = node["maxLength"]
        checks.append(on_strings(lambda text: len(text) > most, f"{label}: longer than {most} characters"))
    if "pattern" in node:
        matches = search(node["pattern"])
        checks.append(on_strings(lambda text: not matches(text), f"{label}: does not match {node['pattern']}"))
    if node.get("format") == "date-time":
        checks.append(extra(on_strings(lambda text: not is_date_time(text), f"{label}: not an ISO 8601 date-time")))
    elif "format" in node:
        raise ValueError(f"{label}: format {node['format']!r} is not translated to Python")
    if "minimum" in node:
        least = node["minimum"]
        checks.append(on_numbers(lambda number: number < least, f"{label}: less than {least}"))
    if "maximum" in node:
        most = node["maximum"]
        checks.append(on_numbers(lambda number: number > most, f"{label}: more than {most}"))
    if "maxItems" in node:
        most = node["maxItems"]
        checks.append(lambda value, record: f"{label}: more than {most} items"
                      if isinstance(value, list) and len(value) > most else None)
    if "items" in node:
        checks.extend(array_check(check) for check in value_checks(f"{label} item", node["items"], schema))
    return checks


def array_check(item_check):
    """One item rule over an array: the reason of its first item that breaks it."""
    def check(value, record):
        if isinstance(value, list):
            return next((reason for item in value if (reason := item_check(item, record)) is not None), None)
        return None
    return check


def extra(check):
    check.extra = True
    return check


def money_check(label: str, currency_field: str, max_amount: int, currency_required: bool, digits_of):
    """The money rule on one amount, one check: not negative, a plain decimal, not absurd, no more decimals
    than its currency has and (when required) a currency."""
    def broken(value, currency):
        if leading_minus(value):
            return f"{label}: negative"
        if not MATCHES_DECIMAL(value):
            return f"{label}: not a decimal string"
        if Decimal(value) > max_amount:
            return f"{label}: absurd amount (more than {max_amount})"
        digits = digits_of(currency)
        if digits is not None and len(value.partition(".")[2]) > digits:
            return f"{label}: more decimals than {currency} allows ({digits})"
        if currency_required and not isinstance(currency, str):
            return f"{label}: an amount needs a currency"
        return None

    known = {}

    def check(value, record):
        if not isinstance(value, str):
            return None
        currency = getattr(record, currency_field)
        if not (currency is None or currency is ABSENT or isinstance(currency, str)):
            return broken(value, currency)
        key = (value, currency)
        if key not in known:
            if len(known) >= KNOWN_AMOUNTS:
                known.clear()
            known[key] = broken(value, currency)
        return known[key]
    return extra(check)


FUTURE_MINUTES = int(FUTURE_TOLERANCE.split()[0])
EARLIEST = datetime.fromisoformat(EARLIEST_SCRAPE)
# PostgreSQL compares with now() of the load's transaction, Python with the clock: too close to call.
CLOSE_CALL = timedelta(minutes=1)


@functools.lru_cache(maxsize=4096)
def instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise Undecided from None


def clock_check(label: str):
    """The SQL clock checks (loader.contract_checks.clock_checks): not after the load beyond clock skew, not
    before 2000. A time that passed is remembered: it stays in the past while the clock moves on."""
    passed = set()

    def check(value, record):
        if not isinstance(value, str) or value in passed:
            return None
        at = instant(value)
        latest = datetime.now(timezone.utc) + timedelta(minutes=FUTURE_MINUTES)
        if abs(at - latest) < CLOSE_CALL:
            raise Undecided
        if at > latest:
            return f"{label}: in the future (more than {FUTURE_TOLERANCE} after the load)"
        if at < EARLIEST:
            return f"{label}: before {EARLIEST_SCRAPE[:4]}, not a real scrape time"
        if len(passed) >= KNOWN_TIMES:
            passed.clear()
        passed.add(value)
        return None
    return extra(check)


def price_check(rule: PriceRule):
    """The SQL price checks (loader.contract_checks.price_checks) on a record whose fields are each valid."""
    def check(record) -> str | None:
        price, regular = getattr(record, rule.price), getattr(record, rule.regular_price)
        discount, free = getattr(record, rule.discount_percent), getattr(record, rule.is_free)
        both_prices = isinstance(price, str) and isinstance(regular, str)
        if both_prices and Decimal(price) > Decimal(regular):
            return f"{rule.price}: above {rule.regular_price}"
        if both_prices and json_type(discount) == "number" and Decimal(regular) > 0:
            implied = (Decimal(regular) - Decimal(price)) * 100 / Decimal(regular)
            if abs(discount - implied) > DISCOUNT_ROUNDING:
                if not isinstance(discount, int):
                    raise Undecided  # PostgreSQL writes a number like 40.0 or 1e2 its own way in the reason
                return (f"{rule.discount_percent}: {discount} does not match {rule.price} and {rule.regular_price} "
                        f"({implied.quantize(Decimal(1), rounding=ROUND_HALF_UP)}% off)")
        if free is True and isinstance(price, str) and Decimal(price) != 0:
            return f"{rule.is_free}: true with a {rule.price} above 0"
        return None
    return check


STRUCT_TYPES = {"string": str, "boolean": bool, "integer": int, "null": type(None)}
STRUCT_KEYWORDS = {"minLength": "min_length", "maxLength": "max_length", "pattern": "pattern",
                   "minimum": "ge", "maximum": "le", "maxItems": "max_length"}


def struct_type(node: dict, schema: dict):
    """The msgspec type of a schema node: the same keywords, checked in C while decoding."""
    node = resolve(schema, node)
    if "enum" in node:
        if set(node) - ANNOTATIONS - {"enum"}:
            raise ValueError(f"no msgspec type for {node}")
        return Literal[tuple(node["enum"])]
    types = node["type"]
    types = [types] if isinstance(types, str) else list(types)
    meta = {STRUCT_KEYWORDS[key]: value for key, value in node.items() if key in STRUCT_KEYWORDS}
    if "pattern" in meta:
        meta["pattern"] = anchored(meta["pattern"])
    plain = [t for t in types if t != "null"]
    if len(plain) != 1 or set(node) - ANNOTATIONS - set(STRUCT_KEYWORDS) - {"type", "items", "format"}:
        raise ValueError(f"no msgspec type for {node}")
    base = list[struct_type(node.get("items", {}), schema)] if plain[0] == "array" else STRUCT_TYPES[plain[0]]
    if meta:
        base = Annotated[base, msgspec.Meta(**meta)]
    return Optional[base] if "null" in types else base


def contract_struct(schema: dict, name: str):
    """A msgspec Struct of the contract: a record it decodes breaks none of the rules it expresses."""
    required = set(schema.get("required", ()))
    fields = [(field, struct_type(node, schema)) if field in required
              else (field, Union[struct_type(node, schema), msgspec.UnsetType], ABSENT)
              for field, node in schema["properties"].items()]
    return msgspec.defstruct(name, fields, kw_only=True)


class ContractValidator:
    """Decodes a line and finds the first rule it breaks, as the SQL checks word it.

    `decode(line)` -> (reason or None, record): the record has every contract field as an attribute
    (ABSENT when missing). Raises msgspec.DecodeError for what is not JSON, and Undecided (see above)."""

    def __init__(self, spec: FeedSpec):
        schema = contracts.schema(spec.contract)
        currencies = contracts.currencies()
        money = spec.money

        def digits_of(code):
            return currencies.get(code) if isinstance(code, str) else None

        self.properties = tuple(schema["properties"])
        self.required = tuple(schema.get("required", ()))
        self.fields = []
        for name, node in schema["properties"].items():
            checks = value_checks(name, node, schema)
            if money and name in money.fields:
                checks.insert(1, money_check(name, money.currency_field, money.max_amount,
                                             money.currency_required, digits_of))
            if money and name == money.currency_field:
                checks.append(extra(on_strings(lambda code: code not in currencies,
                                               f"{name}: not an ISO 4217 currency code")))
            if name == spec.observed_at.field:
                checks.append(clock_check(name))
            self.fields.append((name, tuple(checks)))
        self.checks = dict(self.fields)
        # Rules across fields, tried once every field passed its own.
        self.record_checks = (price_check(spec.price_rule),) if spec.price_rule else ()
        self.extras = tuple((name, extras) for name, checks in self.fields
                            if (extras := tuple(c for c in checks if getattr(c, "extra", False))))
        self.struct = msgspec.json.Decoder(contract_struct(schema, spec.contract))
        self.plain = msgspec.json.Decoder(float_hook=Decimal)

    def decode(self, line: bytes) -> tuple[str | None, object]:
        try:
            record = self.struct.decode(line)
        except msgspec.ValidationError:
            return self.reason(self.plain.decode(line))
        return self.first_broken(record, self.extras) or self.first_contradiction(record), record

    def accepts(self, name: str, value) -> bool:
        """Whether a value of field `name` breaks none of that field's own rules (rules across fields are not
        tried); a value left to the SQL checks counts as broken."""
        try:
            return self.first_broken(SimpleNamespace(**{name: value}), ((name, self.checks[name]),)) is None
        except Undecided:
            return False

    def reason(self, document) -> tuple[str | None, object]:
        """Every rule tried in order on a plain decoded document (one the Struct refused)."""
        if not isinstance(document, dict):
            return "not a JSON object", None
        for name in self.required:
            if name not in document:
                return f"missing required field: {name}", None
        record = SimpleNamespace(**{name: document.get(name, ABSENT) for name in self.properties})
        return self.first_broken(record, self.fields) or self.first_contradiction(record), record

    def first_contradiction(self, record) -> str | None:
        return next((reason for check in self.record_checks if (reason := check(record)) is not None), None)

    @staticmethod
    def first_broken(record, fields) -> str | None:
        for name, checks in fields:
            value = getattr(record, name)
            if value is ABSENT:
                continue
            for check in checks:
                reason = check(value, record)
                if reason is not None:
                    return reason
        return None
