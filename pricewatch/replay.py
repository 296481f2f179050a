"""Replay recorded store responses over real HTTP on 127.0.0.1, so crawls run end to end without the stores.

Routes live in replay/routes/<source>.json (format: replay/README.md, docs/replay.md). A request for
/<host><path>?<query> (what scrapers.middlewares.replay sends) is answered by the route whose URL has that
host and path and whose query parameters all appear in the request with the same values; extra request
parameters are allowed and the route naming the most parameters wins. Unknown URLs get 404 (for robots.txt
too, which Scrapy reads as "everything allowed").
"""
import json
import logging
import mimetypes
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from foundation import config
from foundation.errors import PricewatchError

logger = logging.getLogger(__name__)

ROUTES_DIR = config.PROJECT_ROOT / "replay" / "routes"
HANDMADE_DIR = config.PROJECT_ROOT / "tests" / "fixtures"
HANDMADE = "handmade:"


@dataclass(frozen=True)
class ReplayResponse:
    status: int
    body: bytes
    content_type: str
    headers: dict
    path: Path | None = None


@dataclass
class Route:
    host: str
    path: str
    params: dict
    responses: list
    method: str | None = None
    json_body: dict | None = None
    origin: str = ""
    url: str = ""
    served: int = field(default=0, compare=False)

    def matches(self, method: str, host: str, path: str, params: dict, body: bytes) -> bool:
        if (self.method and self.method != method) or self.host != host or self.path != path:
            return False
        if any(params.get(name) != values for name, values in self.params.items()):
            return False
        return self.json_body is None or json_subset(self.json_body, body)

    def next_response(self) -> ReplayResponse:
        """Responses of a sequence in turn; the last one repeats."""
        response = self.responses[min(self.served, len(self.responses) - 1)]
        self.served += 1
        return response


def json_subset(expected: dict, body: bytes) -> bool:
    try:
        actual = json.loads(body or b"null")
    except ValueError:
        return False
    return isinstance(actual, dict) and all(actual.get(key) == value for key, value in expected.items())


def recording_path(name: str, corpus: Path | None = None) -> Path:
    """Where a route's `file` is: relative to the corpus, or to tests/fixtures with the handmade: prefix."""
    root, relative = (HANDMADE_DIR, name[len(HANDMADE):]) if name.startswith(HANDMADE) else (corpus or config.corpus_dir(), name)
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise PricewatchError(f"replay file {name!r} points outside {root}")
    if not path.is_file():
        raise PricewatchError(f"replay file {name!r} not found (looked at {path})")
    return path


def build_response(spec: dict, origin: str, corpus: Path | None) -> ReplayResponse:
    unknown = set(spec) - {"file", "body", "status", "content_type", "headers"}
    if unknown:
        raise PricewatchError(f"{origin}: unknown response keys {sorted(unknown)}")
    if "file" in spec:
        path = recording_path(spec["file"], corpus)
        body = path.read_bytes()
        guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    else:
        body = str(spec.get("body", "")).encode("utf-8")
        guessed = "text/plain"
    content_type = spec.get("content_type") or guessed
    if content_type.startswith(("text/", "application/json")) and "charset" not in content_type:
        content_type += "; charset=utf-8"
    return ReplayResponse(int(spec.get("status", 200)), body, content_type, dict(spec.get("headers", {})),
                          path if "file" in spec else None)


def build_route(spec: dict, origin: str, corpus: Path | None = None) -> Route:
    if "url" not in spec:
        raise PricewatchError(f"{origin}: a route needs a url")
    url = urlsplit(spec["url"])
    if not url.netloc:
        raise PricewatchError(f"{origin}: route url {spec['url']!r} is not absolute")
    sequence = spec.get("sequence")
    response_keys = {key: value for key, value in spec.items() if key not in ("url", "method", "json_body", "sequence")}
    if sequence and response_keys:
        raise PricewatchError(f"{origin}: give either a sequence or one response, not both")
    responses = [build_response(item, origin, corpus) for item in (sequence or [response_keys])]
    return Route(
        host=url.netloc.lower(),
        path=url.path or "/",
        params=parse_qs(url.query, keep_blank_values=True),
        responses=responses,
        method=spec.get("method", "").upper() or None,
        json_body=spec.get("json_body"),
        origin=origin,
        url=spec["url"],
    )


def url_of_recording(path: Path, routes: list[Route]) -> str | None:
    """The store URL a route serves this recording for (the first such route), or None."""
    target = Path(path).resolve()
    for route in routes:
        if any(response.path == target for response in route.responses):
            return route.url
    return None


def load_routes(paths=None, corpus: Path | None = None) -> list[Route]:
    """Routes from route files (default: every replay/routes/*.json); bad files are a clear error."""
    files = sorted(ROUTES_DIR.glob("*.json")) if paths is None else [Path(path) for path in paths]
    routes = []
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PricewatchError(f"cannot read replay routes {path}: {exc}") from exc
        for index, spec in enumerate(document.get("routes", [])):
            routes.append(build_route(spec, f"{path.name} route {index}", corpus))
    return routes


RECORDED_ARGUMENTS = ("regions", "feeds")


def recorded_arguments(paths=None) -> dict[str, dict[str, str]]:
    """Source -> the spider arguments its recordings cover, from each route file's `regions` (storefronts,
    "US,KR") and `feeds` (news feed URLs).

    A replay crawl of anything else would only meet 404s, so `pricewatch run --replay` crawls these.
    """
    files = sorted(ROUTES_DIR.glob("*.json")) if paths is None else [Path(path) for path in paths]
    arguments = {}
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        covered = {name: ",".join(document[name]) for name in RECORDED_ARGUMENTS if document.get(name)}
        if covered:
            arguments[path.stem] = covered
    return arguments


class ReplayServer:
    """A threaded HTTP server answering from routes; use as a context manager or start()/stop()."""

    def __init__(self, routes: list[Route], port: int = 0, host: str = "127.0.0.1"):
        self.routes = routes
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), self.handler_class())
        self.thread = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def resolve(self, method: str, target: str, body: bytes) -> ReplayResponse | None:
        parts = urlsplit(target)
        host, _, path = parts.path.lstrip("/").partition("/")
        params = parse_qs(parts.query, keep_blank_values=True)
        with self.lock:
            self.requests.append((method, target))
            candidates = [route for route in self.routes if route.matches(method, host.lower(), f"/{path}", params, body)]
            if not candidates:
                return None
            best = max(candidates, key=lambda route: (len(route.params), route.method is not None, route.json_body is not None))
            return best.next_response()

    def handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self, send_body: bool = True):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                response = server.resolve(self.command, self.path, body)
                if response is None:
                    response = ReplayResponse(404, f"no replay route for {self.path}\n".encode(), "text/plain; charset=utf-8", {})
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                for name, value in response.headers.items():
                    self.send_header(name, str(value))
                self.end_headers()
                if send_body:
                    self.wfile.write(response.body)

            def do_GET(self):
                self.answer()

            def do_POST(self):
                self.answer()

            def do_HEAD(self):
                self.answer(send_body=False)

            def log_message(self, format, *args):
                logger.debug("replay %s: " + format, self.client_address[0], *args)

        return Handler

    def start(self) -> "ReplayServer":
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="replay-server", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread:
            self.thread.join()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
