"""Bad feed lines are rejected with a reason and their text; the rest of the file loads."""
import json

import jsonschema
import pytest
from loader_fixtures import listing, rows, write_feed

import contracts
from loader import build_loader


def line(**changes) -> bytes:
    return json.dumps(listing(**changes)).encode()


def without(field) -> bytes:
    record = listing()
    del record[field]
    return json.dumps(record).encode()


BAD_LINES = [
    (b'{"source": "steam", "store_item_id": ', "malformed JSON: invalid input syntax for type json"),
    (b'{"title": "caf\xe9"}', "invalid UTF-8 at byte 15"),
    (b'{"title": "a\x00b"}', "NUL byte in line"),
    (b'{"title": "\\u0000"}', "malformed JSON: unsupported Unicode escape sequence"),
    (b'[1, 2]', "not a JSON object"),
    (b'"steam"', "not a JSON object"),
    (without("store_item_id"), "missing required field: store_item_id"),
    (without("region"), "missing required field: region"),
    (line(source="xbox"), "source: not one of steam, psstore, gog, epic, eshop"),
    (line(store_item_id=413150), "store_item_id: expected string, got number"),
    (line(store_item_id=""), "store_item_id: shorter than 1 characters"),
    (line(region="usa"), "region: does not match ^[A-Z]{2}$"),
    (line(currency="usd"), "currency: does not match ^[A-Z]{3}$"),
    (line(currency="XYZ"), "currency: not an ISO 4217 currency code"),
    (line(price=14.99), "price: expected string or null, got number"),
    (line(price="-1.00"), "price: negative"),
    (line(price="14,99"), "price: not a decimal string"),
    (line(price="$14.99"), "price: not a decimal string"),
    (line(price="12345678.00"), "price: absurd amount (more than 10000000)"),
    (line(price="14.999"), "price: more decimals than USD allows (2)"),
    (line(price="1500.5", currency="JPY", regular_price="1500"), "price: more decimals than JPY allows (0)"),
    (line(price="014.99"), "price: does not match ^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,4})?$"),
    (line(currency=None), "price: an amount needs a currency"),
    (line(currency=None, price=None), "regular_price: an amount needs a currency"),
    (line(regular_price="-5"), "regular_price: negative"),
    (line(discount_percent=101), "discount_percent: more than 100"),
    (line(discount_percent=-1), "discount_percent: less than 0"),
    (line(discount_percent="40"), "discount_percent: expected integer, got string"),
    (line(discount_percent=40.5), "discount_percent: expected integer, got number"),
    (line(is_free="no"), "is_free: expected boolean, got string"),
    (line(kind="app"), "kind: not one of game, dlc, bundle, other"),
    (line(platforms="windows"), "platforms: expected array, got string"),
    (line(platforms=["windows", 7]), "platforms item: expected string, got number"),
    (line(platforms=["x" * 51]), "platforms item: longer than 50 characters"),
    (line(scraped_at="yesterday"), "scraped_at: not an ISO 8601 date-time"),
    (line(scraped_at="2026-11-31T10:00:00Z"), "scraped_at: not an ISO 8601 date-time"),
    (line(scraped_at="now"), "scraped_at: not an ISO 8601 date-time"),
    (line(discount_ends_at="2026-11-01"), "discount_ends_at: not an ISO 8601 date-time"),
    (line(title=None), "title: expected string, got null"),
    (line(scraped_at="2062-01-01T00:00:00Z"), "scraped_at: in the future (more than 15 minutes after the load)"),
    (line(scraped_at="0001-01-01T00:00:00Z"), "scraped_at: before 2000, not a real scrape time"),
    (line(price="25.00", regular_price="10.00", discount_percent=90), "price: above regular_price"),
    (line(price="1.50", discount_percent=50), "discount_percent: 50 does not match price and regular_price (90% off)"),
    (line(price="10.00", regular_price="20.00", discount_percent=0),
     "discount_percent: 0 does not match price and regular_price (50% off)"),
    (line(discount_percent=50), "discount_percent: 50 does not match price and regular_price (0% off)"),
    (line(is_free=True), "is_free: true with a price above 0"),
]


