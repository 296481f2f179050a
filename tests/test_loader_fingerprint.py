"""Lines recognised by fingerprint (loader.line_fingerprint) load exactly as if they had been parsed."""
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from loader_fixtures import listing, rows, write_feed

from loader.feed_loader import FeedLoader
from loader.feed_reader import fingerprint_rows
from loader.feed_rows import first_pass_fingerprint
from loader.line_fingerprint import NO_FINGERPRINT, LineFingerprint
from loader.specs import STORE_LISTING

AT = "2026-11-01T10:00:00Z"
DAY2 = "2026-11-02T10:00:00Z"
FUTURE = "scraped_at: in the future (more than 15 minutes after the load)"
LINE = json.dumps(listing(scraped_at=AT)).encode()


FINGERPRINT_CASES = [
    (LINE, AT),
    (json.dumps(listing(scraped_at=AT), separators=(",", ":")).encode(), AT),
    (b'{"source": "gog", "scraped_at" :\t"2026-11-01T10:00:00+01:00", "price": "1.99"}', "2026-11-01T10:00:00+01:00"),
    (b'{"scraped_at": ""}', ""),
    # No fingerprint where the value is not unambiguous: the line is parsed and checked as usual.
    (b'{"scraped_at": "2026-11-01T10:00:00Z", "extra": {"scraped_at": "x"}}', None),
    (b'{"scraped_at": "2026-11-01T10:00:00\\u005a"}', None),
    (b'{"scraped_at": 1762000000}', None),
    (b'{"title": "scraped_at", "price": "1.99"}', None),
    (b'{"title": "a \\"scraped_at\\": \\"2026\\""}', None),
    (b'{"scraped_at": null}', None),
    (b"", None),
    # Whatever else the line holds or ends with, the value is cut from its own place.
    (b'{"title": "caf\\u00e9 \\"5\\" \\\\ \\t", "scraped_at": "2026-11-01T10:00:00Z"}', AT),
    (b'{"title": "\\"scraped_at\\": \\"2025\\"", "scraped_at": "2026-11-01T10:00:00Z"}', AT),
    (b'{"title": "scraped_at", "scraped_at": "2026-11-01T10:00:00Z"}', None),
    (LINE + b"\r", AT),
    (LINE + b"  \t", AT),
    (b"\xef\xbb\xbf" + LINE, AT),
]


@pytest.mark.parametrize("line, value", FINGERPRINT_CASES)
def test_fingerprint_value(line, value):
    columns = LineFingerprint("scraped_at").columns(line)
    if value is None:
        assert columns == b"\t\\N\t\\N"
    else:
        digest, found = columns[1:].split(b"\t")
        assert (len(digest), found.decode()) == (32, value)


@pytest.mark.parametrize("fingerprint", [LineFingerprint("scraped_at"), first_pass_fingerprint(STORE_LISTING)],
                         ids=["any value", "first pass"])
def test_a_blocks_fingerprint_rows_are_its_lines_fingerprints(fingerprint):
    lines = [line for line, _ in FINGERPRINT_CASES] + [json.dumps(listing(scraped_at="2062-01-01T00:00:00Z")).encode()]
    assert fingerprint.rows(lines, 5) == b"".join(
        b"%d%b\n" % (number, fingerprint.columns(line)) for number, line in enumerate(lines, 5))


@pytest.mark.parametrize("value, taken", [
    (AT, True), ("2026-11-01 10:00:00.5+01:00", True), ("2026-11-31T10:00:00Z", False), ("now", False),
    ("2062-01-01T00:00:00Z", False), ("1999-12-31T23:00:00Z", False),
    # Read differently by PostgreSQL and Python: left to the SQL checks, so not taken.
    ("2026-11-01T24:00:00Z", False), ("2026-11-01T23:59:60Z", False),
])
def test_a_rescrapes_first_pass_takes_only_times_the_contract_accepts(value, taken):
    """The first pass checks each line's scraped_at as the contract does (clock checks included), so the match
    is a plain join; a line whose time is refused is decoded and gets its reason like any record."""
    line = json.dumps(listing(scraped_at=value)).encode()
    assert (first_pass_fingerprint(STORE_LISTING).columns(line) != NO_FINGERPRINT) is taken
    assert LineFingerprint("scraped_at").columns(line) != NO_FINGERPRINT


