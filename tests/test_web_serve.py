"""`pricewatch serve` as an operator starts it: a process on 127.0.0.1 that prints a new write token once."""
import os
import stat
import subprocess
import sys
import time

import httpx
import pytest

from web_fixtures import free_port

pytestmark = pytest.mark.slow


def serve(port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pricewatch.cli", "serve", "--port", str(port)],
                            env={**os.environ, "PRICEWATCH_WEB_TOKEN": ""}, stdout=subprocess.PIPE, text=True)


def wait_until_up(base: str, process: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(base + "/api/v1/deals", timeout=5)
        except httpx.TransportError:
            assert process.poll() is None and time.monotonic() < deadline, "pricewatch serve did not start"
            time.sleep(0.2)


def test_serve_prints_a_new_token_once_and_listens_on_loopback(db_url, pricewatch_home):
    port = free_port()
    first = serve(port)
    try:
        assert wait_until_up(f"http://127.0.0.1:{port}", first).json() == []
        printed = first.stdout.readline()
    finally:
        first.terminate()
        first.wait(timeout=30)
    token_file = pricewatch_home / "web" / "token"
    token = token_file.read_text().strip()
    assert printed.startswith("write token") and printed.rstrip().endswith(token)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600

    again = serve(port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", again)
        added = httpx.post(f"http://127.0.0.1:{port}/api/v1/watchlist", json={"game_id": 1, "new_low": "all_time"},
                           headers={"Authorization": f"Bearer {token}"})
        assert added.status_code == 404 and added.json() == {"error": "no game 1"}
    finally:
        again.terminate()
        output, _ = again.communicate(timeout=30)
    assert "write token" not in output


@pytest.mark.parametrize("port", ["0", "70000"])
def test_serve_refuses_a_bad_port(db_url, pricewatch_home, port):
    done = subprocess.run([sys.executable, "-m", "pricewatch.cli", "serve", "--port", port], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == f"pricewatch: error: --port wants 1-65535, not {port}"
