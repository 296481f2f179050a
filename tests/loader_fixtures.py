"""Hand-made store-listing feeds for the loader tests."""
import gzip
import json
import re
from pathlib import Path

import psycopg2

from loader.contract_checks import DECIMAL
from scrapers.pricing import discount_percent

AMOUNT = re.compile(DECIMAL)


def listing(**changes) -> dict:
    """A valid store-listing record; keyword arguments replace fields (None removes nothing, it sets null). Without
    a discount_percent of its own, a record gets the one its two prices give, as the spiders write it."""
    record = {
        "source": "steam", "store_item_id": "413150", "title": "Stardew Valley", "kind": "game",
        "url": "https://store.steampowered.com/app/413150/", "region": "US", "currency": "USD",
        "price": "14.99", "regular_price": "14.99", "discount_percent": 0, "is_free": False,
        "platforms": ["linux", "mac", "windows"], "scraped_at": "2026-11-01T10:00:00Z",
    }
    record.update(changes)
    amounts = (record["regular_price"], record["price"])
    if "discount_percent" not in changes and all(isinstance(amount, str) and AMOUNT.match(amount) for amount in amounts):
        record["discount_percent"] = discount_percent(*amounts)
    return record


def write_feed(path: Path, records, raw_lines=()) -> Path:
    """Write records (dicts) and raw lines (bytes, as they are) as JSON lines; gzip when the name ends .gz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(json.dumps(r).encode() + b"\n" for r in records) + b"".join(line + b"\n" for line in raw_lines)
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def rows(url: str, statement: str, params=()) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall()


def staging_rows(url: str) -> list[tuple]:
    """(store_item_id, change_seq, is_latest, price, observed_at, last_seen_at) of every staging row, in order."""
    return rows(url, """
        select store_item_id, change_seq, is_latest, price::text, to_char(observed_at at time zone 'UTC', 'MM-DD HH24:MI'),
               to_char(last_seen_at at time zone 'UTC', 'MM-DD HH24:MI')
        from staging.store_listing order by store_item_id, region, change_seq""")
