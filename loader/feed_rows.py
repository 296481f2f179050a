"""A feed file as COPY rows for the two work tables, made on a second core while the first one COPYs.

`feed_rows(path, spec, decode)` yields `(line rows, record rows, bytes read from disk)` per block of lines:
with `decode`, records typed in Python (loader.typed_rows) and the few lines the database must see as text;
without it (a rescrape taken by fingerprint), every line as text with its fingerprint and no record.
A file of WORKER_MIN_BYTES or more is read, decoded and checked in a worker process, so Python's work runs
beside the database's instead of before it; the worker dies with the pipe if the loader does.

`CopyStreams` hands COPY one kind of rows as a file-like object while it keeps the other kind aside (in
memory, on disk when large) for the second COPY.
"""
import multiprocessing
import tempfile

from foundation.errors import PricewatchError
from loader.feed_reader import blocks, line_rows
from loader.line_fingerprint import LineFingerprint
from loader.spec import FeedSpec
from loader.typed_rows import TypedRows

WORKER_MIN_BYTES = 1 << 20
SPOOL_IN_MEMORY = 64 << 20


def rows_in_process(path, spec: FeedSpec, decode: bool):
    typed = TypedRows(spec) if decode else None
    fingerprint = LineFingerprint(spec.observed_at.field) if spec.fingerprint_lines else None
    number = 1
    for block, position in blocks(path):
        if typed:
            lines, records = typed.rows(block, number)
        else:
            lines, records = line_rows(block, number, fingerprint), b""
        number += block.count(b"\n")
        yield lines, records, position


def worker(pipe, path, spec: FeedSpec, decode: bool) -> None:
    try:
        for chunk in rows_in_process(path, spec, decode):
            pipe.send(chunk)
        pipe.send(None)
    except BrokenPipeError:
        return  # the loader is gone (killed, or its transaction failed): nothing to hand over
    except Exception as exc:  # noqa: BLE001 - handed to the loader, which raises it
        pipe.send(exc)
    finally:
        pipe.close()


def rows_in_worker(path, spec: FeedSpec, decode: bool):
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=worker, args=(sending, path, spec, decode), daemon=True,
                              name=f"pricewatch-loader-rows {path.name}")
    process.start()
    sending.close()
    try:
        while (chunk := receiving.recv()) is not None:
            if isinstance(chunk, Exception):
                raise chunk
            yield chunk
    except EOFError:
        process.join(timeout=5)
        raise PricewatchError(f"{path}: the process reading the file stopped (exit code {process.exitcode})") from None
    finally:
        receiving.close()
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()


def feed_rows(path, spec: FeedSpec, decode: bool):
    if path.stat().st_size >= WORKER_MIN_BYTES:
        return rows_in_worker(path, spec, decode)
    return rows_in_process(path, spec, decode)


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
