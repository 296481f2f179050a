"""Real Scrapyd nodes for tests: each one a `pricewatch scrapyd start` process on a free loopback port."""
import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

from pricewatch import scrapyd

USERNAME, PASSWORD = "pricewatch-test", "s3cret%with$odd chars"


def free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pricewatch(*arguments, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    """Run the pricewatch CLI in a child process, as a user or cron would."""
    command = [str(Path(sys.executable).parent / "pricewatch"), *arguments]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(arguments)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@contextlib.contextmanager
def running_node(name: str, home: Path, **environment):
    """A Scrapyd with basic auth, its state in `home`; `environment` goes to it and its crawls."""
    port = free_port()
    env = dict(os.environ, PRICEWATCH_HOME=str(home), PRICEWATCH_SCRAPYD_USERNAME=USERNAME,
               PRICEWATCH_SCRAPYD_PASSWORD=PASSWORD, **environment)
    pricewatch("scrapyd", "start", "--port", str(port), env=env)
    try:
        yield scrapyd.Node(name, scrapyd.local_url(port), scrapyd.Credentials(USERNAME, PASSWORD))
    finally:
        pricewatch("scrapyd", "stop", env=env)


def project_spiders() -> list[str]:
    """The spiders of the checkout, as `scrapy list` sees them."""
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    settings = Settings()
    settings.setmodule("scrapers.settings")
    return sorted(SpiderLoader.from_settings(settings).list())
