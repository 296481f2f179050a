"""News ETL end to end on a real database: loader news spec (change-only on title/url, refreshed score),
`pricewatch etl reddit news` (items, deals, store-link / exact / fuzzy mentions, run log) and the views."""
import csv
import io

import psycopg2
import pytest
from crawl_fixtures import run_crawl
from etl_fixtures import source_lines
from loader_fixtures import rows, write_feed
from news_fixtures import STORE_LISTINGS, gamedeals, load, news_feeds

from loader import build_loader
from pricewatch.cli import main


@pytest.fixture
def landing(tmp_path):
    return tmp_path / "landing"


@pytest.fixture
def stores_loaded(db_url, landing):
    for source in ("steam", "gog", "epic"):
        load(landing, source, f"{source}-1", [item for item in STORE_LISTINGS if item["source"] == source])
    assert main(["etl", "steam", "gog", "epic"]) == 0


def mentions(db_url):
    return rows(db_url, """
        select item.external_id, game.title, mention.match_method, mention.match_score::float
        from core.news_mention as mention
        join core.news_item as item using (news_item_id)
        join core.game using (game_id)
        order by item.external_id, game.title""")


def test_staging_keeps_a_row_per_title_or_url_change_and_refreshes_the_score(db_url, landing):
    load(landing, "reddit", "reddit-1", gamedeals())
    load(landing, "reddit", "reddit-2", gamedeals(scraped_at="2026-09-14T10:00:00Z", score=999))
    retitled = gamedeals(scraped_at="2026-09-14T11:00:00Z", score=1000)
    retitled[0]["title"] = "[Steam] Stardew Valley ($8.99 / 40% off) [Expired]"
    load(landing, "reddit", "reddit-3", retitled)
    assert rows(db_url, """
        select external_id, change_seq, is_latest, score, observed_at::text, last_seen_at::text
        from staging.news_item where external_id in ('1f0d001', '1f0d002') order by external_id, change_seq""") == [
        ("1f0d001", 1, False, 999, "2026-09-14 09:00:00+00", "2026-09-14 10:00:00+00"),
        ("1f0d001", 2, True, 1000, "2026-09-14 11:00:00+00", "2026-09-14 11:00:00+00"),
        ("1f0d002", 1, True, 1000, "2026-09-14 09:00:00+00", "2026-09-14 11:00:00+00"),
    ]
    assert rows(db_url, "select count(*) from staging.news_item") == [(8,)]


def test_etl_fills_items_deals_and_mentions(db_url, landing, stores_loaded, capsys):
    load(landing, "reddit", "reddit-1", gamedeals())
    load(landing, "news", "news-1", news_feeds())
    assert main(["etl", "reddit", "news"]) == 0
    assert source_lines(capsys.readouterr().out) == [
        "reddit: 7 rows in, 7 items new or retitled, 0 items rescraped, 4 mentions by store link or exact title, "
        "0 by fuzzy title",
        "news: 4 rows in, 4 items new or retitled, 0 items rescraped, 0 mentions by store link or exact title, "
        "3 by fuzzy title",
    ]
    assert mentions(db_url) == [
        ("1f0d001", "Stardew Valley", "store_link", 100.0),
        ("1f0d002", "The Witcher 3: Wild Hunt - Game of the Year Edition", "store_link", 100.0),
        ("1f0d003", "Hollow Knight", "store_link", 100.0),
        ("1f0d006", "Hades", "store_link", 100.0),
        ("https://mastodon.social/@nintendolife/113145380000000002", "Stardew Valley", "fuzzy_title", 100.0),
        ("https://mastodon.social/@nintendolife/113145550000000001", "Hollow Knight", "fuzzy_title", 100.0),
        ("tag:indiedeals.example,2026:post-102", "Stardew Valley", "fuzzy_title", 100.0),
    ]
    assert rows(db_url, """
        select store_named, store, deal.title, price::text, currency, discount_percent
        from core.news_deal as deal join core.news_item using (news_item_id) order by external_id""") == [
        ("Steam", "steam", "Stardew Valley", "8.99", "USD", 40),
        ("GOG", "gog", "The Witcher 3: Wild Hunt - Game of the Year Edition", "7.49", "USD", 85),
        ("Epic Games", "epic", "Hollow Knight", "0", None, 100),
        ("Steam", "steam", "Hades", None, None, 50),
        ("Humble Bundle", None, "Humble Choice November", "11.99", "USD", None),
    ]
    assert rows(db_url, """
        select source, status, rows_in, rows_changed from ops.etl_run
        where source in ('reddit', 'news') order by etl_run_id""") == [
        ("reddit", "succeeded", 7, 7), ("news", "succeeded", 4, 4)]


