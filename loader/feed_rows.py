"""A feed file as COPY rows for the work tables, made on a second core while the first one COPYs.

`feed_rows(path, spec, fingerprint, wanted)` yields `(line rows, record rows, bytes read from disk)` per block
of lines: records typed in Python (loader.typed_rows) and the few lines the database must see as text; or,
given a `fingerprint` (a rescrape's first pass, see first_pass_fingerprint), each line's fingerprint alone
(loader.feed_reader.fingerprint_rows) and no record. `wanted` (sorted line numbers) limits the rows to those
lines: a rescrape's second pass decodes only the lines its fingerprints did not match. When there is much to decode (a file of WORKER_MIN_BYTES or
more, at least WORKER_MIN_LINES wanted lines), blocks are handled by a pool of worker processes, so Python's
work runs beside the database's instead of before it; the workers end with the loader. Fingerprints alone
are made here: handing 8 MB blocks to workers and back cost more than the md5s (200,000 lines: 7.4 s
with two workers, 4.7 s in this process, on the shared machine).

`CopyStreams` hands COPY one kind of rows as a file-like object while it keeps the other kind aside (in
memory, on disk when large) for the second COPY.
"""
import bisect
import collections
import functools
import multiprocessing
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from foundation.errors import PricewatchError
from loader.contract_validator import ContractValidator
from loader.feed_reader import blocks, fingerprint_rows
from loader.line_fingerprint import LineFingerprint
from loader.spec import FeedSpec
from loader.typed_rows import TypedRows

WORKER_MIN_BYTES = 1 << 20
# Starting the workers costs about a second: a second pass over a few changed lines decodes them here.
WORKER_MIN_LINES = 20_000
# Two workers: the database's COPY of typed rows is light, so decoding and checking can take both cores.
WORKERS = 2
BLOCKS_AHEAD = 2 * WORKERS
SPOOL_IN_MEMORY = 64 << 20


class BlockRows:
    """COPY rows of one block of lines: typed records, or with a `fingerprint` the lines' fingerprints."""

    def __init__(self, spec: FeedSpec, fingerprint: LineFingerprint | None = None):
        self.typed = None if fingerprint else TypedRows(spec)
        self.fingerprint = fingerprint

    def __call__(self, numbered_block) -> tuple[bytes, bytes, int]:
        block, numbers, position = numbered_block
        if self.typed:
            return *self.typed.rows(block, numbers), position
        return fingerprint_rows(block, numbers, self.fingerprint), b"", position


def first_pass_fingerprint(spec: FeedSpec) -> LineFingerprint:
    """Fingerprints of a rescrape's first pass: only of lines whose observed-at value passes the contract's
    rules for that field (date-time, clock checks), so the match with the latest states is a plain join and a
    line with a bad time is decoded and rejected with its reason."""
    field = spec.observed_at.field
    return LineFingerprint(field, accepts=functools.partial(ContractValidator(spec).accepts, field))


def numbered_blocks(path):
    """(block, number of its first line, bytes read from disk) for each block of the feed."""
    number = 1
    for block, position in blocks(path):
        yield block, number, position
        number += block.count(b"\n")


def selected_blocks(path, wanted):
    """(block of the wanted lines, their numbers, bytes read from disk) for each block of the feed holding
    some of them; `wanted` is sorted. Reading stops after the last wanted line."""
    done = 0
    for block, first_number, position in numbered_blocks(path) if wanted else ():
        lines = block.split(b"\n")
        end = bisect.bisect_left(wanted, first_number + len(lines) - 1, done)
        if end > done:
            numbers = wanted[done:end]
            yield b"".join(lines[number - first_number] + b"\n" for number in numbers), numbers, position
        done = end
        if done == len(wanted):
            return


def rows_in_process(numbered, spec: FeedSpec, fingerprint: LineFingerprint | None):
    return map(BlockRows(spec, fingerprint), numbered)


WORKER_ROWS = None


def start_worker(spec: FeedSpec) -> None:
    global WORKER_ROWS
    WORKER_ROWS = BlockRows(spec)


def worker_rows(numbered_block):
    return WORKER_ROWS(numbered_block)


def rows_in_workers(path, numbered, spec: FeedSpec):
    """Blocks read here, turned into rows by WORKERS processes, handed back in file order. At most
    BLOCKS_AHEAD blocks are in flight, so a big file is never all in memory."""
    pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"),
                               initializer=start_worker, initargs=(spec,))
    pending = collections.deque()
    try:
        for numbered_block in numbered:
            pending.append(pool.submit(worker_rows, numbered_block))
            if len(pending) >= BLOCKS_AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        raise PricewatchError(f"{path}: a process reading the file stopped") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def feed_rows(path, spec: FeedSpec, fingerprint: LineFingerprint | None = None, wanted=None):
    numbered = numbered_blocks(path) if wanted is None else selected_blocks(path, wanted)
    if (fingerprint is None and path.stat().st_size >= WORKER_MIN_BYTES
            and (wanted is None or len(wanted) >= WORKER_MIN_LINES)):
        return rows_in_workers(path, numbered, spec)
    return rows_in_process(numbered, spec, fingerprint)


class CopyStreams:
    """`read` gives COPY the streamed kind of rows (index 0 = line rows, 1 = record rows); the other kind
    goes to `kept`, ready for a second COPY once the first one has read everything."""

    def __init__(self, chunks, streamed: int, on_progress=None):
        self.chunks = chunks
        self.streamed = streamed
        self.on_progress = on_progress
        self.done = 0
        self.buffer = memoryview(b"")
        self.kept = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)

    def read(self, size: int = -1) -> bytes:
        while not self.buffer:
            chunk = next(self.chunks, None)
            if chunk is None:
                return b""
            self.kept.write(chunk[1 - self.streamed])
            self.buffer = memoryview(chunk[self.streamed])
            self.progress(chunk[2])
        size = len(self.buffer) if size is None or size < 0 else size
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out.tobytes()

    def progress(self, position: int) -> None:
        if self.on_progress and position > self.done:
            self.on_progress(position - self.done)
        self.done = max(self.done, position)

    def rest(self):
        """The kept rows, from the start (call after COPY has read the streamed ones to the end)."""
        self.kept.seek(0)
        return self.kept

    def close(self) -> None:
        self.kept.close()
        close = getattr(self.chunks, "close", None)
        if close:
            close()
