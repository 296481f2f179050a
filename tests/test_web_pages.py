"""The pages over real HTTP: what they show from the hand-made web feed, the watch form's CSRF and token
checks, and clean error pages."""
import re

import httpx
import pytest

from web_fixtures import TOKEN


@pytest.fixture
def browser(site):
    """A fresh client (no cookies) per test."""
    with httpx.Client(base_url=site) as client:
        yield client


def hidden_csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def hades_page(browser) -> tuple[str, str]:
    search = browser.get("/search", params={"q": "hades"})
    path = re.search(r'href="(/games/\d+)">Hades<', search.text).group(1)
    return path, browser.get(path).text


def test_home_lists_the_deals_and_filters(browser):
    page = browser.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for heading in ("Biggest discounts", "New all-time lows", "New lows since the last base-price raise"):
        assert heading in page.text
    assert "7.49 USD" in page.text and "-50%" in page.text
    assert '<option value="gog"' in page.text
    assert browser.get("/", params={"store": "", "region": "", "currency": ""}).text.count("7.49 USD") == 2
    filtered = browser.get("/", params={"store": "gog", "region": "", "currency": ""})
    assert "Hades" in filtered.text and "Hollow Knight" not in filtered.text


def test_game_page_shows_prices_lows_history_and_the_watch_form(browser):
    path, html = hades_page(browser)
    assert "<h1>Hades</h1>" in html
    assert html.count('<span class="freshness') == 4
    assert "19.99 USD" in html and "-20%" in html and "19.49 GBP" in html
    assert 'href="https://www.gog.com/en/game/hades"' in html
    assert 'id="price-history"' in html and html.count('<figure class="chart"') == 2
    assert f'action="{path}/watch"' in html


def test_search_page_works_without_javascript(browser):
    page = browser.get("/search", params={"q": "stardew"})
    assert page.status_code == 200
    assert "Stardew Valley" in page.text and "11.99 USD at Steam US" in page.text
    assert "No game has a title" in browser.get("/search", params={"q": "zelda"}).text


def test_status_page_shows_loads_etl_and_coverage(browser):
    page = browser.get("/status")
    assert page.status_code == 200
    for source in ("steam", "gog", "epic"):
        assert f"<td>{source}</td>" in page.text
    assert "Coverage" in page.text and "Epic Games Store" in page.text


def test_watch_form_adds_a_rule_with_token_and_csrf(browser):
    path, html = hades_page(browser)
    response = browser.post(f"{path}/watch", data={"csrf": hidden_csrf(html), "token": TOKEN, "discount": "10"})
    assert response.status_code == 303 and response.headers["location"] == "/watchlist"
    watchlist = browser.get("/watchlist").text
    rule_id = re.search(r'action="/watchlist/(\d+)/delete"', watchlist).group(1)
    assert "10% off or more" in watchlist
    # GOG's 20% off meets the rule at once: it began before the rule but is still current.
    assert "discount 10% or more" in watchlist
    removed = browser.post(f"/watchlist/{rule_id}/delete", data={"csrf": hidden_csrf(watchlist), "token": TOKEN})
    assert removed.status_code == 303
    assert f"/watchlist/{rule_id}/delete" not in browser.get("/watchlist").text


@pytest.mark.parametrize("form, cookie, status", [
    ({"token": TOKEN, "discount": "10"}, True, 403),
    ({"csrf": "forged", "token": TOKEN, "discount": "10"}, True, 403),
    ({"token": TOKEN, "discount": "10"}, False, 403),
    ({"csrf": "PAGE", "token": "wrong", "discount": "10"}, True, 401),
    ({"csrf": "PAGE", "discount": "10"}, True, 401),
    ({"csrf": "PAGE", "token": TOKEN}, True, 400),
    ({"csrf": "PAGE", "token": TOKEN, "below": "abc", "currency": "USD"}, True, 400),
])
def test_watch_form_refuses_forged_or_bad_posts(site, form, cookie, status):
    with httpx.Client(base_url=site) as browser:
        path, html = hades_page(browser)
        if form.get("csrf") == "PAGE":
            form = {**form, "csrf": hidden_csrf(html)}
        if not cookie:
            browser.cookies.clear()
        response = browser.post(f"{path}/watch", data=form)
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        assert "Traceback" not in response.text
        assert "Nothing watched yet" in browser.get("/watchlist").text


def test_csrf_cookie_is_strict_and_http_only(browser):
    cookie = browser.get("/").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


@pytest.mark.parametrize("path, status", [
    ("/games/abc", 400),
    ("/games/0", 400),
    ("/games/987654321", 404),
    ("/games/99999999999999999999999999999", 400),
    ("/no-such-page", 404),
    ("/search?q=" + "x" * 201, 400),
    ("/?region=Narnia", 400),
    ("/?" + "a" * 2000, 414),
    ("/static/../pricewatch/web/app.py", 404),
])
def test_bad_pages_are_clean_error_pages(browser, path, status):
    response = browser.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert '<p class="error">' in response.text and "Traceback" not in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
