"""The simulator's HTTP server: routes /<host><path>?<query> to the store module serving that host, with a
per-store rate limit and injected faults.

RateLimit(requests, seconds): a sliding window per store host, like the stores' own; a request over it gets
429, every other one with `Retry-After` (whole seconds until the window frees) and the rest without, so both
ways of backing off are exercised. Faults(every=N, kinds=...): each Nth request to a store (counted per
host, robots.txt aside) is answered with the next fault in turn: "timeout" (no answer for
`timeout_seconds`), "error" (503), "changed" (200 with a page of a new design nobody parses). Everything
served is counted per host and status (`served`).
"""
import importlib
import json
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

STORES = ("steam", "psstore", "gog", "epic", "eshop")
CHANGED_PAGE = b"<html><body><div id='app'>We have a new look! Loading...</div></body></html>"


@dataclass(frozen=True)
class RateLimit:
    requests: int
    seconds: float


@dataclass(frozen=True)
class Faults:
    every: int = 0
    kinds: tuple = ("timeout", "error", "changed")
    timeout_seconds: float = 3.0


@dataclass
class SimRequest:
    host: str
    path: str
    query: dict
    headers: dict
    body: bytes = b""

    def arg(self, name: str, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def json_arg(self, name: str) -> dict:
        return json.loads(self.arg(name) or "{}")


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict = field(default_factory=dict)

    @classmethod
    def json(cls, data, status: int = 200) -> "Answer":
        return cls(status, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


class LoopbackServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 (port 0: any free one), served from a thread while in a `with`."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, handler, port: int = 0):
        super().__init__(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()


class StoreSimulator(LoopbackServer):
    def __init__(self, size: int, stores=STORES, limit: RateLimit | None = None, faults: Faults = Faults(),
                 port: int = 0, **options):
        self.size = size
        self.limit = limit
        self.faults = faults
        self.options = options
        self.modules = {}
        for store in stores:
            module = importlib.import_module(f"pricewatch.store_simulator.{store}")
            for host in module.HOSTS:
                self.modules[host] = module.Store(size, **options.get(store, {}))
        self.lock = threading.Lock()
        self.windows = defaultdict(deque)
        self.counts = Counter()
        self.served = Counter()
        super().__init__(Handler, port)

    def throttled(self, host: str) -> Answer | None:
        if self.limit is None:
            return None
        now = time.monotonic()
        with self.lock:
            window = self.windows[host]
            while window and window[0] <= now - self.limit.seconds:
                window.popleft()
            if len(window) < self.limit.requests:
                window.append(now)
                return None
            self.counts[(host, "throttled")] += 1
            answer = Answer(429, b'{"error":"Too Many Requests"}')
            if self.counts[(host, "throttled")] % 2:
                answer.headers["Retry-After"] = str(max(1, round(window[0] + self.limit.seconds - now + 0.5)))
            return answer

    def fault(self, host: str) -> str | None:
        if not self.faults.every:
            return None
        with self.lock:
            self.counts[host] += 1
            number = self.counts[host]
        if number % self.faults.every:
            return None
        return self.faults.kinds[(number // self.faults.every - 1) % len(self.faults.kinds)]

    def answer(self, request: SimRequest) -> Answer:
        store = self.modules.get(request.host)
        if store is None or request.path == "/robots.txt":
            return Answer(404, b"")
        throttled = self.throttled(request.host)
        if throttled is not None:
            return throttled
        fault = self.fault(request.host)
        if fault == "timeout":
            time.sleep(self.faults.timeout_seconds)
        elif fault == "error":
            return Answer(503, b"Service Unavailable", "text/plain")
        elif fault == "changed":
            return Answer(200, CHANGED_PAGE, "text/html; charset=utf-8")
        return store.answer(request)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_request(self, body: bytes = b""):
        host, _, rest = self.path.lstrip("/").partition("/")
        parts = urlsplit("/" + rest)
        request = SimRequest(host, parts.path, parse_qs(parts.query, keep_blank_values=True),
                             {name.lower(): value for name, value in self.headers.items()}, body)
        try:
            answer = self.server.answer(request)
        except (KeyError, ValueError) as error:
            answer = Answer(400, json.dumps({"error": str(error)}).encode())
        with self.server.lock:
            self.server.served[(host, answer.status)] += 1
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up waiting (an injected timeout)

    def do_GET(self):
        self.handle_request()

    def do_POST(self):
        self.handle_request(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def log_message(self, *args):
        pass
