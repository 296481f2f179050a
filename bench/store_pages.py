"""A loopback HTTP server with N recorded-style Steam appdetails pages: the real recording of app 440
(corpus steam/appdetails_440_tf2_free_raw.json, 27 kB) made into app N, with its own name and a price.
Paths are what the replay middleware asks for: /store.steampowered.com/api/appdetails?appids=N&...;
anything else (robots.txt) is 404, which Scrapy reads as "everything allowed"."""
import copy
import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from foundation import config
from pricewatch.store_simulator.server import LoopbackServer

RECORDING = "steam/appdetails_440_tf2_free_raw.json"
FIRST_APPID = 500000


def appids(count: int) -> list[int]:
    return list(range(FIRST_APPID, FIRST_APPID + count))


def pages(count: int) -> dict[str, bytes]:
    recorded = json.loads((config.corpus_dir() / RECORDING).read_text(encoding="utf-8"))["440"]
    built = {}
    for appid in appids(count):
        entry = copy.deepcopy(recorded)
        data = entry["data"]
        initial = 999 + (appid % 40) * 100
        final = initial * (100 - (appid % 4) * 25) // 100
        data.update(steam_appid=appid, name=f"{data['name']} {appid}", is_free=False, price_overview={
            "currency": "USD", "initial": initial, "final": final, "discount_percent": (appid % 4) * 25,
            "initial_formatted": f"${initial / 100:.2f}", "final_formatted": f"${final / 100:.2f} USD"})
        built[str(appid)] = json.dumps({str(appid): entry}).encode("utf-8")
    return built


class PageServer(LoopbackServer):
    def __init__(self, count: int):
        self.pages = pages(count)
        super().__init__(PageHandler)


class PageHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        parts = urlsplit(self.path)
        appid = parse_qs(parts.query).get("appids", [""])[0]
        body = self.server.pages.get(appid) if parts.path.endswith("/api/appdetails") else None
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass
