"""Deal posts from r/GameDeals (and any subreddits in settings) through Reddit's public JSON listing.

Per subreddit: /r/<sub>/new.json?limit=100, then the next pages by the listing's `after` cursor, up to
PRICEWATCH_REDDIT_MAX_PAGES. When the JSON listing answers 403 or 429 (Reddit refuses or throttles
unauthenticated JSON clients) the subreddit's Atom feed (/r/<sub>/new/.rss) is read instead: it has the
posts without score and comment counts. Subreddits: spider argument `subreddits` ("GameDeals,FreeGameFindings"),
else the setting PRICEWATCH_REDDIT_SUBREDDITS. Titles like "[Steam] Hades (-50%)" are parsed by scrapers.deals.
"""
import html
import json
import re
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.selector import Selector

from scrapers.deals import parse_deal_title
from scrapers.items import utc_now
from scrapers.spiders import PricewatchSpider
from scrapers.spiders.news import FIELD_COVERAGE, SUMMARY_LENGTH, feed_entries, news_item, plain_text

DEFAULT_SETTINGS = {
    "PRICEWATCH_REDDIT_SUBREDDITS": ["GameDeals"],
    "PRICEWATCH_REDDIT_LISTING_URL": "https://www.reddit.com/r/{subreddit}/new.json?limit=100",
    "PRICEWATCH_REDDIT_FEED_URL": "https://www.reddit.com/r/{subreddit}/new/.rss",
    "PRICEWATCH_REDDIT_MAX_PAGES": 3,
    # Answers of the JSON listing that switch a subreddit to its feed, without retrying the listing.
    "PRICEWATCH_REDDIT_FALLBACK_STATUSES": [403, 429],
}
SUBREDDIT = re.compile(r"^[A-Za-z0-9_]{2,21}$")
SUBREDDIT_IN_URL = re.compile(r"/r/([A-Za-z0-9_]+)")
REDDIT = "https://www.reddit.com"


def subreddit_of(url: str) -> str | None:
    match = SUBREDDIT_IN_URL.search(urlsplit(url).path)
    return match.group(1) if match else None


def deal_fields(title: str) -> dict:
    deal = parse_deal_title(title)
    return deal.fields() if deal else {}


def post_item(post: dict, scraped_at: str) -> dict:
    """A news item of one post (`data` of a t3 child). Reddit escapes &, < and > in JSON titles and flair."""
    title = html.unescape(post.get("title") or "")
    link = None if post.get("is_self") else post.get("url")
    return news_item(
        source="reddit",
        feed=post["subreddit"],
        external_id=post["id"],
        url=REDDIT + post["permalink"] if post.get("permalink") else link,
        title=title,
        published_at=datetime.fromtimestamp(post["created_utc"], timezone.utc).isoformat().replace("+00:00", "Z"),
        author=post.get("author"),
        summary=plain_text(post.get("selftext"), SUMMARY_LENGTH),
        scraped_at=scraped_at,
        link_url=html.unescape(link) if link else None,
        score=post.get("score"),
        num_comments=post.get("num_comments"),
        flair=html.unescape(post["link_flair_text"]) if post.get("link_flair_text") else None,
        **deal_fields(title),
    )


def entry_link(entry) -> str | None:
    """The "[link]" a Reddit feed entry's content points to; self posts point back to their comments."""
    content = (entry.get("content") or [{}])[0].get("value") or entry.get("summary") or ""
    link = Selector(text=content).xpath('//a[normalize-space(.)="[link]"]/@href').get() if content else None
    return None if link is None or link == entry.get("link") else link


class RedditSpider(PricewatchSpider):
    name = "reddit"
    allowed_domains = ["reddit.com"]
    custom_settings = FIELD_COVERAGE

    def __init__(self, *args, subreddits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subreddits_argument = subreddits

    setting_defaults = DEFAULT_SETTINGS

    @property
    def subreddits(self) -> list[str]:
        value = self.subreddits_argument or self.settings.getlist("PRICEWATCH_REDDIT_SUBREDDITS")
        names = [name.strip() for name in (value.split(",") if isinstance(value, str) else value) if name.strip()]
        bad = [name for name in names if not SUBREDDIT.match(name)]
        if bad or not names:
            raise ValueError(f"subreddits must be subreddit names like GameDeals,FreeGameFindings; got {value!r}")
        return list(dict.fromkeys(names))

    async def start(self):
        for subreddit in self.subreddits:
            yield self.listing_request(subreddit)

    def listing_request(self, subreddit: str, after: str | None = None, page: int = 1) -> scrapy.Request:
        url = self.settings.get("PRICEWATCH_REDDIT_LISTING_URL").format(subreddit=subreddit)
        if after:
            url += ("&" if "?" in url else "?") + urlencode({"after": after})
        fallback = self.settings.getlist("PRICEWATCH_REDDIT_FALLBACK_STATUSES")
        return scrapy.Request(url, callback=self.parse_listing, meta={
            "subreddit": subreddit, "page": page,
            "handle_httpstatus_list": [int(status) for status in fallback], "dont_retry": bool(fallback)})

    def feed_request(self, subreddit: str) -> scrapy.Request:
        url = self.settings.get("PRICEWATCH_REDDIT_FEED_URL").format(subreddit=subreddit)
        return scrapy.Request(url, callback=self.parse_feed, meta={"subreddit": subreddit})

    def callback_for(self, response):
        if response.url.split("?")[0].endswith(".json") or response.body.lstrip()[:1] == b"{":
            return self.parse_listing
        return self.parse_feed

    def parse_listing(self, response):
        meta = response.meta if response.request is not None else {}
        subreddit = meta.get("subreddit") or subreddit_of(response.url)
        if response.status != 200:
            self.crawler.stats.inc_value("pricewatch/reddit/fallback_to_feed")
            self.logger.warning("JSON listing of r/%s answered %s: reading its feed instead", subreddit, response.status)
            yield self.feed_request(subreddit)
            return
        listing = json.loads(response.text)["data"]
        scraped_at = utc_now()
        for child in listing.get("children", ()):
            if child.get("kind") == "t3":
                yield post_item(child["data"], scraped_at)
        page = meta.get("page", 1)
        if listing.get("after") and subreddit and page < self.settings.getint("PRICEWATCH_REDDIT_MAX_PAGES"):
            yield self.listing_request(subreddit, listing["after"], page + 1)

    def parse_feed(self, response):
        meta = response.meta if response.request is not None else {}
        subreddit = meta.get("subreddit") or subreddit_of(response.url)
        scraped_at = utc_now()
        for entry, fields in feed_entries(response):
            # The entry id "t3_<id>" comes back resolved against the feed URL by feedparser.
            fields["external_id"] = fields["external_id"].rsplit("/", 1)[-1].removeprefix("t3_")
            fields["author"] = (fields["author"] or "").removeprefix("/u/") or None
            # The feed's summary is the post's HTML with its "submitted by ... [link] [comments]" footer.
            yield news_item(source="reddit", feed=subreddit or response.url, scraped_at=scraped_at, **fields,
                            link_url=entry_link(entry), **deal_fields(fields["title"]))
