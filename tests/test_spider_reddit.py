"""Reddit spider: the recorded listing and hand-made r/GameDeals pages through the crawl's callbacks, then
replay crawls end to end, including the fall back from the JSON listing (answering 429) to the Atom feed.

Expected values were read off the raw files (corpus reddit/*, tests/fixtures/handmade_reddit_*)."""
import json
from pathlib import Path

import pytest
import scrapy
from crawl_fixtures import run_crawl
from scrapy.http import TextResponse

from foundation import config
from pricewatch import replay
from pricewatch.commands.parse import build_spider

FIXTURES = Path(__file__).parent / "fixtures"
LISTING = "https://www.reddit.com/r/GameDeals/new.json?limit=100"
FEED = "https://www.reddit.com/r/GameDeals/new/.rss"
ALL = "https://www.reddit.com/r/all/new.json?limit=100"
GAMEDEALS = "https://www.reddit.com/r/GameDeals/comments/"


def respond(path: Path, url: str, meta: dict | None = None, status: int = 200) -> TextResponse:
    return TextResponse(url=url, body=path.read_bytes(), encoding="utf-8", status=status,
                        request=scrapy.Request(url, meta=meta or {}))


def run_callback(spider, response):
    output = list(spider.callback_for(response)(response))
    return ([value for value in output if isinstance(value, dict)],
            [value for value in output if isinstance(value, scrapy.Request)])


def without_time(items):
    return [{key: value for key, value in item.items() if key != "scraped_at"} for item in items]


def post(external_id, slug, title, published_at, author, score, num_comments, link_url=None, summary=None,
         flair=None, feed="GameDeals", **deal):
    item = {"source": "reddit", "feed": feed, "external_id": external_id,
            "url": f"https://www.reddit.com/r/{feed}/comments/{external_id}/{slug}/", "title": title,
            "published_at": published_at, "author": author, "summary": summary, "link_url": link_url,
            "score": score, "num_comments": num_comments, "flair": flair, **deal}
    return {key: value for key, value in item.items() if value is not None or key in ("summary", "published_at", "author")}


def deal(store, title, price, currency, discount):
    fields = {"deal_store": store, "deal_title": title, "deal_price": price, "deal_currency": currency,
              "deal_discount_percent": discount}
    return {key: value for key, value in fields.items() if value is not None}


PAGE_1 = [
    post("1f0d001", "steam_stardew_valley_8_99_40_off", "[Steam] Stardew Valley ($8.99 / 40% off)",
         "2026-09-14T08:00:00Z", "dealposter", 412, 57, "https://store.steampowered.com/app/413150/Stardew_Valley/",
         **deal("Steam", "Stardew Valley", "8.99", "USD", 40)),
    post("1f0d002", "gog_the_witcher_3_wild_hunt_game_of_the_year_editi",
         "[GOG] The Witcher 3: Wild Hunt - Game of the Year Edition ($7.49 / 85% off)", "2026-09-14T07:00:00Z",
         "dealposter", 1290, 203, "https://www.gog.com/en/game/the_witcher_3_wild_hunt_game_of_the_year_edition",
         flair="Expired", **deal("GOG", "The Witcher 3: Wild Hunt - Game of the Year Edition", "7.49", "USD", 85)),
    post("1f0d003", "epic_games_hollow_knight_free_100_off", "[Epic Games] Hollow Knight (Free / 100% off)",
         "2026-09-14T06:00:00Z", "dealposter", 2301, 388, "https://store.epicgames.com/en-US/p/hollow-knight",
         **deal("Epic Games", "Hollow Knight", "0", None, 100)),
    # A self post: no link, the text (entities decoded) as summary, no deal.
    post("1f0d004", "weekly_deals_discussion_thread_qa", "Weekly Deals Discussion Thread & Q&A",
         "2026-09-14T05:00:00Z", "AutoModerator", 35, 120, flair="Meta",
         summary="Post your finds here. Deals & questions welcome > keep it civil."),
    # A range with "up to": neither price nor discount, so not a deal.
    post("1f0d005", "fanatical_build_your_own_indie_bundle_2_99_8_99_up",
         "[Fanatical] Build your own Indie Bundle ($2.99 - $8.99 / up to 80% off)", "2026-09-14T04:00:00Z",
         "dealposter", 88, 14, "https://www.fanatical.com/en/pick-and-mix/build-your-own-indie-bundle"),
]
PAGE_2 = [
    post("1f0d006", "steam_hades_50", "[Steam] Hades (-50%)", "2026-09-14T03:00:00Z", "dealposter", 640, 91,
         "https://store.steampowered.com/app/1145360/Hades/", **deal("Steam", "Hades", None, None, 50)),
    post("1f0d007", "humble_bundle_humble_choice_november_11_99_8_games",
         "[Humble Bundle] Humble Choice November ($11.99 / 8 games)", "2026-09-14T02:00:00Z", "dealposter", 150, 40,
         "https://www.humblebundle.com/membership", **deal("Humble Bundle", "Humble Choice November", "11.99", "USD", None)),
]
# The Atom feed has no score, comment count or flair; its summary is the post's HTML footer as text.
FEED_ITEMS = [
    {"source": "reddit", "feed": "GameDeals", "external_id": "1f0d001",
     "url": GAMEDEALS + "1f0d001/steam_stardew_valley_899_40_off/", "title": "[Steam] Stardew Valley ($8.99 / 40% off)",
     "published_at": "2026-09-14T08:00:00Z", "author": "dealposter",
     "summary": "submitted by /u/dealposter [link] [comments]",
     "link_url": "https://store.steampowered.com/app/413150/Stardew_Valley/",
     **deal("Steam", "Stardew Valley", "8.99", "USD", 40)},
    {"source": "reddit", "feed": "GameDeals", "external_id": "1f0d003",
     "url": GAMEDEALS + "1f0d003/epic_games_hollow_knight_free_100_off/",
     "title": "[Epic Games] Hollow Knight (Free / 100% off)", "published_at": "2026-09-14T06:00:00Z",
     "author": "freebies", "summary": "submitted by /u/freebies [link] [comments]",
     "link_url": "https://store.epicgames.com/en-US/p/hollow-knight",
     **deal("Epic Games", "Hollow Knight", "0", None, 100)},
    {"source": "reddit", "feed": "GameDeals", "external_id": "1f0d004",
     "url": GAMEDEALS + "1f0d004/weekly_deals_discussion_thread_qa/", "title": "Weekly Deals Discussion Thread & Q&A",
     "published_at": "2026-09-14T05:00:00Z", "author": "AutoModerator",
     "summary": "Post your finds here. Deals & questions welcome. submitted by /u/AutoModerator [link] [comments]"},
]


@pytest.fixture
def spider():
    return build_spider("reddit")


def test_gamedeals_page_1_and_the_next_page(spider):
    items, [request] = run_callback(spider, respond(FIXTURES / "handmade_reddit_gamedeals_new_page1.json", LISTING))
    assert without_time(items) == PAGE_1
    assert request.url == LISTING + "&after=t3_1f0d005"
    assert (request.meta["subreddit"], request.meta["page"]) == ("GameDeals", 2)


def test_last_page_has_no_next_page(spider):
    items, requests = run_callback(spider, respond(FIXTURES / "handmade_reddit_gamedeals_new_page2.json",
                                                   LISTING + "&after=t3_1f0d005", {"page": 2}))
    assert (without_time(items), requests) == (PAGE_2, [])


def test_pages_stop_at_max_pages():
    spider = build_spider("reddit")
    spider.settings.set("PRICEWATCH_REDDIT_MAX_PAGES", 1)
    _, requests = run_callback(spider, respond(FIXTURES / "handmade_reddit_gamedeals_new_page1.json", LISTING))
    assert requests == []


SAMPLED_ALL_POSTS = [
    {"source": "reddit", "feed": "smashbros", "external_id": "5qhydn",
     "url": "https://www.reddit.com/r/smashbros/comments/5qhydn/tkbreezy_coney_and_ee_super_smash_con_2016/",
     "title": "TKbreezy, Coney, and EE: Super Smash Con 2016 Commentary Highlights",
     "published_at": "2017-01-27T16:13:31Z", "author": "Larry_Bobarry", "summary": None,
     "link_url": "https://youtu.be/z6jRCbgUKgM", "score": 1, "num_comments": 0},
    {"source": "reddit", "feed": "Overwatch", "external_id": "5qhyd2",
     "url": "https://www.reddit.com/r/Overwatch/comments/5qhyd2/yea_boi_how_does_it_work_with_the_promotional/",
     "title": "Yea boi ? How does it work with the promotional posts.", "published_at": "2017-01-27T16:13:27Z",
     "author": "AsuraKhehexd",
     "summary": "Is only a discussion considered a post cause it says 10:1. Do i have to start 10 discussions or can i "
                "comment on something as well?",
     "score": 1, "num_comments": 0, "flair": "News & Discussion"},
    {"source": "reddit", "feed": "videos", "external_id": "5qhybh",
     "url": "https://www.reddit.com/r/videos/comments/5qhybh/bow_arrow/", "title": "Bow & Arrow.",
     "published_at": "2017-01-27T16:13:17Z", "author": "oprahwindfree", "summary": None,
     "link_url": "https://www.youtube.com/watch?v=VXYODzR-UKc", "score": 2, "num_comments": 0},
    # Bracketed tags of trading subreddits are not deals (no price, discount or "free").
    {"source": "reddit", "feed": "RocketLeagueExchange", "external_id": "5qhyb6",
     "url": "https://www.reddit.com/r/RocketLeagueExchange/comments/5qhyb6/pc_h_parallax_w_12_keys/",
     "title": "[PC] [H] Parallax [W] 12 keys", "published_at": "2017-01-27T16:13:13Z", "author": "Whoooooligan",
     "summary": "Steam in flair", "score": 1, "num_comments": 0, "flair": "STEAM"},
]


