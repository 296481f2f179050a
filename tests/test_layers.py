"""The import graph has no upward arrows: each part imports only its own modules and the layers below it.

    pricewatch.cli -> pricewatch.commands -> pricewatch (services) -> loader, scrapers, migrations
    -> foundation, contracts
Siblings of one layer (loader and scrapers) do not import each other either.
"""
import ast
from pathlib import Path

import pytest

from foundation import config

LAYERS = {
    "foundation": 0, "contracts": 0,
    "loader": 1, "scrapers": 1, "migrations": 1,
    "services": 2,
    "commands": 3,
    "cli": 4,
}
PACKAGES = ("foundation", "contracts", "loader", "scrapers", "migrations", "pricewatch")


def part(module: str) -> str | None:
    """The layer part a dotted module name belongs to; None for modules outside the project."""
    top, _, rest = module.partition(".")
    if top != "pricewatch":
        return top if top in LAYERS else None
    if rest == "cli":
        return "cli"
    return "commands" if rest.split(".")[0] == "commands" else "services"


def module_name(path: Path) -> str:
    relative = path.relative_to(config.PROJECT_ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def project_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (config.PROJECT_ROOT / package).rglob("*.py"))


def upward_imports(path: Path) -> list[str]:
    source = part(module_name(path))
    wrong = []
    for module in sorted(imported_modules(path)):
        target = part(module)
        if target is not None and target != source and LAYERS[target] >= LAYERS[source]:
            wrong.append(f"{module_name(path)} ({source}) imports {module} ({target})")
    return wrong


@pytest.mark.parametrize("path", project_files(), ids=lambda path: str(path.relative_to(config.PROJECT_ROOT)))
def test_imports_point_down(path):
    assert upward_imports(path) == []


@pytest.mark.parametrize("module, expected", [
    ("foundation.database", "foundation"),
    ("loader.feed_loader", "loader"),
    ("pricewatch.etl_cycle", "services"),
    ("pricewatch.games.store", "services"),
    ("pricewatch.commands.etl", "commands"),
    ("pricewatch.cli", "cli"),
    ("psycopg2.sql", None),
])
def test_parts(module, expected):
    assert part(module) == expected


def test_an_upward_import_is_found(tmp_path, monkeypatch):
    """The check itself: a loader module that imports a command is reported."""
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    (tmp_path / "loader").mkdir()
    bad = tmp_path / "loader" / "bad.py"
    bad.write_text("def f():\n    from pricewatch.commands import etl\n")
    assert upward_imports(bad) == [
        "loader.bad (loader) imports pricewatch.commands (commands)",
        "loader.bad (loader) imports pricewatch.commands.etl (commands)",
    ]