@pytest.mark.parametrize("block, repeated", [
    (LINE + b"\n" + json.dumps(listing(scraped_at=DAY2)).encode() + b"\n", True),
    # A read error in the block: its other lines are fingerprinted one by one, and still noted.
    (LINE + b"\n\xff\n" + json.dumps(listing(scraped_at=DAY2)).encode() + b"\n", True),
    (LINE + b"\n" + json.dumps(listing(store_item_id="2", scraped_at=DAY2)).encode() + b"\n", False),
], ids=["twice", "twice around a read error", "two listings"])
def test_the_first_pass_notes_a_fingerprint_on_several_lines(block, repeated):
    fingerprint = first_pass_fingerprint(STORE_LISTING)
    fingerprint_rows(block, 1, fingerprint)
    assert (LineFingerprint("scraped_at").parts(LINE)[0] in fingerprint.maybe_repeated) is repeated


def test_lines_differing_only_in_the_value_share_a_fingerprint():
    fingerprint = LineFingerprint("scraped_at")
    later = fingerprint.columns(json.dumps(listing(scraped_at="2026-11-02T10:00:00Z")).encode())
    other_price = fingerprint.columns(json.dumps(listing(scraped_at=AT, price="9.99")).encode())
    same = fingerprint.columns(LINE)
    assert same.split(b"\t")[1] == later.split(b"\t")[1] != other_price.split(b"\t")[1]


def test_a_rescrape_of_identical_lines_is_taken_by_fingerprint(db_url, tmp_path):
    with FeedLoader(url=db_url) as loader:
        loader.load(write_feed(tmp_path / "1.jl", [listing(scraped_at=AT), listing(store_item_id="2")]))
        result = loader.load(write_feed(tmp_path / "2.jl", [listing(scraped_at="2026-11-02T10:00:00Z"),
                                                            listing(store_item_id="2", price="1.99",
                                                                    scraped_at="2026-11-02T10:00:00Z")]))
    assert (result.lines_fingerprinted, result.rows_new, result.rows_unchanged) == (1, 1, 1)
    assert rows(db_url, "select store_item_id, last_seen_at::text from staging.store_listing where is_latest order by 1") == [
        ("2", "2026-11-02 10:00:00+00"), ("413150", "2026-11-02 10:00:00+00")]


@pytest.mark.parametrize("written", [
    lambda record: json.dumps(record).encode() + b"\r",
    lambda record: json.dumps(record).encode() + b"   ",
    lambda record: json.dumps(dict(record, title='Caf\u00e9 "Deluxe"\t\\ \u2603')).encode(),
    lambda record: json.dumps(dict(record, title='Caf\u00e9 "Deluxe"'), ensure_ascii=False).encode(),
    lambda record: json.dumps(dict(record, title='"scraped_at": "1999"'), separators=(",", ":")).encode(),
], ids=["CRLF", "trailing spaces", "escapes", "UTF-8", "key inside a title, compact"])
def test_a_rescrape_in_any_writers_hand_is_taken_by_fingerprint(db_url, tmp_path, written):
    first = [written(listing(scraped_at=AT)), written(listing(store_item_id="2", scraped_at=AT))]
    again = [written(listing(scraped_at=DAY2)), written(listing(store_item_id="2", scraped_at=DAY2))]
    with FeedLoader(url=db_url) as loader:
        loader.load(write_feed(tmp_path / "1.jl", [], first))
        result = loader.load(write_feed(tmp_path / "2.jl", [], again))
    assert (result.lines_fingerprinted, result.lines_confirmed, result.rows_new, result.rows_unchanged) == (2, 2, 0, 2)
    assert rows(db_url, "select store_item_id, last_seen_at::text from staging.store_listing order by 1") == [
        ("2", "2026-11-02 10:00:00+00"), ("413150", "2026-11-02 10:00:00+00")]


