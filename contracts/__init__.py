"""The feed contracts shared by the spiders (which write feeds) and the loader (which reads them)."""
import functools
import json
from importlib import resources


@functools.cache
def schema(name: str) -> dict:
    """The JSON Schema of a feed item kind, e.g. schema("store_listing")."""
    return json.loads(resources.files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))


@functools.cache
def currencies() -> dict[str, int]:
    """ISO 4217 code -> number of minor-unit digits (JPY 0, USD 2, KWD 3)."""
    table = json.loads(resources.files(__name__).joinpath("currencies.json").read_text(encoding="utf-8"))
    return {code: info["minor_units"] for code, info in table.items()}


def kinds() -> list[str]:
    """Every feed item kind with a contract, from the schema files themselves."""
    suffix = ".schema.json"
    return sorted(entry.name[: -len(suffix)] for entry in resources.files(__name__).iterdir()
                  if entry.name.endswith(suffix))


def sources(kind: str) -> tuple[str, ...]:
    """The sources (spider names) whose feeds carry items of `kind`: the contract's `source` enum."""
    return tuple(schema(kind)["properties"]["source"]["enum"])


def kind_of_source() -> dict[str, str]:
    """Source -> item kind, for every source some contract names."""
    return {source: kind for kind in kinds() for source in sources(kind)}
