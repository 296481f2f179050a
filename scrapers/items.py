"""Feed items as plain dicts shaped by the contracts in contracts/*.schema.json."""
from datetime import datetime, timezone


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def utc_timestamp(text: str | None) -> str | None:
    """An ISO 8601 time with any offset ("2026-09-10T16:00:59.000+03:00", "...Z") as UTC, like utc_now()."""
    if not text:
        return None
    moment = datetime.fromisoformat(text).astimezone(timezone.utc).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def store_listing(*, source, store_item_id, title, kind, url, region, currency, price, regular_price,
                  discount_percent, is_free, platforms=(), scraped_at=None, **optional) -> dict:
    """A store-listing item; optional keys: release_date, discount_ends_at, subscription."""
    item = {
        "source": source,
        "store_item_id": str(store_item_id),
        "title": title or "",
        "kind": kind,
        "url": url,
        "region": region.upper(),
        "currency": currency,
        "price": price,
        "regular_price": regular_price,
        "discount_percent": int(discount_percent or 0),
        "is_free": bool(is_free),
        "platforms": sorted(set(platforms)),
        "scraped_at": scraped_at or utc_now(),
    }
    item.update({key: value for key, value in optional.items() if value is not None})
    return item
