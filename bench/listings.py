"""Generated store-listing feed items: deterministic, shaped like the spiders' output (contract
store_listing), in as many listings as asked. Item i is one listing (source, store item, region); a
rescrape round gives every listing a later scraped_at and changes the price of `changed_share` of them."""
import functools
import gzip
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

SOURCES = ("steam", "psstore", "gog", "epic", "eshop")
REGIONS = {"US": ("USD", 2), "GB": ("GBP", 2), "DE": ("EUR", 2), "FR": ("EUR", 2), "JP": ("JPY", 0),
           "KR": ("KRW", 0), "BR": ("BRL", 2), "PL": ("PLN", 2)}
WORDS = ("Shadow Legend Star Dragon Dark Soul Last Night City Quest Hollow Knight Tales Empire Iron Storm Lost "
         "Kingdom Space Rogue Dead Cell Blood Moon Fallen Order Sky Ocean Wild Hunt Edition Deluxe Ultimate").split()
PLATFORMS = (["windows"], ["linux", "mac", "windows"], ["ps4", "ps5"], ["switch"], ["mac", "windows"])
FIRST_SCRAPE = datetime(2026, 11, 1, 10, 0, tzinfo=timezone.utc)
ITEMS_PER_STORE_ITEM = len(SOURCES) * len(REGIONS)


def listing(i: int, round_number: int = 0, changed_share: float = 0.0) -> dict:
    source = SOURCES[i % len(SOURCES)]
    region = list(REGIONS)[(i // len(SOURCES)) % len(REGIONS)]
    currency, digits = REGIONS[region]
    item_number = i // ITEMS_PER_STORE_ITEM
    title = title_of(item_number)
    regular = (199 + item_number * 7919 % 6800) * (100 if digits == 0 else 1)
    # The changed listings of a round are spread over the file, a different set each round.
    changed = changed_share and round_number and (i * 7919 + round_number) % round(1 / changed_share) == 0
    discount = (10 * (round_number % 9 + 1)) if changed else 0
    price = regular * (100 - discount) // 100
    scraped_at = FIRST_SCRAPE + timedelta(days=round_number, seconds=i % 3600)
    return {
        "source": source,
        "store_item_id": str(100000 + item_number),
        "title": title,
        "kind": "dlc" if item_number % 7 == 0 else "game",
        "url": f"https://store.example/{source}/app/{100000 + item_number}/",
        "region": region,
        "currency": currency,
        "price": amount(price, digits),
        "regular_price": amount(regular, digits),
        "discount_percent": discount,
        "is_free": False,
        "platforms": PLATFORMS[item_number % len(PLATFORMS)],
        "scraped_at": scraped_at.isoformat().replace("+00:00", "Z"),
    }


@functools.lru_cache(maxsize=1024)
def title_of(item_number: int) -> str:
    draw = random.Random(item_number)
    return " ".join(draw.choice(WORDS) for _ in range(draw.randint(2, 4)))


def amount(minor_units: int, digits: int) -> str:
    return str(minor_units) if digits == 0 else f"{minor_units // 100}.{minor_units % 100:02d}"


def json_lines(count: int, round_number: int = 0, changed_share: float = 0.0) -> bytes:
    return "".join(json.dumps(listing(i, round_number, changed_share), ensure_ascii=False) + "\n"
                   for i in range(count)).encode("utf-8")


def write_feed(path: Path, data: bytes, compresslevel: int = 9) -> Path:
    """A gzip JSON-lines feed like the landing extension writes (gzip.open's default level is 9)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb", compresslevel=compresslevel) as feed:
        feed.write(data)
    return path


RAW_COLUMNS = ("source", "store_item_id", "region", "observed_at", "currency", "price", "regular_price",
               "discount_percent", "is_free", "title", "kind", "url", "platforms")


def copy_rows(count: int, round_number: int = 0, changed_share: float = 0.0) -> bytes:
    """The same items as COPY text rows of RAW_COLUMNS: what a raw COPY gets without any parsing."""
    lines = []
    for i in range(count):
        item = listing(i, round_number, changed_share)
        lines.append("\t".join((
            item["source"], item["store_item_id"], item["region"], item["scraped_at"], item["currency"],
            item["price"], item["regular_price"], str(item["discount_percent"]), "f", item["title"],
            item["kind"], item["url"], "{" + ",".join(item["platforms"]) + "}")))
    return ("\n".join(lines) + "\n").encode("utf-8")
