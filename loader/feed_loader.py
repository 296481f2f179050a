"""The loader: one feed file -> change-only staging, in one transaction, as role pricewatch_loader.

Per file: the ledger row (its unique sha256 makes a second load of the same content a no-op, even when two
loaders race), then the records into a temporary table, one of two ways:
- a file mostly made of latest states seen again (a rescrape; judged on its first lines): a first pass COPYs
  only each line's number and fingerprint (loader.line_fingerprint), one statement matches them with the
  latest states, and a second pass decodes only the lines left unmatched (read again by line number);
- any other file: its lines are decoded, checked and typed in Python (loader.typed_rows, in worker
  processes for big files) while the database COPYs the typed rows.
Either way the SQL checks take only what Python leaves undecided. Then advisory locks on the file's sources
(the ETL takes the same ones); a rescrape's pure confirmations (a listing's only line, later than its latest
state) move last seen times in one statement, and its other matched lines take their state's values; then
set-based statements place the records in each listing's history, write the changes and rejects, and close
the ledger row. A crash at any point rolls everything back; the rerun loads the file completely.
"""
import io
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg2
from psycopg2 import errors, sql

from foundation import database
from foundation.errors import PricewatchError
from loader import statements
from loader.feed_reader import line_row, lines_at, numbered_lines, sha256
from loader.feed_rows import CopyStreams, feed_rows, first_pass_fingerprint
from loader.line_fingerprint import LineFingerprint
from loader.spec import FeedSpec
from loader.specs import spec_for_source, spec_named

# A load that adds more than this share of a staging table's rows refreshes its planner statistics.
STATISTICS_GROWTH = 0.1
# A file is loaded by fingerprint when at least this share of its first SAMPLE_LINES lines repeat a latest state.
SAMPLE_LINES = 1000
FINGERPRINT_SHARE = 0.1
COPY_BUFFER = 1 << 20

log = logging.getLogger(__name__)

REJECT_REASONS = """
select reason, count(*) from ops.load_reject where feed_file_id = %s group by reason order by 2 desc, 1 limit 3
"""


@dataclass(frozen=True)
class LoadResult:
    path: Path
    feed_file_id: int
    lines_read: int = 0
    rows_new: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    already_loaded_at: datetime | None = None
    # Lines taken by fingerprint as a latest state seen again, without being parsed (see loader.line_fingerprint).
    lines_fingerprinted: int = 0
    # Of those, the pure confirmations: applied straight to the latest rows, never planned (counted unchanged).
    lines_confirmed: int = 0
    # The commonest reject reasons with their counts, so the screen says why without a trip to ops.load_reject.
    reject_reasons: tuple[tuple[str, int], ...] = ()

    @property
    def already_loaded(self) -> bool:
        return self.already_loaded_at is not None

    def summary(self) -> str:
        if self.already_loaded:
            when = self.already_loaded_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
            return f"{self.path}: already loaded on {when} as feed_file {self.feed_file_id}"
        line = (f"{self.path}: read {self.lines_read}, new {self.rows_new}, "
                f"unchanged {self.rows_unchanged}, rejected {self.rows_rejected}")
        if self.reject_reasons:
            shown = sum(count for _, count in self.reject_reasons)
            line += (" (" + "; ".join(f"{count} {reason}" for reason, count in self.reject_reasons)
                     + ("; ..." if shown < self.rows_rejected else "")
                     + f"; see ops.load_reject feed_file_id {self.feed_file_id})")
        return line


