"""Where pricewatch keeps things, read from the environment so nothing secret lives in the repo."""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def home() -> Path:
    """The project data directory (embedded database, feeds, Scrapyd state): $PRICEWATCH_HOME or ./var."""
    return Path(os.environ.get("PRICEWATCH_HOME") or PROJECT_ROOT / "var").resolve()


def database_url() -> str | None:
    """An explicitly configured server; None means "use the embedded one"."""
    return os.environ.get("PRICEWATCH_DATABASE_URL") or None


def landing_dir() -> Path:
    return Path(os.environ.get("PRICEWATCH_LANDING") or home() / "landing")


def archive_dir() -> Path:
    return Path(os.environ.get("PRICEWATCH_ARCHIVE") or home() / "archive")


def corpus_dir() -> Path:
    """Recorded store responses used by tests and the replay server (../shared/corpus beside the checkout)."""
    return Path(os.environ.get("PRICEWATCH_CORPUS") or PROJECT_ROOT.parent / "shared" / "corpus").resolve()
