"""Send every request to the replay server instead of the store, keeping the store URL for the spider.

With PRICEWATCH_REPLAY_URL = http://127.0.0.1:8123, a request for https://store.steampowered.com/api/x?a=1 is
downloaded from http://127.0.0.1:8123/store.steampowered.com/api/x?a=1 and the callback gets a response
whose `url` is the store URL again. Robots.txt is checked against the store's robots.txt (also replayed)
before the rewrite, and the download slot stays the store's host so per-domain limits behave as live. It sits just before
DownloaderStats (850), so each download is counted once, under the replay URL.
"""
import os
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

ORIGINAL_URL = "replay_original_url"


def replay_url(base: str, url: str) -> str:
    """Where the replay server serves `url`: <base>/<host><path>?<query>."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{base.rstrip('/')}/{parts.netloc}{parts.path or '/'}{query}"


class ReplayMiddleware:
    def __init__(self, base: str):
        self.base = base

    @classmethod
    def from_crawler(cls, crawler):
        base = crawler.settings.get("PRICEWATCH_REPLAY_URL")
        if base is None:
            base = os.environ.get("PRICEWATCH_REPLAY_URL", "")
        if not base:
            raise NotConfigured("PRICEWATCH_REPLAY_URL is not set")
        return cls(base)

    def process_request(self, request):
        if ORIGINAL_URL in request.meta:
            return None
        meta = {
            **request.meta,
            ORIGINAL_URL: request.url,
            "download_slot": urlsplit(request.url).hostname,
            # The store's robots.txt was already checked for the original URL.
            "dont_obey_robotstxt": True,
        }
        return request.replace(url=replay_url(self.base, request.url), meta=meta, dont_filter=True)

    def process_response(self, request, response):
        original = request.meta.get(ORIGINAL_URL)
        if original is None:
            return response
        return response.replace(url=original)
