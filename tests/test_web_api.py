"""The JSON API over real HTTP (uvicorn on 127.0.0.1), with the exact prices of the hand-made web feed."""
import time

import httpx
import pytest

from web_fixtures import TOKEN, served

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def api(site):
    with httpx.Client(base_url=site) as client:
        yield client


def game_id(api, title: str) -> int:
    (found,) = [game for game in api.get("/api/v1/games", params={"q": title}).json() if game["title"] == title]
    return found["id"]


def test_search_gives_the_best_price_per_currency(api):
    response = api.get("/api/v1/games", params={"q": "hades"})
    assert response.status_code == 200
    (hades,) = response.json()
    assert hades["title"] == "Hades"
    assert [(best["currency"], best["price"], best["store"], best["region"], best["discount_percent"])
            for best in hades["best_prices"]] == [("GBP", "19.49", "steam", "GB", 0), ("USD", "19.99", "gog", "US", 20)]


@pytest.mark.parametrize("query, titles", [
    ("hollow kni", ["Hollow Knight"]),
    ("STARDEW", ["Stardew Valley"]),
    ("valley stard", ["Stardew Valley"]),
    ("c", ["Celeste"]),
    ("zelda", []),
    ("'; drop table core.game; --", []),
    ("%_\\", []),
])
def test_search_matches_words_and_word_beginnings(api, query, titles):
    response = api.get("/api/v1/games", params={"q": query})
    assert response.status_code == 200
    assert [game["title"] for game in response.json()] == titles


def test_game_lists_every_store_and_region_with_exact_prices(api):
    response = api.get(f"/api/v1/games/{game_id(api, 'Hades')}")
    assert response.status_code == 200
    game = response.json()
    assert game["title"] == "Hades"
    assert sorted((price["store"], price["region"], price["currency"], price["price"], price["regular_price"],
                   price["discount_percent"], price["url"]) for price in game["prices"]) == [
        ("epic", "US", "USD", "24.99", "24.99", 0, "https://store.epicgames.com/p/hades"),
        ("gog", "US", "USD", "19.99", "24.99", 20, "https://www.gog.com/en/game/hades"),
        ("steam", "GB", "GBP", "19.49", "19.49", 0, "https://store.steampowered.com/app/1145360/"),
        ("steam", "US", "USD", "24.99", "24.99", 0, "https://store.steampowered.com/app/1145360/"),
    ]
    gog = next(price for price in game["prices"] if price["store"] == "gog")
    assert gog["since"] == "2026-11-02T11:00:00Z"
    assert gog["last_seen_at"] == "2026-11-03T11:00:00Z"
    assert gog["freshness"] == "old"
    assert game["lows"]["USD"]["all_time"] == {"price": "19.99", "at": "2026-11-02T11:00:00Z", "store": "gog",
                                               "region": "US"}
    assert game["lows"]["GBP"]["all_time"]["price"] == "19.49"
    assert {listing["store"] for listing in game["listings"]} == {"steam", "gog", "epic"}
    assert game["base_game"] is None and game["dlc"] == [] and game["news"] == []


def test_lows_keep_the_lowest_price_before_a_base_price_raise(api):
    lows = api.get(f"/api/v1/games/{game_id(api, 'Celeste')}").json()["lows"]["USD"]
    assert lows["all_time"] == {"price": "19.99", "at": "2026-11-01T10:00:30Z", "store": "steam", "region": "US"}


def test_history_has_one_series_per_store_and_region(api):
    hades = game_id(api, "Hades")
    response = api.get(f"/api/v1/games/{hades}/history", params={"region": "us", "currency": "USD"})
    assert response.status_code == 200
    history = response.json()
    assert (history["id"], history["title"]) == (hades, "Hades")
    assert [(line["store"], line["region"], line["currency"]) for line in history["series"]] == [
        ("epic", "US", "USD"), ("gog", "US", "USD"), ("steam", "US", "USD")]
    gog = history["series"][1]
    assert gog["periods"] == [
        {"valid_from": "2026-11-01T11:00:00Z", "valid_to": "2026-11-02T11:00:00Z", "price": "24.99",
         "regular_price": "24.99", "discount_percent": 0},
        {"valid_from": "2026-11-02T11:00:00Z", "valid_to": None, "price": "19.99", "regular_price": "24.99",
         "discount_percent": 20},
    ]
    everything = api.get(f"/api/v1/games/{hades}/history").json()
    assert len(everything["series"]) == 4


@pytest.mark.parametrize("params, expected", [
    ({}, [("Hollow Knight", "7.49", 50), ("Hades", "19.99", 20), ("Stardew Valley", "11.99", 20),
          ("Celeste", "21.99", 12)]),
    ({"show": "all_time_lows"}, [("Hades", "19.99", 20), ("Hollow Knight", "7.49", 50),
                                 ("Stardew Valley", "11.99", 20)]),
    ({"show": "since_raise"}, [("Celeste", "21.99", 12)]),
    ({"store": "gog"}, [("Hades", "19.99", 20)]),
    ({"currency": "usd", "limit": 1}, [("Hollow Knight", "7.49", 50)]),
    ({"region": "GB"}, []),
    ({"store": "", "region": "", "currency": ""}, [("Hollow Knight", "7.49", 50), ("Hades", "19.99", 20),
                                                   ("Stardew Valley", "11.99", 20), ("Celeste", "21.99", 12)]),
])
def test_deals(api, params, expected):
    response = api.get("/api/v1/deals", params=params)
    assert response.status_code == 200
    assert [(deal["game"], deal["price"], deal["discount_percent"]) for deal in response.json()] == expected


