"""Scrapyd: the nodes pricewatch crawls on, a client for their JSON API, and control of the local one.

A node is a Scrapyd server known by name: the deploy targets of scrapy.cfg (`[deploy]` is "default",
`[deploy:NAME]` is NAME), or PRICEWATCH_SCRAPYD_NODES="name=url,name=url" when set. Every node shares one
set of credentials: PRICEWATCH_SCRAPYD_USERNAME / PASSWORD, or the throw-away pair `pricewatch run` keeps in
$PRICEWATCH_HOME/scrapyd/credentials when those are not set.
"""
import configparser
import contextlib
import json
import os
import secrets
import signal
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from foundation import config
from foundation.errors import PricewatchError

PROJECT = "pricewatch"
DEFAULT_PORT = 6800
CONFIG_TEMPLATE = config.PROJECT_ROOT / "scrapyd.conf"
USERNAME_VARIABLE = "PRICEWATCH_SCRAPYD_USERNAME"
PASSWORD_VARIABLE = "PRICEWATCH_SCRAPYD_PASSWORD"
# Never handed to Scrapyd, so the crawl processes it spawns do not inherit them.
SECRET_VARIABLES = (USERNAME_VARIABLE, PASSWORD_VARIABLE, "SCRAPYD_USERNAME", "SCRAPYD_PASSWORD")
REQUEST_TIMEOUT = 30


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


def state_dir() -> Path:
    """Eggs, logs, job databases, pid file and rendered config of the local Scrapyd."""
    return config.home() / "scrapyd"


def credentials_file() -> Path:
    return state_dir() / "credentials"


def credentials() -> Credentials | None:
    """The configured credentials, else the throw-away ones of `pricewatch run`, else None."""
    username, password = os.environ.get(USERNAME_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if username and password:
        return Credentials(username, password)
    if credentials_file().exists():
        saved = json.loads(credentials_file().read_text(encoding="utf-8"))
        return Credentials(saved["username"], saved["password"])
    return None


def throwaway_credentials() -> Credentials:
    """The configured credentials, or a random pair created once and kept (mode 0600) for later commands."""
    existing = credentials()
    if existing:
        return existing
    created = Credentials("pricewatch", secrets.token_urlsafe(24))
    path = credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"username": created.username, "password": created.password}, handle)
    return created


def local_port() -> int:
    return int(os.environ.get("PRICEWATCH_SCRAPYD_PORT") or DEFAULT_PORT)


def local_url(port: int | None = None) -> str:
    return f"http://127.0.0.1:{port or local_port()}/"


@dataclass(frozen=True)
class Node:
    """One Scrapyd server and the calls pricewatch makes to its JSON API."""

    name: str
    url: str
    auth: Credentials | None = None

    def call(self, endpoint: str, data=None, **params) -> dict:
        """GET (no data) or POST (data) `endpoint`; Scrapyd's `status: error` becomes a PricewatchError."""
        import requests  # a tenth of a second to import: only commands that talk to Scrapyd pay it

        address = urljoin(self.url, endpoint)
        auth = (self.auth.username, self.auth.password) if self.auth else None
        try:
            if data is None:
                response = requests.get(address, params=params, auth=auth, timeout=REQUEST_TIMEOUT)
            else:
                response = requests.post(address, data=data, auth=auth, timeout=REQUEST_TIMEOUT)
        except requests.ConnectionError as exc:
            raise PricewatchError(f"no Scrapyd answers at {self.url} (node {self.name}); "
                                  "start one with `pricewatch scrapyd start`") from exc
        except requests.RequestException as exc:
            raise PricewatchError(f"{endpoint} on Scrapyd at {self.url} (node {self.name}) failed: {exc}") from exc
        if response.status_code == 401:
            raise PricewatchError(f"Scrapyd at {self.url} (node {self.name}) refused the credentials; "
                                  f"set {USERNAME_VARIABLE} and {PASSWORD_VARIABLE} to the ones it runs with")
        if response.status_code != 200:
            raise PricewatchError(f"Scrapyd at {self.url} answered {endpoint} with HTTP {response.status_code}")
        body = response.json()
        if body.get("status") != "ok":
            raise PricewatchError(f"Scrapyd at {self.url} (node {self.name}) refused {endpoint}: {body.get('message')}")
        return body

    def daemon_status(self) -> dict:
        return self.call("daemonstatus.json")

    def jobs(self) -> dict:
        """listjobs.json of the pricewatch project: {"pending": [...], "running": [...], "finished": [...]}."""
        return self.call("listjobs.json", project=PROJECT)

    def spiders(self) -> list[str]:
        return self.call("listspiders.json", project=PROJECT)["spiders"]

    def schedule(self, spider: str, job_id: str, arguments: dict, settings: dict) -> None:
        data = {"project": PROJECT, "spider": spider, "jobid": job_id, **arguments}
        data["setting"] = [f"{name}={value}" for name, value in settings.items()]
        self.call("schedule.json", data=data)


