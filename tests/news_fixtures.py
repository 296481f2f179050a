"""Feeds for the news ETL tests: store listings the posts refer to, and the hand-made r/GameDeals and news
feeds run through the spiders' own callbacks, written where the loader picks the news spec (landing/<source>/)."""
from pathlib import Path

import scrapy
from loader_fixtures import listing, write_feed
from scrapy.http import TextResponse

from loader import build_loader
from pricewatch.commands.parse import build_spider

FIXTURES = Path(__file__).parent / "fixtures"
GAMEDEALS = "https://www.reddit.com/r/GameDeals/new.json?limit=100"

STORE_LISTINGS = [
    listing(price="8.99", regular_price="14.99", discount_percent=40),
    listing(store_item_id="1145360", title="Hades", url="https://store.steampowered.com/app/1145360/Hades/",
            price="12.49", regular_price="24.99", discount_percent=50),
    listing(source="gog", store_item_id="1207664663", title="The Witcher 3: Wild Hunt - Game of the Year Edition",
            url="https://www.gog.com/en/game/the_witcher_3_wild_hunt_game_of_the_year_edition",
            price="9.99", regular_price="49.99", discount_percent=80),
    listing(source="epic", store_item_id="hollow-knight", title="Hollow Knight",
            url="https://store.epicgames.com/en-US/p/hollow-knight", price="0.00", regular_price="14.99",
            discount_percent=100, is_free=True),
]


def spider_items(source: str, fixture: str, url: str, **changes) -> list[dict]:
    spider = build_spider(source)
    response = TextResponse(url=url, body=(FIXTURES / fixture).read_bytes(), encoding="utf-8",
                            request=scrapy.Request(url, meta={"feed": url}))
    items = [item for item in spider.callback_for(response)(response) if isinstance(item, dict)]
    return [{**item, "scraped_at": "2026-09-14T09:00:00Z", **changes} for item in items]


def gamedeals(**changes) -> list[dict]:
    return (spider_items("reddit", "handmade_reddit_gamedeals_new_page1.json", GAMEDEALS, **changes)
            + spider_items("reddit", "handmade_reddit_gamedeals_new_page2.json", GAMEDEALS + "&after=t3_1f0d005",
                           **changes))


def news_feeds() -> list[dict]:
    return (spider_items("news", "handmade_mastodon_account_nintendolife.rss", "https://mastodon.social/@nintendolife.rss")
            + spider_items("news", "handmade_news_atom_escaped_undated_duplicate_ids.xml",
                           "https://indiedeals.example/feed.atom"))


def load(landing: Path, source: str, name: str, records) -> None:
    path = write_feed(landing / source / "2026-09-14" / f"{name}.jl", records)
    with build_loader() as loader:
        result = loader.load(path)
    assert result.rows_rejected == 0, result.summary()
