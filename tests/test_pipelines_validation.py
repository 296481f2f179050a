"""Contract validation pipeline, retry delays, landing job ids: the components built from a crawler."""
from datetime import datetime, timezone

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from scrapers.extensions.landing import job_id, new_job_id
from scrapers.items import store_listing
from scrapers.middlewares.retry import retry_after_seconds
from scrapers.pipelines.validation import ContractValidationPipeline
from scrapers.settings import PRICEWATCH_ITEM_SCHEMAS


def listing(**changes):
    item = store_listing(source="steam", store_item_id="413150", title="Stardew Valley", kind="game",
                         url="https://store.steampowered.com/app/413150/", region="KR", currency="KRW",
                         price="16000", regular_price="16000", discount_percent=0, is_free=False,
                         platforms=["windows"], scraped_at="2026-09-01T10:00:00Z")
    return {**item, **changes}


def pipeline():
    crawler = get_crawler(settings_dict={"PRICEWATCH_ITEM_SCHEMAS": PRICEWATCH_ITEM_SCHEMAS})
    return ContractValidationPipeline.from_crawler(crawler), crawler.stats


def test_valid_item_passes_unchanged():
    validation, stats = pipeline()
    assert validation.process_item(listing()) == listing()
    assert stats.get_value("pricewatch/items/invalid") is None


@pytest.mark.parametrize("changes, field", [
    ({"price": "16,000"}, "price"),
    ({"currency": "won"}, "currency"),
    ({"discount_percent": 140}, "discount_percent"),
    ({"kind": "movie"}, "kind"),
    ({"region": "kor"}, "region"),
    ({"scraped_at": "yesterday"}, "scraped_at"),
    ({"source": "nosuchstore"}, "source"),
])
def test_invalid_items_are_dropped_and_counted_per_field(changes, field):
    validation, stats = pipeline()
    with pytest.raises(DropItem, match=field):
        validation.process_item(listing(**changes))
    assert stats.get_value("pricewatch/items/invalid") == 1
    assert stats.get_value(f"pricewatch/validation/{field}") == 1


def test_missing_field_is_invalid():
    validation, stats = pipeline()
    item = listing()
    del item["title"]
    with pytest.raises(DropItem, match="'title' is a required property"):
        validation.process_item(item)


def test_switched_off_without_schemas():
    with pytest.raises(NotConfigured):
        ContractValidationPipeline.from_crawler(get_crawler(settings_dict={"PRICEWATCH_ITEM_SCHEMAS": {}}))


@pytest.mark.parametrize("value, seconds", [
    (b"3", 3.0),
    ("120", 120.0),
    ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),
    ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),  # in the past
    ("soon", None),
    (None, None),
])
def test_retry_after_values(value, seconds):
    now = datetime(2026, 10, 21, 7, 28, tzinfo=timezone.utc)
    assert retry_after_seconds(value, now) == seconds


def test_job_ids():
    class Spider:
        _job = "../evil job"
    assert job_id(Spider()) == "..-evil-job"
    assert new_job_id(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)).startswith("20260102T030405-")
