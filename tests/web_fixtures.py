"""The web app served for real: uvicorn on a free 127.0.0.1 port in a thread, over a database loaded with
the hand-made web feed once per test module."""
import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from pricewatch.cli import main
from pricewatch.web.app import create_app
from conftest import create_database, drop_database

FIXTURES = Path(__file__).parent / "fixtures"
WEB_FEED = FIXTURES / "handmade_web_feed.jl"
PRICE_DROP_FEED = FIXTURES / "handmade_web_price_drop.jl"
TOKEN = "test-write-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served(database_url: str, token: str = TOKEN, rate_limit: int = 0):
    """Base URL of the app running in uvicorn on loopback; stopped at exit."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(database_url, token, rate_limit), host="127.0.0.1", port=port,
                                          log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def load_and_etl(*feeds: Path) -> None:
    """`pricewatch load FEED...` then `pricewatch etl`, as an operator runs them."""
    assert main(["load", *map(str, feeds)]) == 0
    assert main(["etl"]) == 0


@pytest.fixture(scope="module")
def web_db(server_url, template_url, tmp_path_factory):
    """A migrated database holding the hand-made web feed (three days of prices), for a whole module."""
    url = create_database(server_url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRICEWATCH_DATABASE_URL", url)
        patch.setenv("PRICEWATCH_HOME", str(tmp_path_factory.mktemp("web-home")))
        load_and_etl(WEB_FEED)
    yield url
    drop_database(server_url, url)


@pytest.fixture(scope="module")
def site(web_db):
    with served(web_db) as base:
        yield base
