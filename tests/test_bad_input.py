"""Property-based: whatever a feed holds, the loader accounts for every line and touches only staging and ops.

Hypothesis writes batches of generated lines (valid listings, and listings broken in every way a feed can
break) into feed files and loads each one. At least 10,000 lines go through the real loader per run.
The same lines, and the hand-written bad lines of test_loader_rejects, go through the Python checks and the
SQL checks (the reference): both must give the same rejects, reasons and typed values.
"""
import contextlib
import io
import json
from dataclasses import dataclass

import psycopg2
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from psycopg2 import sql

from loader import build_loader, statements
from loader.feed_loader import FeedLoader
from loader.feed_reader import line_rows, visible
from loader.line_fingerprint import LineFingerprint
from loader.specs import STORE_LISTING
from loader.typed_rows import TypedRows
from test_loader_rejects import BAD_LINES, VALID

MIN_LINES_PER_RUN = 10_000
LINES_PER_FILE = (250, 300)  # 45 files of at least 250 lines: >= 10,000 even if a few batches repeat
FILES_PER_RUN = 45
INJECTION = "Robert'); drop table staging.store_listing; --"

SOURCES = ["steam", "psstore", "gog", "epic", "eshop"]
REGIONS = ["US", "GB", "DE", "JP"]
CURRENCIES = {"US": "USD", "GB": "GBP", "DE": "EUR", "JP": "JPY"}
TIMES = [f"2026-11-0{day}T0{hour}:00:00Z" for day in range(1, 4) for hour in (6, 9)]

# For each field, values of a JSON type its contract never allows.
WRONG_TYPES = {
    "source": st.sampled_from([1, None, ["steam"], {"name": "steam"}, True]),
    "store_item_id": st.sampled_from([413150, None, ["1"], {}, False, 1.5]),
    "title": st.sampled_from([1, None, ["Hades"], {"en": "Hades"}, True]),
    "kind": st.sampled_from([0, None, ["game"], True]),
    "region": st.sampled_from([1, None, ["US"], {}, False]),
    "currency": st.sampled_from([840, ["USD"], {"code": "USD"}, True]),
    "price": st.sampled_from([9.99, 0, ["9.99"], {"amount": "9.99"}, True]),
    "regular_price": st.sampled_from([19.99, ["19.99"], {}, False]),
    "discount_percent": st.sampled_from(["40", 40.5, None, [40], True]),
    "is_free": st.sampled_from(["false", 0, None, [], {}]),
    "platforms": st.sampled_from(["windows", 1, None, {}, True, [1], [["windows"]]]),
    "scraped_at": st.sampled_from([1762000000, None, [], {}, "yesterday", "2026-13-01T00:00:00Z", "now"]),
}
BAD_PRICES = st.sampled_from(["-1.00", "-0.01", "NaN", "nan", "Infinity", "-Infinity", "1e400", "1e3",
                              "99999999999", "12345678901.00", "9.99999", "", " 9.99", "9,99", "$9.99", "0x10"])
UNKNOWN_CURRENCIES = st.sampled_from(["XYZ", "ABC", "QQQ", "ZZZ", "BTC"])


@dataclass(frozen=True)
class Line:
    data: bytes
    must_reject: bool
    kind: str

    def __repr__(self):
        return f"Line({self.kind}, {self.data[:120]!r}{'...' if len(self.data) > 120 else ''})"


def listing_records():
    def record(source, item, region, at, price, discount, title):
        regular = f"{float(price) * 100 / (100 - discount):.2f}" if discount < 100 else price
        currency = CURRENCIES[region]
        if currency == "JPY":
            price, regular = str(int(float(price) * 100)), str(int(float(regular) * 100))
        return {"source": source, "store_item_id": str(item), "title": title, "kind": "game",
                "url": f"https://example.com/{source}/{item}", "region": region, "currency": currency,
                "price": price, "regular_price": regular, "discount_percent": discount, "is_free": False,
                "platforms": ["windows"], "scraped_at": at}

    return st.builds(record, st.sampled_from(SOURCES), st.integers(0, 400), st.sampled_from(REGIONS),
                     st.sampled_from(TIMES), st.sampled_from(["4.99", "9.99", "14.99", "59.99"]),
                     st.sampled_from([0, 25, 50, 75]),
                     st.sampled_from(["Hades", "Stardew Valley", "ÖKOSOPHIE™ – 日本語", INJECTION]))


