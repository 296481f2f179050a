"""The store and region names that exist, so a mistyped `--store amazon` is an error that lists the known ones
instead of an empty report. Read through reporting.stores and reporting.regions (every role may)."""
from psycopg2 import sql

from foundation.errors import PricewatchError

# option value -> (view, column, how it is written)
CHECKS = (("store", "stores", str.lower), ("region", "regions", str.upper))


def check_known(conn, store: str | None = None, region: str | None = None) -> None:
    """Raise a one-line error naming the known values when `store` or `region` is not one of them."""
    given = {"store": store, "region": region}
    for name, view, spelling in CHECKS:
        if given[name] is None:
            continue
        with conn.cursor() as cur:
            cur.execute(sql.SQL("select {column} from {view} order by 1").format(
                column=sql.Identifier(name), view=sql.Identifier("reporting", view)))
            known = [value for (value,) in cur.fetchall()]
        if spelling(given[name]) not in known:
            raise PricewatchError(f"unknown {name} {given[name]!r}; known {name}s: {', '.join(known) or 'none yet'}")
