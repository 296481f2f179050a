"""Benchmark 1, loader with new rows: N generated listings in a gzip JSON-lines feed -> staging, end to end
(read, COPY, contract checks, change detection, insert), against a raw COPY of the same rows, already typed
as COPY text, into a table with the same unique key, in the same run. Target: loader/raw >= 0.35."""
import hashlib
import io

from bench import listings
from bench.environment import Stopwatch, admin, arguments, throwaway_database, verdict, workspace
from loader import build_loader
from loader.feed_reader import line_rows
from loader.feed_rows import CopyStreams, numbered_blocks
from loader.line_fingerprint import LineFingerprint
from loader.specs import STORE_LISTING

RAW_TABLE = """
create table public.bench_raw_copy (
    source text not null, store_item_id text not null, region text not null, observed_at timestamptz not null,
    currency text, price numeric, regular_price numeric, discount_percent smallint, is_free boolean not null,
    title text not null, kind text not null, url text, platforms text[] not null
);
create unique index on public.bench_raw_copy (source, store_item_id, region);
"""


def typed_rows(count: int, round_number: int = 0, changed_share: float = 0.0) -> bytes:
    """The feed's items as already-typed COPY rows, generated once for the raw COPY and the staging floor."""
    with Stopwatch() as generation:
        data = listings.copy_rows(count, round_number, changed_share)
    print(f"raw COPY rows generated in {generation.seconds:.1f} s ({len(data) / 1e6:.0f} MB)")
    return data


def raw_copy_rows_per_second(url: str, data: bytes, count: int) -> float:
    """COPY of already-typed rows into a fresh table with the listing key's unique index: the floor."""
    with admin(url) as cur:
        cur.execute("drop table if exists public.bench_raw_copy")
        cur.execute(RAW_TABLE)
        cur.execute("checkpoint")
        with Stopwatch() as watch:
            cur.copy_expert("copy public.bench_raw_copy from stdin", io.BytesIO(data), size=1 << 20)
        cur.execute("drop table public.bench_raw_copy")
    rate = count / watch.seconds
    print(f"raw COPY with unique index: {count} rows in {watch.seconds:.2f} s = {rate:,.0f} rows/s")
    return rate


def floor_rows_per_second(what: str, count: int, seconds: float, raw: float) -> float:
    """Prints one floor measured beside the loader: its rows/s and its ratio to the raw COPY."""
    rate = count / seconds
    print(f"floor for {what}: {count} rows in {seconds:.2f} s = {rate:,.0f} rows/s, {rate / raw:.2f} of raw COPY")
    return rate


def feed(directory, count: int, round_number: int = 0, changed_share: float = 0.0):
    """The feed file of one crawl round, where the landing extension would put it."""
    with Stopwatch() as watch:
        data = listings.json_lines(count, round_number, changed_share)
        path = listings.write_feed(directory / "landing" / "steam" / f"round-{round_number}.jl.gz", data,
                                   compresslevel=1)
    print(f"feed of round {round_number}: {count} items generated in {watch.seconds:.1f} s "
          f"({len(data) / 1e6:.0f} MB of JSON lines, {path.stat().st_size / 1e6:.0f} MB gzipped)")
    return path


# Values for the NOT NULL columns of staging a COPY of typed rows leaves out (ids, times of the load).
CLONE_DEFAULTS = {"integer": "1", "bigint": "1", "timestamp with time zone": "now()"}
# The columns the floor COPYs into each table staging.store_listing keeps (loader.spec), from the typed rows
# with their two hashes appended: the change log takes every field, the latest state the key and the hashes.
FLOOR_COLUMNS = {
    STORE_LISTING.change_log: listings.RAW_COLUMNS + ("content_hash", "line_hash"),
    STORE_LISTING.latest_state: ("source", "store_item_id", "region", "content_hash", "line_hash"),
}


def with_hashes(rows: bytes) -> bytes:
    """COPY rows with two md5s appended, as content_hash and line_hash (md5s like the loader's, computed here
    beforehand: gen_random_uuid() as a default would cost more than the whole row)."""
    return b"".join(row + b"\t" + hashlib.md5(row).hexdigest().encode() + b"\t"
                    + hashlib.md5(row[::-1]).hexdigest().encode() + b"\n" for row in rows.splitlines())


def floor_rows(table: tuple[str, str], data: bytes) -> bytes:
    """The COPY rows of `table`'s FLOOR_COLUMNS out of typed rows with their hashes."""
    if FLOOR_COLUMNS[table] == FLOOR_COLUMNS[STORE_LISTING.change_log]:
        return data
    wanted = [(listings.RAW_COLUMNS + ("content_hash", "line_hash")).index(name) for name in FLOOR_COLUMNS[table]]
    return b"".join(b"\t".join(fields[i] for i in wanted) + b"\n"
                    for fields in (row.split(b"\t") for row in data.splitlines()))


def clone_table(cur, table: tuple[str, str], without_index: str | None, fillfactor: int | None) -> str:
    """A copy of a staging table in public: its columns, storage settings (or `fillfactor`) and indexes (but
    `without_index`); the NOT NULL columns the floor leaves out get a default. Returns its name."""
    schema, name = table
    copy = f"public.bench_{name}_copy"
    cur.execute(f"create table {copy} (like {schema}.{name} including all excluding indexes)")
    cur.execute("""select column_name, data_type from information_schema.columns
                   where table_schema = 'public' and table_name = %s and is_nullable = 'NO'
                     and column_default is null and is_identity = 'NO' and column_name <> all(%s)""",
                (f"bench_{name}_copy", list(FLOOR_COLUMNS[table])))
    for column, data_type in cur.fetchall():
        cur.execute(f"alter table {copy} alter column {column} set default {CLONE_DEFAULTS[data_type]}")
    cur.execute("select reloptions from pg_class where oid = %s::regclass", (f"{schema}.{name}",))
    for option in cur.fetchone()[0] or ():
        cur.execute(f"alter table {copy} set ({option})")
    if fillfactor:
        cur.execute(f"alter table {copy} set (fillfactor = {int(fillfactor)})")
    cur.execute("select indexname, indexdef from pg_indexes where schemaname = %s and tablename = %s", table)
    for index, definition in cur.fetchall():
        if index != without_index:
            cur.execute(definition.replace(f"INDEX {index} ON {schema}.{name} ", f"INDEX {index}_copy ON {copy} "))
    return copy


