"""What keeps the web app safe to leave running: the write token, CSRF on forms, strict headers, request
size limits and a rate limit on the API."""
import hmac
import os
import secrets
import threading
import time
from collections import defaultdict
from pathlib import Path

from foundation import config

TOKEN_VARIABLE = "PRICEWATCH_WEB_TOKEN"
CSRF_COOKIE = "pricewatch_csrf"
MAX_QUERY_STRING = 1024

# Everything the pages use is served from /static: no inline script or style, no other origin, no framing.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def token_path() -> Path:
    return config.home() / "web" / "token"


def write_token(environ=os.environ) -> tuple[str, bool]:
    """The token writes need: $PRICEWATCH_WEB_TOKEN, else the one kept under $PRICEWATCH_HOME/web/token, else a
    new one kept there. Returns (token, generated now) so the caller prints a new token once."""
    if environ.get(TOKEN_VARIABLE):
        return environ[TOKEN_VARIABLE], False
    path = token_path()
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(token + "\n")
    return token, True


def same_secret(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


class RateLimit:
    """At most `per_minute` requests per client address in each minute (fixed windows); 0 switches it off."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.lock = threading.Lock()
        self.window = 0
        self.counts = defaultdict(int)

    def allows(self, client: str) -> bool:
        if not self.per_minute:
            return True
        window = int(time.monotonic() // 60)
        with self.lock:
            if window != self.window:
                self.window, self.counts = window, defaultdict(int)
            self.counts[client] += 1
            return self.counts[client] <= self.per_minute

    def retry_after(self) -> int:
        return 60 - int(time.monotonic() % 60)