def test_rescrape_moves_score_and_last_seen_without_new_items(db_url, landing, stores_loaded, capsys):
    load(landing, "reddit", "reddit-1", gamedeals())
    assert main(["etl", "reddit"]) == 0
    load(landing, "reddit", "reddit-2", gamedeals(scraped_at="2026-09-14T10:00:00Z", score=999))
    assert main(["etl", "reddit"]) == 0
    assert source_lines(capsys.readouterr().out)[-1] == (
        "reddit: 0 rows in, 0 items new or retitled, 7 items rescraped, 0 mentions by store link or exact title, "
        "0 by fuzzy title")
    assert rows(db_url, """
        select count(*), min(score), max(score), min(last_seen_at)::text from core.news_item""") == [
        (7, 999, 999, "2026-09-14 10:00:00+00")]
    assert len(mentions(db_url)) == 4


def test_a_new_title_is_matched_again(db_url, landing, stores_loaded):
    posts = gamedeals()
    load(landing, "reddit", "reddit-1", posts)
    assert main(["etl", "reddit"]) == 0
    hades = next(post for post in posts if post["external_id"] == "1f0d006")
    renamed = {**hades, "title": "[Steam] Stardew Valley (-40%)", "scraped_at": "2026-09-14T12:00:00Z",
               "link_url": None, "deal_title": "Stardew Valley", "deal_discount_percent": 40}
    load(landing, "reddit", "reddit-2", [renamed])
    assert main(["etl", "reddit"]) == 0
    assert [row for row in mentions(db_url) if row[0] == "1f0d006"] == [
        ("1f0d006", "Stardew Valley", "exact_title", 100.0)]


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_reports_news_of_a_game_and_deals_next_to_our_prices(db_url, landing, stores_loaded, capsys):
    load(landing, "reddit", "reddit-1", gamedeals())
    load(landing, "news", "news-1", news_feeds())
    assert main(["etl", "reddit", "news"]) == 0
    capsys.readouterr()
    assert main(["report", "news", "--game", "stardew", "--format", "csv"]) == 0
    news = csv_rows(capsys.readouterr().out)
    # Newest first; the undated article is dated when it was first seen (scraped at 09:00).
    assert [(row["source"], row["feed"], row["published_at"], row["match_method"]) for row in news] == [
        ("news", "https://mastodon.social/@nintendolife.rss", "2026-09-14T09:30:00+00:00", "fuzzy_title"),
        ("news", "https://indiedeals.example/feed.atom", "2026-09-14T09:00:00+00:00", "fuzzy_title"),
        ("reddit", "GameDeals", "2026-09-14T08:00:00+00:00", "store_link"),
    ]
    assert main(["report", "deals", "--format", "csv"]) == 0
    deals = csv_rows(capsys.readouterr().out)
    assert [(row["store_named"], row["deal_price"], row["deal_currency"], row["game"], row["our_price"],
             row["our_currency"], row["price_difference"]) for row in deals] == [
        ("Steam", "8.99", "USD", "Stardew Valley", "8.99", "USD", "0.00"),
        ("GOG", "7.49", "USD", "The Witcher 3: Wild Hunt - Game of the Year Edition", "9.99", "USD", "-2.50"),
        ("Epic Games", "0", "", "Hollow Knight", "0.00", "USD", ""),
        ("Steam", "", "", "Hades", "12.49", "USD", ""),
        ("Humble Bundle", "11.99", "USD", "", "", "", ""),
    ]


def test_reader_sees_the_news_views_but_not_core(db_url):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("set role pricewatch_reader")
        cur.execute("select count(*) from reporting.game_news")
        cur.execute("select count(*) from reporting.reddit_deals")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("select * from core.news_item")


