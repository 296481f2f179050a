"""The feed contract (a JSON Schema) as SQL: one `case` branch per way a record can break it.

The loader validates records in PostgreSQL, on jsonb, because that is far faster than validating line by
line in Python. The checks are generated from contracts/<name>.schema.json, so the schema stays the one
reference; only the keywords the contracts use are understood, and any other keyword is an error here
rather than a rule silently not enforced. A spec's money rule adds what a pattern cannot say (a known
currency, no more decimals than that currency has, no absurd amounts), its price rule what one field cannot
say alone (prices, discount and free flag that agree), and the observation time must be one a crawl can have
written (not in the future of the load, not before 2000).
"""
import json

from psycopg2 import sql

import contracts
from loader.spec import FeedSpec, PriceRule

JSON_TYPES = {"string": "string", "number": "number", "boolean": "boolean", "null": "null", "array": "array",
              "object": "object", "integer": "number"}
ANNOTATIONS = {"description", "title", "$comment", "examples", "default"}
UNDERSTOOD = ANNOTATIONS | {"type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "format",
                            "items", "maxItems", "$ref"}
# RFC 3339 date-time, what JSON Schema's "date-time" format means; PostgreSQL alone would also take "now".
DATE_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
DECIMAL = r"^[0-9]+(\.[0-9]+)?$"
# Clock skew allowed between the crawling machine and the database; a later scrape time is a broken clock.
FUTURE_TOLERANCE = "15 minutes"
EARLIEST_SCRAPE = "2000-01-01T00:00:00Z"
# Stores round a discount up, down or to the nearest whole percent.
DISCOUNT_ROUNDING = 1


class Value:
    """SQL expressions for one JSON value: as jsonb, as text, and its JSON type (null when absent)."""

    def __init__(self, jsonb: sql.Composable, label: str, text=None, json_type=None):
        self.jsonb = jsonb
        self.label = label
        self.text = text or sql.SQL("({} #>> '{{}}')").format(jsonb)
        self.type = json_type or sql.SQL("jsonb_typeof({})").format(jsonb)

    @classmethod
    def field(cls, name: str) -> "Value":
        """A top-level field, read from the columns `field_columns` extracts once per record."""
        return cls(sql.SQL("(doc -> {})").format(sql.Literal(name)), name,
                   text=sql.Identifier(f"{name}/text"), json_type=sql.Identifier(f"{name}/type"))

    def when(self, json_type: str, condition: sql.Composable) -> sql.Composable:
        """`condition`, evaluated only for values of `json_type` (casts on other types would raise)."""
        return sql.SQL("case when {} = {} then {} end").format(self.type, sql.Literal(json_type), condition)


def field_columns(spec: FeedSpec) -> sql.Composable:
    """Type and text of every contract field of `doc`, each looked up once for all the checks."""
    properties = contracts.schema(spec.contract)["properties"]
    return sql.SQL(",\n        ").join(
        sql.SQL("jsonb_typeof(doc -> {0}) as {1}, doc ->> {0} as {2}").format(
            sql.Literal(name), sql.Identifier(f"{name}/type"), sql.Identifier(f"{name}/text"))
        for name in properties)


def resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref")
    if ref is None:
        return node
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref is supported, got {ref!r}")
    target = schema
    for part in ref[2:].split("/"):
        target = target[part]
    return {**target, **{key: value for key, value in node.items() if key != "$ref"}}


def understood(schema: dict, node: dict, label: str, language: str) -> dict:
    """The node with its $ref resolved, checked to use only keywords the generators translate."""
    node = resolve(schema, node)
    unknown = set(node) - UNDERSTOOD
    if unknown:
        raise ValueError(f"{label}: JSON Schema keywords {sorted(unknown)} are not translated to {language}")
    return node


def literal_reason(text: str) -> sql.Composable:
    return sql.Literal(text)


def type_check(value: Value, node: dict) -> list:
    types = node.get("type")
    if types is None:
        return []
    types = [types] if isinstance(types, str) else list(types)
    plain = sorted({JSON_TYPES[t] for t in types if t != "integer"})
    accepted = [sql.SQL("{} in ({})").format(value.type, sql.SQL(", ").join(map(sql.Literal, plain)))] if plain else []
    if "integer" in types:
        accepted.append(value.when("number", sql.SQL("{0}::numeric = trunc({0}::numeric)").format(value.jsonb)))
    bad = sql.SQL("not coalesce({}, false)").format(sql.SQL(" or ").join(accepted))
    reason = sql.SQL("{} || {}").format(literal_reason(f"{value.label}: expected {' or '.join(types)}, got "),
                                        value.type)
    return [(sql.SQL("({} is not null and {})").format(value.type, bad), reason)]