@pytest.mark.parametrize("at, fingerprinted, last_seen, reasons", [
    (DAY2, 2, "2026-11-02 10:00:00+00", []),
    # PostgreSQL reads 24:00:00 as the next midnight; Python leaves such a time to it, so the line is decoded.
    ("2026-11-01T24:00:00Z", 1, "2026-11-02 00:00:00+00", []),
    ("2026-11-02T10:00:00+14:00", 2, "2026-11-01 20:00:00+00", []),
    ("2062-01-01T00:00:00Z", 1, "2026-11-01 10:00:00+00", [FUTURE]),
    ("2026-11-02T10:00:00", 1, "2026-11-01 10:00:00+00", ["scraped_at: not an ISO 8601 date-time"]),
], ids=["later", "24:00", "offset", "future", "no offset"])
def test_a_rescraped_lines_time_is_checked_before_it_is_matched(db_url, tmp_path, at, fingerprinted, last_seen,
                                                                reasons):
    with FeedLoader(url=db_url) as loader:
        loader.load(write_feed(tmp_path / "1.jl", [listing(scraped_at=AT), listing(store_item_id="2", scraped_at=AT)]))
        result = loader.load(write_feed(tmp_path / "2.jl", [listing(scraped_at=at),
                                                            listing(store_item_id="2", scraped_at=DAY2)]))
    assert (result.lines_fingerprinted, result.rows_new, result.rows_rejected) == (fingerprinted, 0, len(reasons))
    assert rows(db_url, "select last_seen_at::text from staging.store_listing where store_item_id = '413150'") == [
        (last_seen,)]
    assert [reason for (reason,) in rows(db_url, "select reason from ops.load_reject")] == reasons


def test_an_identical_line_with_an_impossible_time_is_rejected_like_any_record(db_url, tmp_path):
    with FeedLoader(url=db_url) as loader:
        loader.load(write_feed(tmp_path / "1.jl", [listing(scraped_at=AT)]))
        result = loader.load(write_feed(tmp_path / "2.jl", [listing(scraped_at="2026-11-31T10:00:00Z")]))
    assert (result.lines_fingerprinted, result.rows_new, result.rows_unchanged, result.rows_rejected) == (0, 0, 0, 1)
    assert rows(db_url, "select reason from ops.load_reject") == [("scraped_at: not an ISO 8601 date-time",)]


def crawl(draw: random.Random, day: int) -> list[bytes]:
    """One crawl of three listings: repeats, returns to old prices, lines out of time order, a few bad times,
    a compact writer, and an unknown nested scraped_at (no fingerprint)."""
    lines = []
    for _ in range(draw.randint(3, 9)):
        hour = draw.choice([1, 5, 9, 9, 13])
        at = f"2026-11-{day:02d}T{hour:02d}:00:00Z" if draw.random() > 0.1 else f"2026-11-{day:02d}T25:00:00Z"
        record = listing(store_item_id=draw.choice(["1", "2", "3"]), price=draw.choice(["14.99", "14.99", "9.99"]),
                         scraped_at=at)
        if draw.random() < 0.1:
            record["extra"] = {"scraped_at": at}
        separators = (",", ":") if draw.random() < 0.2 else None
        lines.append(json.dumps(record, separators=separators).encode())
    return lines


