"""Benchmark 5, storage: bytes per stored price change (staging + core, with their indexes) and how much
smaller the gzip feeds are than plain JSON lines.

N listings are crawled ROUNDS times (per source one feed file per round, gzip level 9 as the landing
extension writes them), each rescrape changing CHANGED_SHARE of the prices; every feed is loaded, the ETL
run, and the tables vacuumed after each round as autovacuum would between daily crawls. A stored price
change is a price period in core (the first price of a listing included); the figure divides the bytes of
every table and index the changes live in by their number. Targets: <= 300 B per change; feeds >= 5x
smaller than JSON lines."""
import contextlib

from bench import listings
from bench.environment import admin, arguments, throwaway_database, verdict, workspace
from foundation import database
from loader import build_loader

TABLES = ("staging.store_listing_change", "staging.store_listing_latest", "core.price_history", "core.listing", "core.game", "core.region")


def feeds_of_round(directory, count: int, round_number: int, changed_share: float):
    """One feed per source, like a crawl of each store; returns (paths, plain JSON bytes, gzip bytes)."""
    data = listings.json_lines(count, round_number, changed_share).splitlines(keepends=True)
    paths, plain = [], 0
    for index, source in enumerate(listings.SOURCES):
        lines = b"".join(data[index::len(listings.SOURCES)])
        plain += len(lines)
        paths.append(listings.write_feed(directory / "landing" / source / f"round-{round_number}.jl.gz", lines))
    return paths, plain, sum(path.stat().st_size for path in paths)


def stored_bytes(url: str) -> dict[tuple[str, str], int]:
    """Bytes of each table (heap and TOAST) and of each of its indexes, keyed (table, relation); a partitioned
    table's bytes are its partitions'."""
    with admin(url) as cur:
        cur.execute("vacuum analyze")
        cur.execute("""
            with part as (
                select table_name, table_name::regclass as relid
                from unnest(%(tables)s::text[]) as table_name
                union
                select table_name, tree.relid
                from unnest(%(tables)s::text[]) as table_name
                cross join pg_partition_tree(table_name::regclass) as tree
            )
            select table_name, relid::text, pg_table_size(relid)
            from part
            union all
            select table_name, index.indexrelid::regclass::text, pg_relation_size(index.indexrelid)
            from part
            join pg_index as index on index.indrelid = part.relid""", {"tables": list(TABLES)})
        return {(table, relation): size for table, relation, size in cur.fetchall()}


def largest_growth(before: dict, after: dict, changes: int, count: int = 4) -> str:
    """The relations that grew most in a round, in bytes per change of the round."""
    growth = sorted(((after[key] - before.get(key, 0), key[1]) for key in after), reverse=True)[:count]
    return ", ".join(f"{relation} {grown / changes:.0f}" for grown, relation in growth)


def price_changes(url: str) -> int:
    with admin(url) as cur:
        cur.execute("select count(*) from core.price_history")
        return cur.fetchone()[0]


def run_etl(url: str) -> None:
    with contextlib.closing(database.connect(role="pricewatch_etl", url=url)) as conn, conn.cursor() as cur:
        for source in listings.SOURCES:
            cur.execute("select status, error from etl.run_source(%s)", (source,))
            status, error = cur.fetchone()
            if status != "succeeded":
                raise RuntimeError(f"ETL of {source} failed: {error}")
            conn.commit()


def main() -> None:
    args = arguments(__doc__, listings=100_000, rounds=4, changed_share=0.05)
    plain_total = gzip_total = 0
    rounds = []
    with workspace("storage") as directory, throwaway_database(directory) as url:
        with build_loader({"DATABASE_URL": url, "LOADER_FEED_KIND": "store_listing"}) as loader:
            for round_number in range(args.rounds):
                paths, plain, gzipped = feeds_of_round(directory, args.listings, round_number, args.changed_share)
                plain_total, gzip_total = plain_total + plain, gzip_total + gzipped
                for path in paths:
                    loader.load(path)
                    path.unlink()
                run_etl(url)
                # Crawls are a day apart: autovacuum has long made the last round's dead rows reusable.
                relations, round_changes = stored_bytes(url), price_changes(url)
                round_bytes = sum(relations.values())
                line = f"round {round_number}: {round_bytes / 1e6:.1f} MB for {round_changes:,} price changes"
                if rounds:
                    last_bytes, last_changes, last_relations = rounds[-1]
                    changed = max(round_changes - last_changes, 1)
                    line += (f", {(round_bytes - last_bytes) / changed:.0f} B per change of the round (most: "
                             f"{largest_growth(last_relations, relations, changed)})")
                print(line)
                rounds.append((round_bytes, round_changes, relations))
        relations = stored_bytes(url)
        changes = price_changes(url)
    total = sum(relations.values())
    for table in TABLES:
        own = {relation: size for (owner, relation), size in relations.items() if owner == table}
        print(f"{table}: {sum(own.values()) / 1e6:.1f} MB with indexes ("
              + ", ".join(f"{relation} {size / 1e6:.1f}" for relation, size in own.items()) + ")")
    per_change = total / changes
    first_bytes, first_changes, _ = rounds[0]
    rescrape_per_change = (total - first_bytes) / max(changes - first_changes, 1)
    print(f"{changes:,} price changes stored in {total / 1e6:.1f} MB: {per_change:.0f} B per change; "
          f"the rescrapes' {changes - first_changes:,} changes took {rescrape_per_change:.0f} B each")
    ratio = plain_total / gzip_total
    print(f"feeds: {plain_total / 1e6:.1f} MB of JSON lines, {gzip_total / 1e6:.1f} MB gzipped: {ratio:.1f}x smaller")
    verdict(f"storage: {per_change:.0f} B per price change (<= 300), feeds {ratio:.1f}x smaller than JSON lines (>= 5)",
            per_change <= 300 and ratio >= 5)


if __name__ == "__main__":
    main()