@pytest.fixture(scope="module")
def all_listing():
    spider = build_spider("reddit")
    return run_callback(spider, respond(config.corpus_dir() / "reddit/listing_all_new_100_posts_2017-01_not_gaming.json", ALL))


@pytest.mark.parametrize("expected", SAMPLED_ALL_POSTS, ids=lambda item: item["external_id"])
def test_recorded_2017_listing_posts(all_listing, expected):
    items, _ = all_listing
    [item] = [item for item in without_time(items) if item["external_id"] == expected["external_id"]]
    assert item == expected


def test_recorded_2017_listing_has_100_posts_no_deals_and_a_next_page(all_listing):
    items, [request] = all_listing
    assert len({item["external_id"] for item in items}) == 100
    assert not [item for item in items if "deal_store" in item]
    assert request.url == ALL + "&after=t3_5qhya2"


def test_atom_feed(spider):
    items, requests = run_callback(spider, respond(FIXTURES / "handmade_reddit_gamedeals_new.atom", FEED))
    assert (without_time(items), requests) == (FEED_ITEMS, [])


@pytest.mark.parametrize("status", [403, 429])
def test_refused_listing_falls_back_to_the_feed(spider, status):
    response = TextResponse(url=LISTING, body=b"Too Many Requests", status=status,
                            request=spider.listing_request("GameDeals"))
    items, [request] = run_callback(spider, response)
    assert (items, request.url, request.callback) == ([], FEED, spider.parse_feed)


def test_listing_requests_handle_fallback_statuses_without_retrying(spider):
    meta = spider.listing_request("GameDeals").meta
    assert (meta["handle_httpstatus_list"], meta["dont_retry"]) == ([403, 429], True)


@pytest.mark.parametrize("value", ["r/GameDeals", "Game Deals", ","])
def test_subreddits_must_be_names(value):
    with pytest.raises(ValueError, match="subreddit names"):
        build_spider("reddit", subreddits=value).subreddits


@pytest.mark.slow
def test_replay_crawl_pages_through_the_listing(replay_server, tmp_path):
    crawl = run_crawl("reddit", replay_server.url, tmp_path)
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert without_time(crawl.items) == PAGE_1 + PAGE_2
    assert (crawl.report["spider"], crawl.report["health"], crawl.report["items_invalid"]) == ("reddit", "ok", 0)


@pytest.mark.slow
def test_replay_crawl_falls_back_to_the_feed_on_429(tmp_path):
    routes = tmp_path / "reddit_429.json"
    routes.write_text(json.dumps({"routes": [
        {"url": LISTING, "status": 429, "headers": {"Retry-After": "60"}, "body": "Too Many Requests"},
        {"url": FEED, "file": "handmade:handmade_reddit_gamedeals_new.atom", "content_type": "application/atom+xml"},
    ]}), encoding="utf-8")
    with replay.ReplayServer(replay.load_routes([routes])) as server:
        crawl = run_crawl("reddit", server.url, tmp_path)
        asked = [path for _, path in server.requests]
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert without_time(crawl.items) == FEED_ITEMS
    # One listing request, not retried, then the feed.
    assert [path for path in asked if "GameDeals" in path] == ["/www.reddit.com/r/GameDeals/new.json?limit=100",
                                                              "/www.reddit.com/r/GameDeals/new/.rss"]
    assert (crawl.report["items_invalid"], crawl.report["stats"]["pricewatch/reddit/fallback_to_feed"]) == (0, 1)