@pytest.mark.parametrize("seed", range(6))
def test_loading_with_fingerprints_gives_what_parsing_every_line_gives(admin, db_url, tmp_path, seed):
    admin.cursor().execute("create table staging.parsed_listing (like staging.store_listing including all)")
    parsing_only = replace(STORE_LISTING, name="parsed_listing", table=("staging", "parsed_listing"),
                           fingerprint_lines=False, confirmation_queue=None)
    draw = random.Random(seed)
    outcomes = {"fingerprints": [], "parsing": []}
    fingerprinted = 0
    with FeedLoader(url=db_url) as fingerprinting, FeedLoader(url=db_url) as parsing:
        parsing.spec = parsing_only
        for day in range(1, 6):
            lines = crawl(draw, day)
            # The second copy ends with a blank line: other bytes, so the ledger takes it as another file.
            first = fingerprinting.load(write_feed(tmp_path / f"fp-{day}.jl", [], lines))
            second = parsing.load(write_feed(tmp_path / f"parse-{day}.jl", [], lines + [b""]))
            fingerprinted += first.lines_fingerprinted
            outcomes["fingerprints"].append((first.rows_new, first.rows_unchanged, first.rows_rejected))
            outcomes["parsing"].append((second.rows_new, second.rows_unchanged, second.rows_rejected))
    assert fingerprinted > 0
    assert outcomes["fingerprints"] == outcomes["parsing"]
    state = """select store_item_id, change_seq, is_latest, observed_at, last_seen_at, price::text, content_hash,
                      line_number from staging.{} order by 1, 2"""
    assert rows(db_url, state.format("store_listing")) == rows(db_url, state.format("parsed_listing"))
    rejects = """select f.path like '%%/fp-%%', r.line_number, r.reason from ops.load_reject r
                 join ops.feed_file f using (feed_file_id) order by f.feed_file_id, r.line_number"""
    by_loader = rows(db_url, rejects)
    assert [r[1:] for r in by_loader if r[0]] == [r[1:] for r in by_loader if not r[0]]


A, B = "14.99", "9.99"
LATER = "2026-11-02T11:00:00Z"


@pytest.mark.parametrize("lines, counts, queued, history, reasons", [
    # lines of listing 413150, whose latest state is A seen at AT; listing 2's lone line is always a pure
    # confirmation. counts: new, unchanged, rejected, pure confirmations; queued: rows queued for the ETL.
    ([(A, DAY2)], (0, 2, 0, 2), 2, [(1, True, A, "11-01 10:00", "11-02 10:00")], []),
    ([(A, DAY2), (B, LATER)], (1, 2, 0, 1), 2,
     [(1, False, A, "11-01 10:00", "11-02 10:00"), (2, True, B, "11-02 11:00", "11-02 11:00")], []),
    ([(B, LATER), (A, DAY2)], (1, 2, 0, 1), 2,
     [(1, False, A, "11-01 10:00", "11-02 10:00"), (2, True, B, "11-02 11:00", "11-02 11:00")], []),
    ([(B, DAY2), (A, LATER)], (2, 1, 0, 1), 1,
     [(1, False, A, "11-01 10:00", "11-01 10:00"), (2, False, B, "11-02 10:00", "11-02 10:00"),
      (3, True, A, "11-02 11:00", "11-02 11:00")], []),
    ([(A, AT)], (0, 2, 0, 1), 2, [(1, True, A, "11-01 10:00", "11-01 10:00")], []),
    ([(A, "2026-10-31T10:00:00Z")], (0, 2, 0, 1), 1, [(1, True, A, "11-01 10:00", "11-01 10:00")], []),
    ([(A, "2062-01-01T00:00:00Z")], (0, 1, 1, 1), 1, [(1, True, A, "11-01 10:00", "11-01 10:00")], [FUTURE]),
    ([(A, "1999-12-31T23:00:00Z")], (0, 1, 1, 1), 1, [(1, True, A, "11-01 10:00", "11-01 10:00")],
     ["scraped_at: before 2000, not a real scrape time"]),
    ([(A, DAY2), (A, DAY2)], (0, 3, 0, 1), 2, [(1, True, A, "11-01 10:00", "11-02 10:00")], []),
    ([(A, DAY2), (A, LATER)], (0, 3, 0, 1), 2, [(1, True, A, "11-01 10:00", "11-02 11:00")], []),
    # A rejected line names no listing: the matched one stays its listing's only line.
    ([(A, DAY2), ("-1.00", LATER)], (0, 2, 1, 2), 2, [(1, True, A, "11-01 10:00", "11-02 10:00")],
     ["price: negative"]),
], ids=["lone", "matched-then-changed", "changed-then-matched", "A-B-A", "same-instant", "older", "future",
        "before-2000", "two-identical", "two-times", "beside-a-reject"])