def test_deals_flag_new_lows_against_the_previous_low(api):
    (celeste,) = api.get("/api/v1/deals", params={"show": "since_raise"}).json()
    assert (celeste["previous_low"], celeste["new_all_time_low"], celeste["new_low_since_raise"]) == ("19.99", False, True)


@pytest.mark.parametrize("path, status", [
    ("/api/v1/games/0", 400),
    ("/api/v1/games/-1", 400),
    ("/api/v1/games/abc", 400),
    ("/api/v1/games/1.5", 400),
    ("/api/v1/games/99999999999999999999999999", 400),
    ("/api/v1/games/987654321", 404),
    ("/api/v1/games/987654321/history", 404),
    ("/api/v1/games/1/history?region=USA", 400),
    ("/api/v1/games/1/history?currency=%00%01", 400),
    ("/api/v1/games", 400),
    ("/api/v1/games?q=", 400),
    ("/api/v1/games?q=" + "a" * 201, 400),
    ("/api/v1/games?q=hades&limit=0", 400),
    ("/api/v1/deals?show=everything", 400),
    ("/api/v1/deals?store=STEAM;drop", 400),
    ("/api/v1/deals?limit=100000", 400),
    ("/api/v1/deals?" + "x=1&" * 400, 414),
    ("/api/v1/nothing-here", 404),
    ("/api/v1/watchlist/abc", 405),
])
def test_bad_requests_get_a_json_error_not_a_traceback(api, path, status):
    response = api.get(path)
    assert response.status_code == status
    body = response.json()
    assert list(body) == ["error"] and body["error"]
    assert "Traceback" not in response.text


def test_every_response_carries_a_strict_content_security_policy(api):
    for path in ("/api/v1/deals", "/api/v1/games/abc", "/static/app.css", "/static/vendor/uplot/uPlot.iife.min.js"):
        headers = api.get(path).headers
        assert "default-src 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"


def test_openapi_documents_the_paths(api):
    schema = api.get("/api/v1/openapi.json").json()
    assert {"/api/v1/games", "/api/v1/games/{id}", "/api/v1/games/{id}/history", "/api/v1/deals",
            "/api/v1/watchlist", "/api/v1/watchlist/{id}"} <= set(schema["paths"])
    assert not any(path.startswith("/games") for path in schema["paths"])


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_watchlist_writes_need_the_token(api, headers):
    hades = game_id(api, "Hades")
    assert api.post("/api/v1/watchlist", json={"game_id": hades, "new_low": "all_time"}, headers=headers).status_code == 401
    assert api.delete("/api/v1/watchlist/1", headers=headers).status_code == 401


def test_watchlist_create_list_delete(api):
    hades = game_id(api, "Hades")
    response = api.post("/api/v1/watchlist", headers=AUTH,
                        json={"game_id": hades, "below": "15", "currency": "usd", "region": "us"})
    assert response.status_code == 201
    rule = response.json()
    assert {key: rule[key] for key in ("game_id", "game", "below", "currency", "region", "min_discount", "new_low",
                                       "alerts_sent")} == {
        "game_id": hades, "game": "Hades", "below": "15", "currency": "USD", "region": "US", "min_discount": None,
        "new_low": None, "alerts_sent": 0}
    listed = api.get("/api/v1/watchlist").json()
    assert rule["id"] in [found["id"] for found in listed["rules"]]
    assert listed["channels"] == []
    assert api.delete(f"/api/v1/watchlist/{rule['id']}", headers=AUTH).status_code == 204
    assert api.delete(f"/api/v1/watchlist/{rule['id']}", headers=AUTH).status_code == 404
    assert rule["id"] not in [found["id"] for found in api.get("/api/v1/watchlist").json()["rules"]]


@pytest.mark.parametrize("rule, status, message", [
    ({}, 400, "say what to watch for"),
    ({"below": "10"}, 400, "below needs a currency"),
    ({"below": "-1", "currency": "USD"}, 400, "greater than 0"),
    ({"below": "10", "currency": "XXX"}, 400, "unknown currency"),
    ({"discount": 101}, 400, "less than or equal to 100"),
    ({"new_low": "yesterday"}, 400, "new_low"),
    ({"region": "USA", "new_low": "all_time"}, 400, "region"),
    ({"game_id": 987654321, "new_low": "all_time"}, 404, "no game 987654321"),
])
def test_watch_rules_are_checked(api, rule, status, message):
    response = api.post("/api/v1/watchlist", headers=AUTH, json={"game_id": game_id(api, "Hades"), **rule})
    assert response.status_code == status
    assert message in response.json()["error"]


def test_the_api_is_rate_limited_per_client(web_db):
    # The limit counts per clock minute: start well inside one.
    if time.monotonic() % 60 > 50:
        time.sleep(61 - time.monotonic() % 60)
    with served(web_db, rate_limit=5) as base, httpx.Client(base_url=base) as client:
        statuses = [client.get("/api/v1/deals").status_code for _ in range(7)]
        assert statuses == [200] * 5 + [429] * 2
        limited = client.get("/api/v1/deals")
        assert int(limited.headers["retry-after"]) > 0
        assert limited.json() == {"error": "too many requests; slow down"}
        assert client.get("/").status_code == 200
