"""The feed loader: feed files (JSON lines / arrays, maybe gzipped) -> change-only staging tables.

`build_loader(settings)` builds the loader class named by the LOADER_CLASS setting (a dotted path, default
loader.feed_loader.FeedLoader, or $PRICEWATCH_LOADER_CLASS) with its `from_settings`, Scrapy-component style.
"""
import os
import pkgutil

DEFAULT_LOADER_CLASS = "loader.feed_loader.FeedLoader"


def build_loader(settings: dict | None = None):
    settings = dict(settings or {})
    dotted = settings.get("LOADER_CLASS") or os.environ.get("PRICEWATCH_LOADER_CLASS") or DEFAULT_LOADER_CLASS
    return pkgutil.resolve_name(dotted).from_settings(settings)
