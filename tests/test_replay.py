"""The replay server (real HTTP on 127.0.0.1) and the middleware's URL rewriting."""
import json
import urllib.error
import urllib.request

import pytest
from scrapy import Request
from scrapy.http import TextResponse

from foundation.errors import PricewatchError
from pricewatch import replay
from scrapers.middlewares.replay import ORIGINAL_URL, ReplayMiddleware, replay_url


def fetch(url, data=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data)) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def routes(tmp_path, *specs):
    path = tmp_path / "routes.json"
    path.write_text(json.dumps({"routes": list(specs)}))
    return replay.load_routes([path])


def test_every_route_file_loads_and_finds_its_recordings(corpus):
    assert any(route.origin.startswith("steam.json") for route in replay.load_routes())


def test_recorded_arguments_cover_only_what_is_recorded(corpus):
    """`run --replay` crawls these; a feed without a route would fail the news crawl with 404s."""
    arguments = replay.recorded_arguments()
    assert arguments["steam"] == {"regions": "US,KR"}
    recorded = {route.url for route in replay.load_routes()}
    assert set(arguments["news"]["feeds"].split(",")) <= recorded


@pytest.mark.parametrize("path, expected_status, expected_start", [
    ("/store.steampowered.com/api/appdetails?appids=413150&cc=kr", 200, b'{"413150"'),
    ("/store.steampowered.com/api/appdetails?cc=kr&l=english&appids=413150", 200, b'{"413150"'),  # extra param
    ("/store.steampowered.com/api/appdetails?appids=413150&cc=us", 200, b'{"413150"'),
    ("/store.steampowered.com/api/appdetails?appids=413150", 404, b"no replay route"),  # cc missing
    ("/store.steampowered.com/app/413150/", 404, b"no replay route"),
])
def test_matching(corpus, path, expected_status, expected_start):
    with replay.ReplayServer(replay.load_routes()) as server:
        status, headers, body = fetch(server.url + path)
    assert status == expected_status and body.startswith(expected_start)


def test_content_type_headers_and_most_specific_route_wins(tmp_path, corpus):
    server_routes = routes(
        tmp_path,
        {"url": "https://example.com/a", "body": "general"},
        {"url": "https://example.com/a?x=1", "body": "specific", "headers": {"X-Test": "yes"}, "status": 203},
    )
    with replay.ReplayServer(server_routes) as server:
        assert fetch(server.url + "/example.com/a?y=2")[2] == b"general"
        status, headers, body = fetch(server.url + "/example.com/a?y=2&x=1")
    assert (status, body, headers["X-Test"], headers["Content-Type"]) == (203, b"specific", "yes", "text/plain; charset=utf-8")


def test_sequence_then_last_response_repeats(tmp_path):
    server_routes = routes(tmp_path, {"url": "https://example.com/s", "sequence": [
        {"status": 429, "headers": {"Retry-After": "3"}}, {"body": "ok"}]})
    with replay.ReplayServer(server_routes) as server:
        first, second, third = (fetch(server.url + "/example.com/s") for _ in range(3))
    assert (first[0], first[1]["Retry-After"]) == (429, "3")
    assert (second[0], second[2], third[2]) == (200, b"ok", b"ok")


def test_post_json_body_selects_the_route(tmp_path):
    server_routes = routes(
        tmp_path,
        {"url": "https://example.com/graphql", "method": "POST", "json_body": {"operationName": "a"}, "body": "A"},
        {"url": "https://example.com/graphql", "method": "POST", "json_body": {"operationName": "b"}, "body": "B"},
    )
    with replay.ReplayServer(server_routes) as server:
        assert fetch(server.url + "/example.com/graphql", b'{"operationName": "b", "variables": {}}')[2] == b"B"
        assert fetch(server.url + "/example.com/graphql")[0] == 404  # GET


@pytest.mark.parametrize("spec, message", [
    ({"url": "https://example.com/", "file": "steam/nope.json"}, "not found"),
    ({"url": "https://example.com/", "file": "handmade:../../setup.py"}, "outside"),
    ({"url": "/relative", "body": "x"}, "not absolute"),
    ({"url": "https://example.com/", "body": "x", "sequence": [{"body": "y"}]}, "either a sequence"),
    ({"url": "https://example.com/", "bdy": "typo"}, "unknown response keys"),
])
def test_bad_routes_are_clear_errors(tmp_path, corpus, spec, message):
    with pytest.raises(PricewatchError, match=message):
        routes(tmp_path, spec)


def test_url_of_recording_comes_from_the_routes(corpus):
    path = corpus / "steam" / "appdetails_413150_stardew_krw_trimmed.json"
    assert replay.url_of_recording(path, replay.load_routes()) == (
        "https://store.steampowered.com/api/appdetails?appids=413150&cc=kr")


def test_middleware_rewrites_to_the_server_and_restores_the_store_url():
    middleware = ReplayMiddleware("http://127.0.0.1:8123/")
    store_url = "https://store.steampowered.com/api/appdetails?appids=1&cc=us"
    rewritten = middleware.process_request(Request(store_url, meta={"region": "US"}))
    assert rewritten.url == "http://127.0.0.1:8123/store.steampowered.com/api/appdetails?appids=1&cc=us"
    assert rewritten.meta["region"] == "US" and rewritten.meta[ORIGINAL_URL] == store_url
    assert rewritten.meta["download_slot"] == "store.steampowered.com" and rewritten.meta["dont_obey_robotstxt"]
    assert middleware.process_request(rewritten) is None
    response = middleware.process_response(rewritten, TextResponse(rewritten.url, body=b"{}", request=rewritten))
    assert response.url == store_url
    assert replay_url("http://h:1", "https://example.com") == "http://h:1/example.com/"
