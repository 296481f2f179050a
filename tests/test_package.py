"""pricewatch installed as a package (not editable) sets up a database and runs from any directory."""
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from foundation import config

SAMPLE_FEED = config.PROJECT_ROOT / "tests" / "fixtures" / "handmade_sample_feed.jl"
NOT_SHIPPED = shutil.ignore_patterns(".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache")


def run(command, **kwargs) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{command}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding a wheel of the checkout; the libraries it needs come from the test venv (a .pth
    file), so only the build backend is fetched, from pip's cache after `make venv`. Its bin directory."""
    root = tmp_path_factory.mktemp("package")
    shutil.copytree(config.PROJECT_ROOT, root / "checkout", ignore=NOT_SHIPPED)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(root / "wheels"),
         str(root / "checkout")])
    run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")])
    venv_python = root / "venv" / "bin" / "python"
    purelib = run([str(venv_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
    Path(purelib, "test_venv_libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", str(venv_python), "install", "--quiet", "--no-deps",
         "--no-index", *map(str, (root / "wheels").glob("pricewatch-*.whl"))])
    return root / "venv" / "bin"


@pytest.mark.slow
def test_installed_package_migrates_loads_transforms_and_reports_from_an_empty_directory(
        installed, empty_db_url, tmp_path):
    workdir = tmp_path / "anywhere"
    workdir.mkdir()
    feed = shutil.copy(SAMPLE_FEED, tmp_path / "sample.jl")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PRICEWATCH_", "PYTHON"))}
    env.update(PRICEWATCH_DATABASE_URL=empty_db_url, XDG_DATA_HOME=str(tmp_path / "data"))

    code = run([str(installed / "python"), "-c", "import pricewatch, etl_sql, migrations; from foundation import config;"
                "print(pricewatch.__file__, etl_sql.__file__, migrations.__file__, config.home())"], cwd=workdir, env=env)
    *modules, home = code.split()
    assert all(Path(module).is_relative_to(installed.parent) for module in modules)
    assert home == str(tmp_path / "data" / "pricewatch")

    pricewatch = str(installed / "pricewatch")
    assert "database at revision" in run([pricewatch, "db", "upgrade"], cwd=workdir, env=env)
    assert "new 6" in run([pricewatch, "load", str(feed)], cwd=workdir, env=env)
    assert "steam: 4 rows in" in run([pricewatch, "etl"], cwd=workdir, env=env)
    best = run([pricewatch, "report", "best", "--format", "csv"], cwd=workdir, env=env)
    assert "Hades" in best and "Stardew Valley" in best
    assert list(workdir.iterdir()) == []