def value_checks(value: Value, node: dict, schema: dict) -> list:
    """(bad condition, reason) pairs for one value, in the order they are tried."""
    node = understood(schema, node, value.label, "SQL")
    checks = type_check(value, node)
    if "enum" in node:
        if all(isinstance(item, str) for item in node["enum"]):
            allowed = sql.SQL("coalesce({} = 'string' and {} = any({}), false)").format(
                value.type, value.text, sql.Literal(list(node["enum"])))
        else:
            allowed = sql.SQL("coalesce({} = any({}::jsonb[]), false)").format(
                value.jsonb, sql.Literal([json.dumps(item) for item in node["enum"]]))
        checks.append((sql.SQL("({} is not null and not {})").format(value.type, allowed),
                       literal_reason(f"{value.label}: not one of {', '.join(map(str, node['enum']))}")))
    if "minLength" in node:
        checks.append((value.when("string", sql.SQL("char_length({}) < {}").format(value.text, sql.Literal(node["minLength"]))),
                       literal_reason(f"{value.label}: shorter than {node['minLength']} characters")))
    if "maxLength" in node:
        checks.append((value.when("string", sql.SQL("char_length({}) > {}").format(value.text, sql.Literal(node["maxLength"]))),
                       literal_reason(f"{value.label}: longer than {node['maxLength']} characters")))
    if "pattern" in node:
        checks.append((value.when("string", sql.SQL("{} !~ {}").format(value.text, sql.Literal(node["pattern"]))),
                       literal_reason(f"{value.label}: does not match {node['pattern']}")))
    if node.get("format") == "date-time":
        valid = sql.SQL("({0} ~ {1} and pg_input_is_valid({0}, 'timestamptz'))").format(value.text, sql.Literal(DATE_TIME))
        checks.append((value.when("string", sql.SQL("not {}").format(valid)),
                       literal_reason(f"{value.label}: not an ISO 8601 date-time")))
    elif "format" in node:
        raise ValueError(f"{value.label}: format {node['format']!r} is not translated to SQL")
    for keyword, operator, words in (("minimum", "<", "less than"), ("maximum", ">", "more than")):
        if keyword in node:
            checks.append((value.when("number", sql.SQL("{}::numeric {} {}").format(
                value.jsonb, sql.SQL(operator), sql.Literal(node[keyword]))),
                literal_reason(f"{value.label}: {words} {node[keyword]}")))
    if "maxItems" in node:
        checks.append((value.when("array", sql.SQL("jsonb_array_length({}) > {}").format(value.jsonb, sql.Literal(node["maxItems"]))),
                       literal_reason(f"{value.label}: more than {node['maxItems']} items")))
    if "items" in node:
        item = Value(sql.SQL("item"), f"{value.label} item")
        for bad, reason in value_checks(item, node["items"], schema):
            checks.append((value.when("array", sql.SQL(
                "exists (select from jsonb_array_elements({}) as items(item) where {})").format(value.jsonb, bad)),
                sql.SQL("(select {} from jsonb_array_elements({}) as items(item) where {} limit 1)").format(
                    reason, value.jsonb, bad)))
    return checks


def money_checks(value: Value, max_amount: int, currency_field: str, currency_required: bool) -> list:
    """Amounts are decimal strings: not negative, a plain decimal, not absurd, no more decimals than the currency,
    and, when `currency_required`, not without a currency (the core model cannot hold such a price)."""
    is_decimal = sql.SQL("{} ~ {}").format(value.text, sql.Literal(DECIMAL))

    def when_decimal(condition):
        return sql.SQL("case when {} = 'string' and {} then {} end").format(value.type, is_decimal, condition)

    return [
        (value.when("string", sql.SQL("{} ~ '^\\s*-'").format(value.text)), literal_reason(f"{value.label}: negative")),
        (value.when("string", sql.SQL("not {}").format(is_decimal)),
         literal_reason(f"{value.label}: not a decimal string")),
        (when_decimal(sql.SQL("{}::numeric > {}").format(value.text, sql.Literal(max_amount))),
         literal_reason(f"{value.label}: absurd amount (more than {max_amount})")),
        (when_decimal(sql.SQL("scale({}::numeric) > currency_digits").format(value.text)),
         sql.SQL("{} || {} || ' allows (' || currency_digits || ')'").format(
             literal_reason(f"{value.label}: more decimals than "), Value.field(currency_field).text)),
    ] + ([(value.when("string", sql.SQL("{} is distinct from 'string'").format(Value.field(currency_field).type)),
           literal_reason(f"{value.label}: an amount needs a currency"))] if currency_required else [])


