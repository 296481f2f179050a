"""pricewatch parse SOURCE FILE: run a saved response through the spider callback a crawl would use.

Prints the items as JSON lines on stdout (requests the callback yields are ignored) and a summary on
stderr, with a warning for every item that breaks its feed contract. The response URL is --url, else the
store URL a replay route serves this file for, else a file:// URL (spiders then recognise the page by its
content). The region is --region, else whatever the spider reads from the URL or the content.
"""
import json
import sys
from pathlib import Path

from foundation.errors import PricewatchError

# Scrapy is imported by the functions that use it: it takes most of a second, and every command registers here.


def register(subparsers) -> None:
    parser = subparsers.add_parser("parse", help="print the items a spider extracts from a saved response")
    parser.add_argument("source", metavar="SOURCE", help="spider name: steam, psstore, gog, epic, eshop")
    parser.add_argument("file", metavar="FILE", type=Path, help="saved response body (HTML or JSON)")
    parser.add_argument("--url", help="URL the response came from (tells the spider the page kind)")
    parser.add_argument("--region", help="storefront country (ISO alpha-2), when the URL does not say it")
    parser.set_defaults(func=run)


def project_settings():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("scrapers.settings", priority="project")
    return settings


def build_spider(source: str, settings=None, **arguments):
    """A spider instance wired to a crawler (so it sees settings), without starting a crawl."""
    from scrapy.crawler import Crawler
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.misc import load_object

    settings = settings or project_settings()
    loader = get_spider_loader(settings)
    try:
        spider_class = loader.load(source)
    except KeyError:
        raise PricewatchError(f"unknown source {source!r}; known: {', '.join(sorted(loader.list())) or 'none'}") from None
    crawler = Crawler(spider_class, settings)
    # A crawl would create the stats collector when it starts; callbacks may count things in it.
    crawler.stats = load_object(crawler.settings["STATS_CLASS"])(crawler)
    return spider_class.from_crawler(crawler, **arguments)


def saved_response(path: Path, url: str | None = None, region: str | None = None):
    """A Scrapy response built from a saved body, as the spider would have received it."""
    from scrapy import Request
    from scrapy.responsetypes import responsetypes

    from pricewatch import replay

    if not path.is_file():
        raise PricewatchError(f"no such file: {path}")
    if url is None:
        try:
            url = replay.url_of_recording(path, replay.load_routes())
        except PricewatchError:
            url = None
    url = url or path.resolve().as_uri()
    body = path.read_bytes()
    meta = {"region": region.upper()} if region else {}
    response_class = responsetypes.from_args(url=url, filename=path.name, body=body)
    return response_class(url=url, body=body, request=Request(url, meta=meta))


def collect(output) -> list:
    import asyncio
    import inspect

    if inspect.isasyncgen(output):
        async def drain():
            return [value async for value in output]
        return asyncio.run(drain())
    return list(output or ())


def parse_file(source: str, path: Path, url: str | None = None, region: str | None = None) -> tuple[list, int]:
    """(items, number of requests ignored) the spider's callback yields for the saved response."""
    from itemadapter import ItemAdapter, is_item
    from scrapy import Request

    spider = build_spider(source)
    response = saved_response(path, url, region)
    try:
        callback = spider.callback_for(response)
        output = collect(callback(response))
    except Exception as exc:
        raise PricewatchError(f"{source} could not parse {path} as {response.url}: {type(exc).__name__}: {exc}") from exc
    items = [ItemAdapter(value).asdict() for value in output if is_item(value)]
    return items, sum(isinstance(value, Request) for value in output)


def run(args) -> int:
    from scrapers.pipelines.validation import contract_errors

    items, requests = parse_file(args.source, args.file, args.url, args.region)
    schemas = project_settings().getdict("PRICEWATCH_ITEM_SCHEMAS")
    for item in items:
        print(json.dumps(item, ensure_ascii=False))
        for field, message in contract_errors(item, schemas):
            print(f"pricewatch: warning: item {item.get('store_item_id')!r} breaks its contract: {field}: {message}",
                  file=sys.stderr)
    print(f"{len(items)} items, {requests} requests ignored", file=sys.stderr)
    return 0
