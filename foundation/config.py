"""Where pricewatch keeps things, read from the environment so nothing secret lives in the repo."""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Run from a checkout rather than installed as a package (then PROJECT_ROOT is site-packages).
IN_CHECKOUT = (PROJECT_ROOT / "setup.py").is_file()


def home() -> Path:
    """The project data directory (embedded database, feeds, Scrapyd state): $PRICEWATCH_HOME, else var/ of the
    checkout, else (an installed package) $XDG_DATA_HOME/pricewatch, i.e. ~/.local/share/pricewatch."""
    if os.environ.get("PRICEWATCH_HOME"):
        return Path(os.environ["PRICEWATCH_HOME"]).resolve()
    if IN_CHECKOUT:
        return (PROJECT_ROOT / "var").resolve()
    return (Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "pricewatch").resolve()


def database_url() -> str | None:
    """An explicitly configured server; None means "use the embedded one"."""
    return os.environ.get("PRICEWATCH_DATABASE_URL") or None


def landing_dir() -> Path:
    return Path(os.environ.get("PRICEWATCH_LANDING") or home() / "landing")


def archive_dir() -> Path:
    return Path(os.environ.get("PRICEWATCH_ARCHIVE") or home() / "archive")


def backup_dir() -> Path:
    return Path(os.environ.get("PRICEWATCH_BACKUP") or home() / "backup")


def corpus_dir() -> Path:
    """Recorded store responses used by tests and the replay server (../shared/corpus beside the checkout)."""
    return Path(os.environ.get("PRICEWATCH_CORPUS") or PROJECT_ROOT.parent / "shared" / "corpus").resolve()