def clock_checks(value: Value) -> list:
    """An observation time no crawl can have written: after the load (beyond clock skew), or absurdly old. One
    such record would otherwise move its listing's last_seen_at and reject every real change after it."""
    # Guarded: the fingerprint path tests these in an `and` chain, which does not run the format check first.
    at = sql.SQL("(case when pg_input_is_valid({0}, 'timestamptz') then {0}::timestamptz end)").format(value.text)
    return [
        (value.when("string", sql.SQL("{} > now() + interval {}").format(at, sql.Literal(FUTURE_TOLERANCE))),
         literal_reason(f"{value.label}: in the future (more than {FUTURE_TOLERANCE} after the load)")),
        (value.when("string", sql.SQL("{} < {}::timestamptz").format(at, sql.Literal(EARLIEST_SCRAPE))),
         literal_reason(f"{value.label}: before {EARLIEST_SCRAPE[:4]}, not a real scrape time")),
    ]


def price_checks(rule: PriceRule) -> list:
    """Prices, discount and free flag that contradict each other; each field is valid on its own by now."""
    price, regular, discount, free = (Value.field(name) for name in
                                      (rule.price, rule.regular_price, rule.discount_percent, rule.is_free))
    both_prices = sql.SQL("{} = 'string' and {} = 'string'").format(price.type, regular.type)
    stated = sql.SQL("{}::numeric").format(discount.text)
    implied = sql.SQL("({1}::numeric - {0}::numeric) * 100 / {1}::numeric").format(price.text, regular.text)
    return [
        (sql.SQL("{} and {}::numeric > {}::numeric").format(both_prices, price.text, regular.text),
         literal_reason(f"{rule.price}: above {rule.regular_price}")),
        # A stated 0 is compared too: "0% off" at half the regular price is a contradiction, not a missing figure
        # (a store's price a cent below its regular price is 0% off within the rounding).
        (sql.SQL("{} and {} = 'number' and {}::numeric > 0 and abs({} - {}) > {}").format(
            both_prices, discount.type, regular.text, stated, implied, sql.Literal(DISCOUNT_ROUNDING)),
         sql.SQL("{} || {} || {} || round({}) || '% off)'").format(
             literal_reason(f"{rule.discount_percent}: "), discount.text,
             literal_reason(f" does not match {rule.price} and {rule.regular_price} ("), implied)),
        (sql.SQL("{} = 'true' and {} = 'string' and {}::numeric <> 0").format(free.text, price.type, price.text),
         literal_reason(f"{rule.is_free}: true with a {rule.price} above 0")),
    ]


def reject_reasons(spec: FeedSpec) -> list:
    """Every (bad condition, reason) for a record `doc` of `spec`, in order; the first that holds is the reason.

    Expects `doc` (the record, a jsonb object) and `currency_digits` (minor units of the record's currency,
    null when unknown) in scope."""
    schema = contracts.schema(spec.contract)
    checks = [(sql.SQL("{} is null").format(Value.field(name).type), literal_reason(f"missing required field: {name}"))
              for name in schema.get("required", ())]
    money = spec.money
    for name, node in schema["properties"].items():
        value = Value.field(name)
        field_checks = value_checks(value, node, schema)
        if money and name in money.fields:
            field_checks[1:1] = money_checks(value, money.max_amount, money.currency_field, money.currency_required)
        if money and name == money.currency_field:
            field_checks.append((value.when("string", sql.SQL("currency_digits is null")),
                                 literal_reason(f"{name}: not an ISO 4217 currency code")))
        if name == spec.observed_at.field:
            field_checks.extend(clock_checks(value))
        checks.extend(field_checks)
    return checks + (price_checks(spec.price_rule) if spec.price_rule else [])


def reason_case(spec: FeedSpec) -> sql.Composable:
    """`when ... then ...` branches giving the first broken rule of a record, for a `case` expression."""
    return sql.SQL("\n            ").join(
        sql.SQL("when {} then {}").format(bad, reason) for bad, reason in reject_reasons(spec))