def parse_nodes(text: str) -> dict[str, str]:
    """"name=url,name=url" (or bare URLs, named node1, node2...) -> {name: url}."""
    nodes = {}
    for position, entry in enumerate(filter(None, (part.strip() for part in text.replace(" ", ",").split(","))), 1):
        name, _, url = entry.partition("=") if "=" in entry.split("://", 1)[0] else ("", "", entry)
        nodes[name or f"node{position}"] = url if url.endswith("/") else url + "/"
    return nodes


def deploy_targets() -> dict[str, str]:
    """Deploy target URLs of the user's Scrapy config files and the checkout's scrapy.cfg, read the way
    scrapyd-deploy reads them (${VAR} expanded)."""
    from scrapy.utils.conf import get_sources
    from scrapyd_client.utils import EnvInterpolation

    cfg = configparser.ConfigParser(interpolation=EnvInterpolation())
    cfg.read([*get_sources(use_closest=False), config.PROJECT_ROOT / "scrapy.cfg"])
    targets = {}
    if cfg.has_option("deploy", "url"):
        targets["default"] = cfg.get("deploy", "url")
    for section in cfg.sections():
        if section.startswith("deploy:"):
            targets[section.removeprefix("deploy:")] = cfg.get(section, "url")
    return targets


def configured_nodes() -> list[Node]:
    """Every node pricewatch may schedule on, in configuration order."""
    configured = os.environ.get("PRICEWATCH_SCRAPYD_NODES")
    urls = parse_nodes(configured) if configured else deploy_targets()
    if not urls:
        raise PricewatchError("no Scrapyd node configured: set PRICEWATCH_SCRAPYD_NODES or add [deploy] to scrapy.cfg")
    auth = credentials()
    return [Node(name, url, auth) for name, url in urls.items()]