class FeedLoader:
    """Loads feed files into staging. Build it with `loader.build_loader(settings)` or directly; use it as a
    context manager (it holds one database connection for all the files it loads).

    The database is the caller's to name: `connection`, an open psycopg2 connection the caller owns (the
    loader commits on it per file and never closes it; its session should run as pricewatch_loader), or
    `url`, which the loader connects to as pricewatch_loader. With neither, the configured server is used."""

    def __init__(self, feed_kind: str | None = None, url: str | None = None, work_mem: str = "256MB",
                 connection=None):
        self.spec = spec_named(feed_kind) if feed_kind else None
        self.url = url
        self.work_mem = work_mem
        self._conn = connection
        self._owns_connection = connection is None
        self._session_ready = False

    @classmethod
    def from_settings(cls, settings: dict) -> "FeedLoader":
        return cls(feed_kind=settings.get("LOADER_FEED_KIND"), url=settings.get("DATABASE_URL"),
                   work_mem=settings.get("LOADER_WORK_MEM", "256MB"))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        if self._conn is not None and self._owns_connection:
            self._conn.close()
            self._conn = None
            self._session_ready = False

    @property
    def conn(self):
        if self._conn is None:
            self._conn = database.connect(role="pricewatch_loader", url=self.url)
        if not self._session_ready:
            try:
                with self._conn.cursor() as cur:
                    # Work tables are temporary: keep them in memory rather than in temp files.
                    cur.execute("set temp_buffers = '256MB'")
                self._conn.commit()
            except errors.InvalidParameterValue:
                self._conn.rollback()  # a caller's session that has had temporary tables keeps its setting
            self._session_ready = True
        return self._conn

    def spec_for(self, path: Path) -> FeedSpec:
        """The configured feed kind, else the kind of the landing source directory (<source>/<date>/file)."""
        return self.spec or spec_for_source(path.parent.parent.name) or spec_named("store_listing")

    def already_loaded(self, cur, path: Path, digest: str) -> LoadResult | None:
        cur.execute("select feed_file_id, loaded_at from ops.feed_file where sha256 = %s",
                    (digest,))
        row = cur.fetchone()
        return LoadResult(path, row[0], already_loaded_at=row[1]) if row else None

    def load(self, path: Path, on_progress=None) -> LoadResult:
        path = Path(path)
        digest = sha256(path)
        conn = self.conn
        try:
            with conn.cursor() as cur:
                result = self.already_loaded(cur, path, digest) or self.load_new(cur, path, digest, on_progress)
            conn.commit()
            if result.rows_new:
                self.refresh_statistics(self.spec_for(path), result.rows_new)
            return result
        except errors.UniqueViolation as exc:
            conn.rollback()
            if exc.diag.constraint_name != "feed_file_sha256_key":
                raise
            with conn.cursor() as cur:
                result = self.already_loaded(cur, path, digest)
            conn.rollback()
            return result
        except psycopg2.OperationalError as exc:
            if isinstance(exc.__cause__, PricewatchError):  # the file, read while COPY ran, is at fault
                conn.rollback()
                raise exc.__cause__ from None
            self.close()
            raise PricewatchError(f"{path}: database connection lost while loading: {str(exc).strip()}") from exc
        except BaseException:
            if not conn.closed:
                conn.rollback()
            raise

    def load_new(self, cur, path: Path, digest: str, on_progress) -> LoadResult:
        spec = self.spec_for(path)
        cur.execute("set local timezone = 'UTC'")
        cur.execute("set local work_mem = %s", (self.work_mem,))
        cur.execute("""
            insert into ops.feed_file (path, sha256, feed_kind, bytes) values (%s, %s, %s, %s)
            returning feed_file_id""", (str(path.resolve()), digest, spec.name, path.stat().st_size))
        feed_file_id = cur.fetchone()[0]
        cur.execute(statements.create_work_tables(spec))
        fingerprint = first_pass_fingerprint(spec) if self.mostly_seen_before(cur, spec, path) else None
        matched = {}
        if fingerprint:
            self.copy_rows(cur, spec, path, fingerprint=fingerprint, on_progress=on_progress)
            # Autovacuum never analyzes temporary tables: without statistics the planner misjudges the lookup.
            cur.execute("analyze feed_fingerprint")
            cur.execute(statements.match_lines(spec))
            looked_up = cur.fetchall()
            matched = {source: lines for _, source, lines in looked_up if source is not None}
            self.copy_rows(cur, spec, path, wanted=[number for number, source, _ in looked_up if source is None])
        else:
            self.copy_rows(cur, spec, path, on_progress=on_progress)
        self.check_records(cur, spec, skip_recorded=False)
        # Without statistics the planner takes feed_record for a few rows and joins it with staging by nested
        # loops, quadratic in the file's size.
        cur.execute("analyze feed_record")
        cur.execute(statements.lock_sources(spec, sorted(matched)))
        for (source,) in cur.fetchall():
            cur.execute("select pg_advisory_xact_lock(ops.source_lock_key(%s))", (source,))
        fingerprinted = confirmed = 0
        if fingerprint:
            fingerprinted, confirmed = self.take_matched_lines(cur, spec, path, feed_file_id, sum(matched.values()),
                                                               fingerprint.maybe_repeated)
        cur.execute(statements.plan_changes(spec))
        self.write_changes(cur, spec, path, feed_file_id)
        self.copy_rejected_lines(cur, spec, path)
        cur.execute(statements.record_rejects(feed_file_id))
        cur.execute(statements.close_ledger(spec, feed_file_id))
        counts = cur.fetchone()
        cur.execute(REJECT_REASONS, (feed_file_id,))
        return LoadResult(path, feed_file_id, *counts, lines_fingerprinted=fingerprinted, lines_confirmed=confirmed,
                          reject_reasons=tuple(cur.fetchall()))

    @staticmethod
    def write_changes(cur, spec: FeedSpec, path: Path, feed_file_id: int) -> None:
        """The planned changes into staging, in the spec's layout (loader.spec)."""
        if spec.latest_state:
            cur.execute(statements.write_changes(spec, feed_file_id))
            replaced, expected = cur.fetchone()
            if replaced != expected:
                raise PricewatchError(f"{path}: {expected - replaced} listings changed in staging while this file was "
                                      "compared with them (a load outside the source locks?); nothing was loaded")
            return
        cur.execute(statements.move_latest(spec, feed_file_id))
        cur.execute(statements.insert_changes(spec, feed_file_id))
        if spec.refresh:
            cur.execute(statements.refresh_latest(spec))

    @staticmethod
    def copy_rows(cur, spec: FeedSpec, path: Path, fingerprint: LineFingerprint | None = None, wanted=None,
                  on_progress=None) -> None:
        """COPY what loader.feed_rows makes of the file (or of its `wanted` lines): typed records, then the lines
        left to the SQL checks; or, with a first pass's `fingerprint`, the lines' fingerprints."""
        streams = CopyStreams(feed_rows(path, spec, fingerprint, wanted), streamed=0 if fingerprint else 1,
                              on_progress=on_progress)
        try:
            if not fingerprint:
                cur.copy_expert(statements.copy_records(spec).as_string(cur), streams, size=COPY_BUFFER)
                cur.copy_expert(statements.copy_lines(spec), streams.rest(), size=COPY_BUFFER)
            else:
                cur.copy_expert(statements.copy_fingerprints(spec).as_string(cur), streams, size=COPY_BUFFER)
        finally:
            streams.close()

    def take_matched_lines(self, cur, spec: FeedSpec, path: Path, feed_file_id: int, matched: int,
                           maybe_repeated: list[str]) -> tuple[int, int]:
        """Under the source locks: the pure confirmations in one statement, then (rarely) the `matched` lines
        they left, with their state's values, or decoded when that state is no longer the latest. Returns
        (lines taken by fingerprint, lines confirmed)."""
        cur.execute(statements.confirm_lone_lines(spec, feed_file_id), (maybe_repeated,))
        (confirmed,) = cur.fetchone()
        if confirmed < matched:
            cur.execute(statements.record_matched_lines(spec, feed_file_id))
            superseded = [number for (number,) in cur.fetchall()]
            if superseded:
                self.copy_rows(cur, spec, path, wanted=superseded)
                self.check_records(cur, spec, skip_recorded=True)
                matched -= len(superseded)
            cur.execute("analyze feed_record")  # the plan reads it: its statistics must count these rows too
        return matched, confirmed

    def refresh_statistics(self, spec: FeedSpec, rows_new: int) -> None:
        """Analyze the staging table when this load grew it by more than a tenth (or it was never analyzed):
        the ETL runs right after and autovacuum may not have come by yet. After the commit, so concurrent
        loads of other sources do not queue on the ANALYZE lock."""
        table = ".".join(spec.change_log)
        try:
            with self.conn.cursor() as cur:
                cur.execute("select reltuples from pg_class where oid = %s::regclass", (table,))
                (known_rows,) = cur.fetchone()
                if known_rows < 0 or rows_new > known_rows * STATISTICS_GROWTH:
                    for stored in spec.stored_tables:
                        cur.execute("select ops.analyze_staging(%s::regclass)", (".".join(stored),))
            self.conn.commit()
        except psycopg2.Error as exc:
            # The load is committed; fresher statistics are only an optimisation (autovacuum gets there too).
            self.conn.rollback()
            log.warning("%s: statistics not refreshed: %s", table, str(exc).strip().splitlines()[0])

    @staticmethod
    def mostly_seen_before(cur, spec: FeedSpec, path: Path) -> bool:
        """Whether the file's first lines mostly repeat latest states (a rescrape): then fingerprints pay."""
        if not spec.fingerprint_lines:
            return False
        fingerprint = LineFingerprint(spec.observed_at.field)
        sample = []
        for number, line in numbered_lines(path):
            if parts := fingerprint.parts(line):
                sample.append(parts[0])
            if number >= SAMPLE_LINES:
                break
        if not sample:
            return False
        cur.execute(sql.SQL("select count(*) from {} where line_hash = any(%s::uuid[])").format(
            sql.Identifier(*spec.latest_state)), (sample,))
        return cur.fetchone()[0] >= FINGERPRINT_SHARE * len(sample)

    @staticmethod
    def copy_rejected_lines(cur, spec: FeedSpec, path: Path) -> None:
        """The text of lines the plan rejected after Python typed them, read again from the file for
        ops.load_reject (rare: out-of-order records and clashes at one moment)."""
        cur.execute(statements.rejects_without_text())
        numbers = [number for (number,) in cur.fetchall()]
        if not numbers:
            return
        fingerprint = LineFingerprint(spec.observed_at.field) if spec.fingerprint_lines else None
        rows = b"".join(line_row(number, line, fingerprint) for number, line in sorted(lines_at(path, numbers).items()))
        cur.copy_expert(statements.copy_lines(spec), io.BytesIO(rows))

    @staticmethod
    def check_records(cur, spec: FeedSpec, skip_recorded: bool) -> None:
        """Most files are clean: parse each line once, and only when that fails parse carefully (twice)."""
        cur.execute("savepoint trusting_parse")
        try:
            cur.execute(statements.check_records(spec, parse="trusting", skip_recorded=skip_recorded))
        except errors.DataError:
            cur.execute("rollback to savepoint trusting_parse")
            cur.execute(statements.check_records(spec, parse="careful", skip_recorded=skip_recorded))
        else:
            cur.execute("release savepoint trusting_parse")
