"""Gaming news from any number of RSS 2.0 / Atom feeds, parsed with feedparser: one spider, many feeds.

Feeds: spider argument `feeds` ("URL,URL"), else the setting PRICEWATCH_NEWS_FEEDS. A Mastodon account's
public feed (https://mastodon.social/@nintendo.rss) or a Bluesky profile's (https://bsky.app/profile/<handle>/rss)
is an RSS feed like any other, which is how posts of accounts that used to be followed on Twitter/X get in.

Each entry becomes a news item (contracts/news_item.schema.json): the guid (else the link) identifies it
within its feed, a repeated guid in one response is yielded once, a missing date stays null, summaries are
plain text. The Reddit spider's RSS fallback builds its items with the same functions.
"""
import calendar
import html
import re
from datetime import datetime, timezone

import feedparser
import scrapy
from w3lib.html import remove_tags

from scrapers.items import utc_now
from scrapers.spiders import PricewatchSpider

DEFAULT_SETTINGS = {
    "PRICEWATCH_NEWS_FEEDS": [
        "https://www.gematsu.com/feed",
        "https://www.nintendolife.com/feeds/latest",
        "https://www.pushsquare.com/feeds/latest",
        "https://www.rockpapershotgun.com/feed",
        "https://www.eurogamer.net/feed",
    ],
}
# The project's coverage rules are the store spiders' (store_item_id); news items are checked on their own.
FIELD_COVERAGE = {"SPIDERMON_FIELD_COVERAGE_RULES": {"dict/external_id": 1.0, "dict/feed": 1.0, "dict/title": 0.9}}
SUMMARY_LENGTH = 2000
TITLE_FROM_SUMMARY_LENGTH = 200
CUT_TAG = re.compile(r"<[a-zA-Z][^<>]*$")
# Block tags become spaces so paragraphs do not run together; inline tags (links, spans) just go.
BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|tr|td|table|h[1-6]|blockquote|hr)\b[^>]*>", re.IGNORECASE)


def plain_text(markup: str | None, limit: int) -> str | None:
    """Markup as one line of text: tags removed, entities decoded, whitespace collapsed, cut to `limit`."""
    if not markup:
        return None
    text = html.unescape(remove_tags(BLOCK_TAG.sub(" ", markup)))
    # Sites cut excerpts mid-tag ("... <a href=\"https://..."); the cut tag arrives escaped, as text.
    text = " ".join(CUT_TAG.sub("", text).split())
    return text[:limit] or None


def utc_time(parsed) -> str | None:
    """A feedparser time (a UTC struct_time) as ISO 8601 UTC, like scraped_at."""
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc).isoformat().replace("+00:00", "Z")


def news_item(*, source, feed, external_id, url, title, published_at, author, summary, scraped_at=None,
              **optional) -> dict:
    """A news item; optional keys (Reddit): link_url, score, num_comments, flair, deal_* fields."""
    item = {
        "source": source,
        "feed": feed,
        "external_id": str(external_id),
        "url": url,
        "title": title or "",
        "published_at": published_at,
        "author": author or None,
        "summary": summary,
        "scraped_at": scraped_at or utc_now(),
    }
    item.update({key: value for key, value in optional.items() if value is not None})
    return item


def parsed_feed(response):
    return feedparser.parse(response.body, response_headers={
        "content-type": response.headers.get("Content-Type", b"").decode("latin-1"),
        "content-location": response.url,
    })


def entry_fields(entry, channel) -> dict:
    """The news-item fields every feed entry has, whatever the source."""
    summary = plain_text(entry.get("summary") or (entry.get("content") or [{}])[0].get("value"), SUMMARY_LENGTH)
    # Mastodon and Bluesky items have no title: their text stands in for it.
    title = plain_text(entry.get("title"), 1000) or (summary or "")[:TITLE_FROM_SUMMARY_LENGTH]
    return {
        "external_id": entry.get("id") or entry.get("link"),
        "url": entry.get("link"),
        "title": title,
        "published_at": utc_time(entry.get("published_parsed") or entry.get("updated_parsed")),
        "author": entry.get("author") or channel.get("author"),
        "summary": summary,
    }


def feed_entries(response):
    """(entry, fields) of every entry with an id or link, each id once, in feed order."""
    parsed = parsed_feed(response)
    seen = set()
    for entry in parsed.entries:
        fields = entry_fields(entry, parsed.feed)
        if not fields["external_id"] or fields["external_id"] in seen:
            continue
        seen.add(fields["external_id"])
        yield entry, fields


class NewsSpider(PricewatchSpider):
    name = "news"
    custom_settings = FIELD_COVERAGE

    def __init__(self, *args, feeds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.feeds_argument = feeds

    setting_defaults = DEFAULT_SETTINGS

    @property
    def feeds(self) -> list[str]:
        value = self.feeds_argument or self.settings.getlist("PRICEWATCH_NEWS_FEEDS")
        feeds = value.split(",") if isinstance(value, str) else list(value)
        return list(dict.fromkeys(feed.strip() for feed in feeds if feed.strip()))

    async def start(self):
        for feed in self.feeds:
            yield scrapy.Request(feed, callback=self.parse_feed, meta={"feed": feed})

    def callback_for(self, response):
        return self.parse_feed

    def parse_feed(self, response):
        feed = (response.meta.get("feed") if response.request is not None else None) or response.url
        scraped_at = utc_now()
        count = 0
        for _, fields in feed_entries(response):
            count += 1
            yield news_item(source="news", feed=feed, scraped_at=scraped_at, **fields)
        if not count:
            self.crawler.stats.inc_value("pricewatch/news/empty_feeds")
            self.logger.warning("no entries in %s", response.url)