def staging_copy_seconds(cur, data: bytes, without_index: str | None = None, fillfactor: int | None = None) -> float:
    """Seconds to COPY typed rows into copies of the tables staging.store_listing keeps, a change and a latest
    state per row: their indexes (but `without_index`) and storage settings (or `fillfactor`)."""
    copies = {table: clone_table(cur, table, without_index, fillfactor) for table in STORE_LISTING.stored_tables}
    rows = {table: floor_rows(table, data) for table in copies}
    cur.execute("checkpoint")
    with Stopwatch() as watch:
        for table, copy in copies.items():
            cur.copy_expert(f"copy {copy} ({', '.join(FLOOR_COLUMNS[table])}) from stdin", io.BytesIO(rows[table]),
                            size=1 << 20)
    for copy in copies.values():
        cur.execute(f"drop table {copy}")
    return watch.seconds


def staging_floor_rows_per_second(url: str, rows: bytes, count: int, raw: float) -> float:
    """What any loader into this staging layout spends writing, with nothing to parse, check or compare: the
    same typed rows COPY'd into copies of the change log and the latest-state table, indexes and settings."""
    with admin(url) as cur:
        seconds = staging_copy_seconds(cur, with_hashes(rows))
    return floor_rows_per_second("staging (the typed rows COPY'd into copies of the change log and the latest "
                                 "states, all their indexes)", count, seconds, raw)


def staging_index_costs(url: str, rows: bytes, count: int) -> None:
    """What each index of staging and the fillfactor cost a first load: the staging floor on `count` rows
    without each in turn, against all of them, in one run."""
    data = with_hashes(b"\n".join(rows.splitlines()[:count]) + b"\n")
    with admin(url) as cur:
        cur.execute("select indexname from pg_indexes where (schemaname, tablename) in (%s, %s) order by 1",
                    STORE_LISTING.stored_tables)
        indexes = [name for (name,) in cur.fetchall()]
        full = staging_copy_seconds(cur, data)
        print(f"staging floor on {count} rows, every index, fillfactor as set: {full:.2f} s")
        for name, seconds in [(f"without {index}", staging_copy_seconds(cur, data, without_index=index))
                              for index in indexes] + [("at fillfactor 100", staging_copy_seconds(cur, data, fillfactor=100))]:
            print(f"  {name}: {seconds:.2f} s ({(full - seconds) / full:+.0%} of the floor saved)")


def json_floor_rows_per_second(url: str, path, count: int, raw: float) -> float:
    """What any loader of these JSON lines spends before checking or comparing anything: the lines COPY'd
    into a temporary table (no WAL, no index) and parsed once each as jsonb."""
    with admin(url) as cur:
        cur.execute("create temp table bench_line (line_number bigint, raw text not null, read_error text,"
                    " line_hash uuid)")
        fingerprint = LineFingerprint(STORE_LISTING.observed_at.field)
        with Stopwatch() as watch:
            lines = ((line_rows(block, first_number, fingerprint), b"", position)
                     for block, first_number, position in numbered_blocks(path))
            cur.copy_expert("copy bench_line from stdin", CopyStreams(lines, streamed=0), size=1 << 20)
            cur.execute("select count(raw::jsonb) from bench_line")
        cur.execute("drop table bench_line")
    return floor_rows_per_second("JSON input (COPY of the lines + one jsonb parse each)", count, watch.seconds, raw)


def load_rows_per_second(url: str, path, count: int, label: str) -> float:
    with admin(url) as cur:
        cur.execute("checkpoint")
    with build_loader({"DATABASE_URL": url, "LOADER_FEED_KIND": "store_listing"}) as loader, Stopwatch() as watch:
        result = loader.load(path)
    rate = count / watch.seconds
    print(f"loader, {label}: {result.summary()}, {result.lines_fingerprinted} taken by fingerprint")
    print(f"loader, {label}: {count} items in {watch.seconds:.2f} s = {rate:,.0f} rows/s")
    return rate


def ratio_verdict(label: str, loaded: float, raw: float, target: float) -> None:
    """The closing lines of a loader benchmark: the loader's rows/s against the raw COPY's, and the target."""
    ratio = loaded / raw
    print(f"ratio {label}/raw COPY: {ratio:.2f} (target >= {target:g})")
    verdict(f"loader {label}: {loaded:,.0f} rows/s vs raw COPY {raw:,.0f} rows/s, ratio {ratio:.2f} (>= {target:g})",
            ratio >= target)


def main() -> None:
    args = arguments(__doc__, rows=1_000_000, index_rows=200_000)
    with workspace("loader-new") as directory, throwaway_database(directory) as url:
        path = feed(directory, args.rows)
        loaded = load_rows_per_second(url, path, args.rows, "new rows")
        rows = typed_rows(args.rows)
        raw = raw_copy_rows_per_second(url, rows, args.rows)
        json_floor_rows_per_second(url, path, args.rows, raw)
        staging_floor_rows_per_second(url, rows, args.rows, raw)
        staging_index_costs(url, rows, args.index_rows)
    ratio_verdict("new rows", loaded, raw, 0.35)


if __name__ == "__main__":
    main()