def encoded(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode()


@st.composite
def feed_lines(draw) -> Line:
    record = draw(listing_records())
    kind = draw(st.sampled_from(["valid", "valid", "valid", "broken_json", "invalid_utf8", "nul_byte",
                                 "escaped_nul", "huge_title", "huge_extra", "wrong_type", "missing_key",
                                 "bad_price", "unknown_currency", "duplicate_key", "not_an_object",
                                 "injection_title"]))
    data = encoded(record)
    if kind == "broken_json":
        data = data[: draw(st.integers(1, len(data) - 1))]  # a proper prefix of an object is never JSON
    elif kind in ("invalid_utf8", "nul_byte"):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + (draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"]))
                            if kind == "invalid_utf8" else b"\x00") + data[at:]
    elif kind == "escaped_nul":
        data = encoded({**record, "title": record["title"] + "\x00"})
    elif kind == "huge_title":
        data = encoded({**record, "title": "x" * draw(st.integers(1001, 60_000))})
    elif kind == "huge_extra":
        data = encoded({**record, "description": "y" * draw(st.integers(10_000, 60_000))})
    elif kind == "wrong_type":
        field = draw(st.sampled_from(sorted(WRONG_TYPES)))
        value = draw(WRONG_TYPES[field])
        if value is None and field in ("currency", "price", "regular_price"):
            value = True
        data = encoded({**record, field: value})
    elif kind == "missing_key":
        record.pop(draw(st.sampled_from(sorted(WRONG_TYPES))))
        data = encoded(record)
    elif kind == "bad_price":
        data = encoded({**record, draw(st.sampled_from(["price", "regular_price"])): draw(BAD_PRICES)})
    elif kind == "unknown_currency":
        data = encoded({**record, "currency": draw(UNKNOWN_CURRENCIES)})
    elif kind == "duplicate_key":
        data = data[:-1] + b', "price": "1.00", "region": "FR"}'
    elif kind == "not_an_object":
        data = draw(st.sampled_from([b"[]", b"42", b'"steam"', b"null", b"true", b"[" + data + b"]"]))
    elif kind == "injection_title":
        data = encoded({**record, "title": INJECTION, "store_item_id": "1; delete from ops.feed_file"})
    must_reject = kind not in ("valid", "huge_extra", "duplicate_key", "injection_title")
    return Line(data, must_reject, kind)


def fingerprint_outside_staging_and_ops(conn) -> dict:
    """Every object of the database and the content of every table outside staging and ops."""
    with conn.cursor() as cur:
        cur.execute("""
            select n.nspname || '.' || c.relname || ':' || c.relkind::text
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
            order by 1""")
        objects = [name for (name,) in cur.fetchall()]
        cur.execute("""
            select p.oid::regprocedure::text || md5(p.prosrc) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema' order by 1""")
        functions = [name for (name,) in cur.fetchall()]
        cur.execute("""select schemaname, tablename from pg_tables
                       where schemaname not in ('staging', 'ops', 'pg_catalog', 'information_schema')
                       order by 1, 2""")
        contents = {}
        for schema, table in cur.fetchall():
            cur.execute(sql.SQL("select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {} t")
                        .format(sql.Identifier(schema, table)))
            contents[f"{schema}.{table}"] = cur.fetchone()[0]
    return {"objects": objects, "functions": functions, "contents": contents}


def query(conn, statement, params=()) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall()


@pytest.fixture
def checker(db_url):
    with contextlib.closing(psycopg2.connect(db_url)) as conn:
        conn.autocommit = True
        yield conn


@pytest.mark.slow
def test_generated_feeds_are_accounted_for_line_by_line(db_url, checker, tmp_path):
    before = fingerprint_outside_staging_and_ops(checker)
    totals = {"lines": 0, "files": 0, "rejected": 0, "new": 0, "unchanged": 0}
    with build_loader({"DATABASE_URL": db_url}) as loader:

        @settings(max_examples=FILES_PER_RUN, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(st.lists(feed_lines(), min_size=LINES_PER_FILE[0], max_size=LINES_PER_FILE[1]))
        def load_one_file(lines):
            totals["files"] += 1
            path = tmp_path / f"generated_{totals['files']:03d}.jl"
            path.write_bytes(b"".join(line.data + b"\n" for line in lines))
            result = loader.load(path)
            if result.already_loaded:  # hypothesis drew a batch it had drawn before: the ledger makes it a no-op
                return

            assert result.lines_read == len(lines)
            assert result.rows_new + result.rows_unchanged + result.rows_rejected == len(lines)
            rejected = dict((number, (reason, raw)) for number, reason, raw in query(
                checker, "select line_number, reason, raw_text from ops.load_reject where feed_file_id = %s",
                (result.feed_file_id,)))
            new = [number for (number,) in query(
                checker, "select line_number from staging.store_listing where feed_file_id = %s",
                (result.feed_file_id,))]
            assert len(rejected) == result.rows_rejected and len(new) == result.rows_new
            assert not rejected.keys() & set(new) and len(set(new)) == len(new)
            assert rejected.keys() | set(new) <= set(range(1, len(lines) + 1))
            for number, line in enumerate(lines, 1):
                if line.must_reject:
                    assert number in rejected, (line.kind, line.data[:300])
                if number in rejected:
                    reason, raw = rejected[number]
                    assert reason, line.data[:300]
                    assert raw == visible(line.data), (line.kind, reason)
            for number in new:
                assert not lines[number - 1].must_reject
            totals["lines"] += len(lines)
            totals["rejected"] += result.rows_rejected
            totals["new"] += result.rows_new
            totals["unchanged"] += result.rows_unchanged

        load_one_file()

    assert totals["lines"] >= MIN_LINES_PER_RUN, totals
    assert totals["new"] and totals["unchanged"] and totals["rejected"], totals
    assert fingerprint_outside_staging_and_ops(checker) == before
    assert query(checker, """
        select count(*) = count(distinct (source, store_item_id, region, change_seq)),
               count(*) filter (where is_latest) = count(distinct (source, store_item_id, region))
        from staging.store_listing""") == [(True, True)]
    assert query(checker, "select count(*) from staging.store_listing where title = %s", (INJECTION,))[0][0] > 0
    assert query(checker, "select sum(lines_read) from ops.feed_file")[0][0] == totals["lines"]


def records_both_ways(conn, lines: list[bytes]) -> tuple[list, list, int]:
    """feed_record as the SQL checks alone make it, and as the loader makes it from Python's typed rows (the
    SQL checks deciding only what Python leaves undecided); plus how many lines Python decided itself."""
    spec = STORE_LISTING
    block = b"".join(line + b"\n" for line in lines)
    both, decided = [], 0
    for in_python in (False, True):
        with conn.cursor() as cur:
            cur.execute(statements.create_work_tables(spec))
            if in_python:
                text_rows, typed_rows = TypedRows(spec).rows(block, 1)
                cur.copy_expert(statements.copy_records(spec).as_string(cur), io.BytesIO(typed_rows))
                cur.copy_expert(statements.copy_lines(spec), io.BytesIO(text_rows))
                cur.execute("select count(*) from feed_record")
                typed = cur.fetchone()[0]
                cur.execute("select count(*) from feed_line where read_error is not null")
                decided = typed + cur.fetchone()[0]
            else:
                cur.copy_expert(statements.copy_lines(spec),
                                io.BytesIO(line_rows(block, 1, LineFingerprint(spec.observed_at.field))))
            FeedLoader.check_records(cur, spec, skip_recorded=False)
            cur.execute(sql.SQL("""
                select line_number, reason, row({columns})::text, case when reason is null then line_hash end,
                    case when reason is null then coalesce(content_hash, md5(row({content})::text)::uuid) end
                from feed_record order by line_number""").format(
                columns=statements.names(spec.columns), content=statements.names(spec.content)))
            both.append(cur.fetchall())
        conn.rollback()
    return both[0], both[1], decided


@pytest.fixture
def work_conn(db_url):
    with contextlib.closing(psycopg2.connect(db_url)) as conn:
        with conn.cursor() as cur:
            cur.execute("set timezone = 'UTC'")
        conn.commit()
        yield conn


@pytest.mark.parametrize("bad, reason", BAD_LINES, ids=[reason for _, reason in BAD_LINES])
def test_python_and_sql_checks_give_the_same_reason_on_each_bad_line(work_conn, bad, reason):
    by_sql, by_python, _ = records_both_ways(work_conn, [bad])
    assert by_python == by_sql
    assert [row[1] for row in by_sql] == [reason]


# Values where Python and PostgreSQL could read text differently: the two must still agree.
EDGE_VALUES = [
    {"scraped_at": "2026-11-01T24:00:00Z"}, {"scraped_at": "2026-11-01T23:59:60Z"},
    {"scraped_at": "0000-01-01T00:00:00Z"}, {"scraped_at": "2024-02-29T00:00:00Z"},
    {"scraped_at": "2023-02-29T00:00:00Z"}, {"scraped_at": "2026-11-01t10:00:00z"},
    {"scraped_at": "2026-11-01 10:00:00+14:00"}, {"scraped_at": "2026-11-01T10:00:00+15:00"},
    {"scraped_at": "2026-11-01T10:00:00+05:99"}, {"scraped_at": "2026-11-01T10:00:00.1234567Z"},
    {"scraped_at": "2026-11-01T10:00:00Z\n"}, {"discount_ends_at": "2026-11-01T10:61:00Z"},
    {"region": "US\n"}, {"price": "9.99\n"}, {"price": " -1"}, {"price": "\u00a0-1"}, {"price": "10000000.0001"},
    {"price": "10000000"}, {"title": "tab\tnew line\nback\\slash \\N"}, {"title": "\\N"}, {"url": "\\N"},
    {"platforms": ["a\"b", "c\\d", "e,f", "{g}", " h ", "NULL", ""]}, {"discount_percent": 1e2},
    {"discount_percent": 100.0}, {"discount_percent": 40.5}, {"is_free": 1}, {"currency": "usd"},
    {"subscription": None, "release_date": None, "discount_ends_at": None},
]


@pytest.mark.parametrize("changes", EDGE_VALUES, ids=[json.dumps(changes) for changes in EDGE_VALUES])
def test_python_and_sql_checks_agree_on_edge_values(work_conn, changes):
    line = json.dumps(dict(json.loads(json.dumps(VALID[0])), **changes), ensure_ascii=False).encode()
    by_sql, by_python, _ = records_both_ways(work_conn, [line])
    assert by_python == by_sql


def test_python_and_sql_checks_type_valid_records_alike(work_conn):
    lines = [json.dumps(record).encode() for record in VALID]
    by_sql, by_python, decided = records_both_ways(work_conn, lines)
    assert by_python == by_sql
    assert [row[1] for row in by_sql] == [None] * len(VALID) and decided == len(VALID)


@pytest.mark.slow
def test_python_and_sql_checks_agree_on_generated_feeds(work_conn):
    """Every generated line, valid or broken in any way a feed can break: the same rejects with the same
    reasons, the same typed values, hashes and fingerprints; Python decides most lines itself."""
    totals = {"lines": 0, "decided": 0}

    @settings(max_examples=40, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.lists(feed_lines(), min_size=50, max_size=150))
    def agree(lines):
        by_sql, by_python, decided = records_both_ways(work_conn, [line.data for line in lines])
        assert by_python == by_sql
        totals["lines"] += len(lines)
        totals["decided"] += decided

    agree()
    assert totals["decided"] >= 0.8 * totals["lines"], totals