@pytest.mark.parametrize("url", [
    "https://www.gog.com/en/game/hollow_knight?pp=1#reviews", "https://store.epicgames.com/en-US/p/hades/",
    "HTTP://Store.SteamPowered.com/app/1145360/Hades/", "https://store.playstation.com/zh-hant-tw/product/UP1",
])
def test_listing_urls_are_indexed_as_etl_normalize_url_reduces_them(admin, url):
    """core.listing.normalized_url spells out etl.normalize_url (a column cannot use a function upgrades re-create)."""
    with admin.cursor() as cur:
        cur.execute("""
            insert into core.listing (store, store_item_id, kind, title, url, first_seen_at, described_at)
            values ('gog', 'x', 'game', 'X', %(url)s, now(), now())
            returning normalized_url = etl.normalize_url(%(url)s)""", {"url": url})
        assert cur.fetchone() == (True,)


@pytest.mark.slow
def test_crawl_load_etl_report_end_to_end(db_url, replay_server, tmp_path, stores_loaded, capsys):
    """scrapy crawl reddit / news through the replay server, then pricewatch load, etl and report."""
    reddit = run_crawl("reddit", replay_server.url, tmp_path / "reddit")
    news = run_crawl("news", replay_server.url, tmp_path / "news",
                     feeds="https://www.gematsu.com/feed,https://mastodon.social/@nintendolife.rss")
    assert (reddit.returncode, news.returncode) == (0, 0), reddit.log[-2000:] + news.log[-2000:]
    capsys.readouterr()
    assert main(["load", str(reddit.landing), str(news.landing)]) == 0
    assert main(["etl", "reddit", "news"]) == 0
    assert rows(db_url, """
        select feed.source, count(*) from core.news_item join core.news_feed as feed using (news_feed_id)
        group by feed.source order by 1""") == [("news", 22), ("reddit", 7)]
    capsys.readouterr()
    assert main(["report", "news", "--game", "Stardew Valley", "--format", "csv"]) == 0
    assert [(row["source"], row["title"]) for row in csv_rows(capsys.readouterr().out)] == [
        ("news", "Review: Stardew Valley is still the coziest farm on Switch #review"),
        ("reddit", "[Steam] Stardew Valley ($8.99 / 40% off)"),
    ]


@pytest.mark.parametrize(("change", "reason"), [
    ({"deal_price": "7.499"}, "deal_price: more decimals than USD allows (2)"),
    ({"deal_currency": "XYZ"}, "deal_currency: not an ISO 4217 currency code"),
    ({"source": "twitter"}, "source: not one of reddit, news"),
    ({"published_at": "yesterday"}, "published_at: not an ISO 8601 date-time"),
    ({"score": "12"}, "score: expected integer or null, got string"),
])
def test_loader_rejects_broken_news_items_with_a_reason(db_url, landing, change, reason):
    stardew = {**gamedeals()[0], **change}
    path = write_feed(landing / "reddit" / "2026-09-14" / "bad.jl", [stardew])
    with build_loader() as loader:
        result = loader.load(path)
    assert (result.rows_new, result.rows_rejected) == (0, 1)
    assert rows(db_url, "select line_number, reason from ops.load_reject") == [(1, reason)]


def test_unknown_source_lists_the_news_sources(db_url, capsys):
    assert main(["etl", "twitter"]) == 1
    assert "known sources: epic, eshop, gog, psstore, steam, news, reddit" in capsys.readouterr().err


def test_run_news_source_refuses_a_store_and_logs_nothing(db_url):
    with pytest.raises(psycopg2.errors.InvalidParameterValue, match='unknown news source "steam"'):
        rows(db_url, "select * from etl.run_news_source('steam')")
    assert rows(db_url, "select count(*) from ops.etl_run") == [(0,)]


@pytest.mark.parametrize(("argv", "message"), [
    (["news", "--store", "steam"], "--store does not apply to news"),
    (["news", "--region", "US"], "--region does not apply to news"),
    (["deals", "--region", "US"], "--region does not apply to deals"),
])
def test_report_refuses_filters_the_news_views_do_not_have(db_url, capsys, argv, message):
    assert main(["report", *argv]) == 1
    assert capsys.readouterr().err == f"pricewatch: error: {message}\n"