def test_pure_confirmations_only_where_nothing_else_decides(admin, db_url, tmp_path, lines, counts, queued,
                                                            history, reasons):
    admin.cursor().execute("create table staging.parsed_listing (like staging.store_listing including all)")
    parsing_only = replace(STORE_LISTING, name="parsed_listing", table=("staging", "parsed_listing"),
                           fingerprint_lines=False, confirmation_queue=None)
    first = [listing(scraped_at=AT), listing(store_item_id="2", scraped_at=AT)]
    again = [listing(store_item_id="2", scraped_at=DAY2)] + [listing(price=price, scraped_at=at) for price, at in lines]
    with FeedLoader(url=db_url) as fingerprinting, FeedLoader(url=db_url) as parsing:
        parsing.spec = parsing_only
        # The parsing loader's copies end with a blank line: other bytes, so the ledger takes them as other files.
        fingerprinting.load(write_feed(tmp_path / "fp-1.jl", first))
        parsing.load(write_feed(tmp_path / "parse-1.jl", first, [b""]))
        result = fingerprinting.load(write_feed(tmp_path / "fp-2.jl", again))
        parsed = parsing.load(write_feed(tmp_path / "parse-2.jl", again, [b""]))
    assert (result.rows_new, result.rows_unchanged, result.rows_rejected, result.lines_confirmed) == counts
    assert (parsed.rows_new, parsed.rows_unchanged, parsed.rows_rejected) == counts[:3]
    assert result.lines_fingerprinted >= result.lines_confirmed > 0
    state = """select change_seq, is_latest, price::text, to_char(observed_at at time zone 'UTC', 'MM-DD HH24:MI'),
                      to_char(last_seen_at at time zone 'UTC', 'MM-DD HH24:MI')
               from staging.{} where store_item_id = '413150' order by change_seq"""
    assert rows(db_url, state.format("store_listing")) == history == rows(db_url, state.format("parsed_listing"))
    assert rows(db_url, "select count(*) from staging.store_listing_confirmation where feed_file_id = %s",
                (result.feed_file_id,)) == [(queued,)]
    assert [reason for (reason,) in rows(db_url, "select reason from ops.load_reject where feed_file_id = %s",
                                         (result.feed_file_id,))] == reasons


def test_a_matched_state_gone_before_the_source_locks_is_decoded_instead(admin, db_url, tmp_path):
    """Between the match and the source locks, a concurrent load and the ETL may supersede and prune the state
    a line matched: that line is then decoded like an unmatched one, and nothing is lost."""
    first = [listing(scraped_at=AT), listing(store_item_id="2", scraped_at=AT)]
    again = [listing(scraped_at="2026-11-02T10:00:00Z"), listing(store_item_id="2", scraped_at="2026-11-02T10:00:00Z")]
    with FeedLoader(url=db_url) as loader:
        loader.load(write_feed(tmp_path / "1.jl", first))
    with admin.cursor() as cur, ThreadPoolExecutor(1) as pool:
        cur.execute("select pg_advisory_lock(ops.source_lock_key('steam'))")
        with FeedLoader(url=db_url) as loader:
            loading = pool.submit(loader.load, write_feed(tmp_path / "2.jl", again))
            while not rows(db_url, "select 1 from pg_locks where locktype = 'advisory' and not granted"):
                assert not loading.done(), loading.result()
                time.sleep(0.02)
            cur.execute("delete from staging.store_listing where store_item_id = '2'")
            cur.execute("select pg_advisory_unlock(ops.source_lock_key('steam'))")
            result = loading.result()
    assert (result.lines_fingerprinted, result.lines_confirmed, result.rows_new, result.rows_unchanged) == (1, 1, 1, 1)
    assert rows(db_url, "select store_item_id, change_seq, last_seen_at::text from staging.store_listing order by 1") == [
        ("2", 1, "2026-11-02 10:00:00+00"), ("413150", 1, "2026-11-02 10:00:00+00")]