@pytest.mark.parametrize("bad, reason", BAD_LINES, ids=[reason for _, reason in BAD_LINES])
def test_a_bad_line_is_rejected_with_its_reason_and_the_rest_loads(db_url, tmp_path, bad, reason):
    feed = write_feed(tmp_path / "feed.jl", [], [line(store_item_id="1"), bad, line(store_item_id="3")])
    with build_loader({"DATABASE_URL": db_url}) as loader:
        result = loader.load(feed)
    assert (result.lines_read, result.rows_new, result.rows_unchanged, result.rows_rejected) == (3, 2, 0, 1)
    assert rows(db_url, "select line_number, reason from ops.load_reject") == [(2, reason)]
    assert rows(db_url, "select store_item_id from staging.store_listing order by 1") == [("1",), ("3",)]


def test_the_raw_text_of_a_reject_shows_undecodable_bytes_and_nuls(db_url, tmp_path):
    feed = write_feed(tmp_path / "feed.jl", [], [b'{"title": "caf\xe9"}', b'{"title": "a\x00b"}', b'{"a":\t"\\\\"}'])
    with build_loader({"DATABASE_URL": db_url}) as loader:
        loader.load(feed)
    assert rows(db_url, "select raw_text from ops.load_reject order by line_number") == [
        ('{"title": "caf\\xe9"}',), ('{"title": "a\\x00b"}',), ('{"a":\t"\\\\"}',)]


# Records the contract allows, including its edge cases: the loader must accept every one.
VALID = [
    listing(),
    listing(currency=None, price=None, regular_price=None, is_free=True),
    listing(price="0", regular_price="0", is_free=True),
    listing(currency="JPY", price="1500", regular_price="1500"),
    listing(currency="KWD", price="1.250", regular_price="2.500", discount_percent=50),
    listing(price="9999999.99", regular_price="9999999.99"),
    listing(price="8.99", discount_percent=40.0),
    listing(price="19.99", regular_price="20.00", discount_percent=0),
    listing(price="6.66", regular_price="19.99", discount_percent=66),
    listing(title="", url=None, platforms=[]),
    listing(scraped_at="2026-11-01T10:00:00.123456+09:00"),
    listing(subscription="PS_PLUS", release_date="Coming soon", discount_ends_at="2026-12-01T00:00:00Z"),
    listing(extra_field={"kept": "out of staging"}),
]


def test_the_sql_checks_agree_with_the_json_schema(db_url, tmp_path):
    """Every example, valid or not, is accepted by the loader exactly when the contract's JSON Schema accepts it
    (with formats checked); the money, clock and price rules are the loader's additions and are left out here."""
    money_rules = ("negative", "absurd", "more decimals", "not an ISO 4217", "in the future", "before 2000",
                   "above regular_price", "does not match price", "with a price above")
    examples = [json.loads(bad) for bad, reason in BAD_LINES
                if reason.split(":")[0] in contracts.schema("store_listing")["properties"] or reason.startswith("missing")
                if not any(rule in reason for rule in money_rules)]
    examples += [dict(example) for example in VALID]
    # One listing each, so that no two examples compete as the same listing at the same moment.
    for number, example in enumerate(examples):
        if example.get("store_item_id") == "413150":
            example["store_item_id"] = f"example-{number}"
    validator = jsonschema.Draft202012Validator(contracts.schema("store_listing"),
                                                format_checker=jsonschema.FormatChecker())
    feed = write_feed(tmp_path / "examples.jl", examples)
    with build_loader({"DATABASE_URL": db_url}) as loader:
        loader.load(feed)
    rejected = {number for (number,) in rows(db_url, "select line_number from ops.load_reject")}
    for number, example in enumerate(examples, start=1):
        assert (number in rejected) == (not validator.is_valid(example)), (number, example)
