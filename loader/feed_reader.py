"""Feed files on disk -> rows for `COPY feed_line (raw, read_error) from stdin` (text format).

Formats: JSON lines (`.jl`, `.jsonl`, gzip-compressed `.jl.gz`, `.jsonl.gz`) and JSON arrays (`.json`).
Lines go to PostgreSQL as they are (it parses and validates them); Python only splits, escapes for COPY and
catches what PostgreSQL text cannot hold: NUL bytes and invalid UTF-8 become rows with a read_error and the
line made visible (undecodable bytes as \\xNN). With a `LineFingerprint`, each clean line also carries its
fingerprint and observed-at text. `*.tmp` files are still being written and are never read.
"""
import gzip
import hashlib
import json
from pathlib import Path

from foundation.errors import PricewatchError
from loader.line_fingerprint import NO_FINGERPRINT, LineFingerprint

LINE_SUFFIXES = (".jl", ".jsonl", ".jl.gz", ".jsonl.gz")
ARRAY_SUFFIXES = (".json",)
SIDECAR_SUFFIX = ".stats.json"
CHUNK_BYTES = 8 << 20
NO_ERROR = b"\t\\N\n"


def is_feed(path: Path) -> bool:
    name = path.name
    return name.endswith(LINE_SUFFIXES + ARRAY_SUFFIXES) and not name.endswith(SIDECAR_SUFFIX)


def feed_paths(paths) -> list[Path]:
    """The feed files named by `paths`; a directory stands for every feed file under it, sorted by path."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_feed(p)))
        elif path.name.endswith(".tmp"):
            raise PricewatchError(f"{path}: still being written (.tmp files are never loaded)")
        elif not path.exists():
            raise PricewatchError(f"{path}: no such file or directory")
        elif not is_feed(path):
            raise PricewatchError(f"{path}: not a feed file (expected {', '.join(LINE_SUFFIXES + ARRAY_SUFFIXES)})")
        else:
            found.append(path)
    return found


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                digest.update(chunk)
    except OSError as exc:
        raise PricewatchError(f"{path}: cannot read: {exc.strerror}") from exc
    return digest.hexdigest()


def copy_escape(data: bytes) -> bytes:
    return data.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\r", b"\\r")


def visible(line: bytes) -> str:
    """The line as text a person can read: undecodable bytes as \\xNN, NULs as \\x00."""
    return line.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")


def line_rows(block: bytes, fingerprint: LineFingerprint | None = None) -> bytes:
    """COPY rows for a block of whole lines (ending with a newline)."""
    if b"\x00" not in block:
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if fingerprint is None:
                return copy_escape(block).replace(b"\n", NO_ERROR)
            # Escaping never adds a newline: the escaped block splits into the same lines.
            return b"".join(escaped + b"\t\\N" + fingerprint.columns(line) + b"\n"
                            for line, escaped in zip(block.split(b"\n")[:-1], copy_escape(block).split(b"\n")))
    rows = []
    unmarked = NO_FINGERPRINT if fingerprint else b""
    for line in block.split(b"\n")[:-1]:
        error = None
        if b"\x00" in line:
            error = "NUL byte in line"
        else:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                error = f"invalid UTF-8 at byte {exc.start + 1}"
        if error is None:
            marks = fingerprint.columns(line) if fingerprint else b""
            rows.append(copy_escape(line) + b"\t\\N" + marks + b"\n")
        else:
            rows.append(copy_escape(visible(line).encode()) + b"\t" + copy_escape(error.encode()) + unmarked + b"\n")
    return b"".join(rows)


class FeedRows:
    """A file-like object COPY reads: the feed's rows, produced chunk by chunk; `done` counts bytes on disk."""

    def __init__(self, path: Path, on_progress=None, fingerprint: LineFingerprint | None = None):
        self.path = path
        self.fingerprint = fingerprint
        self.on_progress = on_progress
        self.done = 0
        self.chunks = self.produce()
        self.buffer = memoryview(b"")
        # What stopped reading: COPY reports it only as "COPY from stdin failed", so the loader asks here.
        self.error: PricewatchError | None = None

    def produce(self):
        try:
            with open(self.path, "rb") as raw:
                if self.path.name.endswith(ARRAY_SUFFIXES):
                    yield self.array_rows(raw.read())
                else:
                    yield from self.lines(raw)
                self.progress(raw.tell())
        except (OSError, EOFError) as exc:
            raise PricewatchError(f"{self.path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from exc

    def lines(self, raw):
        stream = gzip.GzipFile(fileobj=raw) if self.path.name.endswith(".gz") else raw
        carry = b""
        while chunk := stream.read(CHUNK_BYTES):
            block = carry + chunk
            end = block.rfind(b"\n") + 1
            carry = block[end:]
            if end:
                yield line_rows(block[:end], self.fingerprint)
            self.progress(raw.tell())
        if carry:
            yield line_rows(carry + b"\n", self.fingerprint)

    def array_rows(self, data: bytes) -> bytes:
        try:
            records = json.loads(data)
        except (UnicodeDecodeError, ValueError) as exc:
            raise PricewatchError(f"{self.path}: not a JSON array of records: {exc}") from exc
        if not isinstance(records, list):
            raise PricewatchError(f"{self.path}: not a JSON array of records (top level is {type(records).__name__})")
        lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        return line_rows(lines.encode("utf-8", "surrogatepass"), self.fingerprint)

    def progress(self, position: int) -> None:
        if self.on_progress and position > self.done:
            self.on_progress(position - self.done)
        self.done = max(self.done, position)

    def read(self, size: int = -1) -> bytes:
        while not self.buffer:
            try:
                chunk = next(self.chunks, None)
            except PricewatchError as exc:
                self.error = exc
                raise
            if chunk is None:
                return b""
            self.buffer = memoryview(chunk)
        size = len(self.buffer) if size is None or size < 0 else size
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out.tobytes()