def select_nodes(nodes: list[Node], names) -> list[Node]:
    if not names:
        return nodes
    known = {node.name: node for node in nodes}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise PricewatchError(f"unknown Scrapyd node {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[name] for name in names]


def local_node(port: int | None = None) -> Node:
    return Node("local", local_url(port), credentials())


# Deploying --------------------------------------------------------------------------------------------------

def deploy(nodes: list[Node], version: str | None = None) -> str:
    """Build the project egg once with scrapyd-deploy and upload it to every node; returns the version."""
    version = version or time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    with tempfile.TemporaryDirectory(prefix="pricewatch-deploy-") as work:
        work = Path(work)
        egg = work / f"{PROJECT}-{version}.egg"
        (work / "scrapy.cfg").write_text(deploy_config(nodes), encoding="utf-8")
        environment = deploy_environment(work)
        run_scrapyd_deploy(["--build-egg", str(egg)], environment)
        for node in nodes:
            run_scrapyd_deploy([node.name, "--egg", str(egg), "--project", PROJECT, "--version", version], environment)
    return version


def deploy_config(nodes: list[Node]) -> str:
    """A user-level scrapy.cfg naming each node a deploy target; credentials stay ${VAR} references."""
    sections = [
        f"[deploy:{node.name}]\nurl = {node.url}\nproject = {PROJECT}\n"
        f"username = ${{{USERNAME_VARIABLE}}}\npassword = ${{{PASSWORD_VARIABLE}}}\n"
        for node in nodes
    ]
    return "\n".join(sections)


def deploy_environment(config_home: Path) -> dict:
    """scrapyd-deploy reads $XDG_CONFIG_HOME/scrapy.cfg besides the project's; credentials travel as variables."""
    environment = dict(os.environ, XDG_CONFIG_HOME=str(config_home))
    auth = credentials()
    if auth:
        environment.update({USERNAME_VARIABLE: auth.username, PASSWORD_VARIABLE: auth.password})
    return environment


def run_scrapyd_deploy(arguments: list[str], environment: dict) -> None:
    command = [str(Path(sys.executable).parent / "scrapyd-deploy"), *arguments]
    result = subprocess.run(command, cwd=config.PROJECT_ROOT, env=environment, capture_output=True, text=True)
    if result.returncode != 0 or '"status": "error"' in result.stdout:
        output = (result.stderr + result.stdout).strip()
        raise PricewatchError(f"scrapyd-deploy {' '.join(arguments)} failed:\n{output}")


# The local Scrapyd process ----------------------------------------------------------------------------------

def pid_file() -> Path:
    return state_dir() / "scrapyd.pid"


def log_file() -> Path:
    return config.home() / "log" / "scrapyd.log"


def running_pid() -> int | None:
    """Pid of the local Scrapyd when its pid file names a live process."""
    try:
        pid = int(pid_file().read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    except PermissionError:
        return pid
    return pid


def render_config(port: int, auth: Credentials | None) -> Path:
    """Write $PRICEWATCH_HOME/scrapyd/scrapyd.conf from the repo template (0600: it holds the password)."""
    def escaped(value: str) -> str:
        return value.replace("%", "%%")  # ConfigParser interpolation

    text = string.Template(CONFIG_TEMPLATE.read_text(encoding="utf-8")).substitute(
        port=port,
        username=escaped(auth.username) if auth else "",
        password=escaped(auth.password) if auth else "",
        state_dir=state_dir(),
    )
    path = state_dir() / "scrapyd.conf"
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def crawl_environment() -> dict:
    """What Scrapyd and the crawls it spawns see: ours, with PRICEWATCH_HOME resolved and no secrets."""
    environment = {name: value for name, value in os.environ.items() if name not in SECRET_VARIABLES}
    environment["PRICEWATCH_HOME"] = str(config.home())
    return environment


def start(port: int | None = None, no_auth: bool = False, auth: Credentials | None = None,
          timeout: float = 60) -> Node:
    """Start the local Scrapyd in the background (or find it running) and wait until it answers."""
    port = port or local_port()
    auth = None if no_auth else (auth or credentials())
    if not no_auth and auth is None:
        raise PricewatchError(f"refusing to start Scrapyd without authentication: set {USERNAME_VARIABLE} and "
                              f"{PASSWORD_VARIABLE}, or pass --no-auth to run it open on 127.0.0.1")
    node = Node("local", local_url(port), auth)
    if running_pid():
        node.daemon_status()
        return node
    render_config(port, auth)
    log_file().parent.mkdir(parents=True, exist_ok=True)
    with open(log_file(), "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "scrapyd", "--pidfile", str(pid_file()), "--logfile", str(log_file())],
            cwd=state_dir(), env=crawl_environment(), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise PricewatchError(f"Scrapyd exited at start (code {process.returncode}); "
                                  f"last lines of {log_file()}:\n{log_tail()}")
        try:
            node.daemon_status()
            return node
        except PricewatchError:
            if time.monotonic() > deadline:
                raise PricewatchError(f"Scrapyd did not answer on {node.url} in {timeout:.0f}s; see {log_file()}")
            time.sleep(0.2)


def stop(timeout: float = 30) -> int | None:
    """Stop the local Scrapyd; returns the pid stopped, None when none was running."""
    pid = running_pid()
    if pid is None:
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it when this process started it
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        time.sleep(0.2)
    raise PricewatchError(f"Scrapyd (pid {pid}) did not stop within {timeout:.0f}s")


def log_tail(lines: int = 20) -> str:
    try:
        return "\n".join(log_file().read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
