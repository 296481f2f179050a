"""Feed files on disk -> rows for `COPY feed_line (raw, read_error) from stdin` (text format).

Formats: JSON lines (`.jl`, `.jsonl`, gzip-compressed `.jl.gz`, `.jsonl.gz`) and JSON arrays (`.json`).
Lines go to PostgreSQL as they are (it parses and validates them); Python only splits, escapes for COPY and
catches what PostgreSQL text cannot hold: NUL bytes and invalid UTF-8 become rows with a read_error and the
line made visible (undecodable bytes as \\xNN). With a `LineFingerprint`, each clean line also carries its
fingerprint; `fingerprint_rows` gives fingerprints and observed-at values alone, for a rescrape's first pass.
`*.tmp` files are still being written and are never read. Gzip is decompressed by python-isal (ISA-L's
inflate, twice zlib's speed here), a drop-in for the standard library's GzipFile.
"""
import hashlib
import json
from pathlib import Path

from isal import igzip
from isal.igzip_lib import IsalError

from foundation.errors import PricewatchError
from loader.line_fingerprint import NO_FINGERPRINT, NO_LINE_HASH, LineFingerprint

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


def read_error(line: bytes) -> str | None:
    """What makes a line unfit for PostgreSQL text: a NUL byte or invalid UTF-8."""
    if b"\x00" in line:
        return "NUL byte in line"
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 at byte {exc.start + 1}"
    return None


def is_clean(block: bytes) -> bool:
    """No line of the block has a read error (one check for the whole block, the usual case)."""
    if b"\x00" in block:
        return False
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def line_rows(block: bytes, first_number: int, fingerprint: LineFingerprint | None = None) -> bytes:
    """COPY rows `line_number, raw, read_error[, line_hash]` for a block of whole lines
    (ending with a newline), numbered from `first_number`."""
    lines = block.split(b"\n")[:-1]
    if is_clean(block):
        # Escaping never adds a newline: the escaped block splits into the same lines.
        escaped = copy_escape(block).split(b"\n")
        marks = [fingerprint.columns(line, value=False) for line in lines] if fingerprint else [b""] * len(lines)
        return b"".join(b"%d\t%b\t\\N%b\n" % (number, raw, mark)
                        for number, raw, mark in zip(range(first_number, first_number + len(lines)), escaped, marks))
    return b"".join(line_row(number, line, fingerprint) for number, line in enumerate(lines, first_number))


def fingerprint_rows(block: bytes, first_number: int, fingerprint: LineFingerprint) -> bytes:
    """COPY rows `line_number, line_hash, observed-at value` for a block of whole lines, without their text: null
    columns for a line without an unambiguous fingerprint (a read error, a blank line, an ambiguous value)."""
    lines = block.split(b"\n")[:-1]
    if is_clean(block):
        return fingerprint.rows(lines, first_number)
    return b"".join(b"%d%b\n" % (number, NO_FINGERPRINT) if read_error(line) else fingerprint.rows([line], number)
                    for number, line in enumerate(lines, first_number))


def line_row(number: int, line: bytes, fingerprint: LineFingerprint | None, error: str | None = None) -> bytes:
    """One COPY row of feed_line; a line with a read error is made visible and gets no fingerprint.
    `error` gives a reason found before the database (the row is then a reject as it stands)."""
    error = error or read_error(line)
    if error is None:
        marks = fingerprint.columns(line, value=False) if fingerprint else b""
        return b"%d\t%b\t\\N%b\n" % (number, copy_escape(line), marks)
    unmarked = NO_LINE_HASH if fingerprint else b""
    return b"%d\t%b\t%b%b\n" % (number, copy_escape(visible(line).encode()), copy_escape(error.encode()), unmarked)


def blocks(path: Path):
    """The feed as blocks of whole lines, each with the bytes read from disk so far: (block, position)."""
    try:
        with open(path, "rb") as raw:
            if path.name.endswith(ARRAY_SUFFIXES):
                yield array_lines(path, raw.read()), raw.tell()
                return
            stream = igzip.IGzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
            carry = b""
            while chunk := stream.read(CHUNK_BYTES):
                block = carry + chunk
                end = block.rfind(b"\n") + 1
                carry = block[end:]
                if end:
                    yield block[:end], raw.tell()
            if carry:
                yield carry + b"\n", raw.tell()
    except (OSError, EOFError, IsalError) as exc:
        raise PricewatchError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from exc


def array_lines(path: Path, data: bytes) -> bytes:
    """A JSON array feed as JSON lines, one element per line."""
    try:
        records = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PricewatchError(f"{path}: not a JSON array of records: {exc}") from exc
    if not isinstance(records, list):
        raise PricewatchError(f"{path}: not a JSON array of records (top level is {type(records).__name__})")
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    return lines.encode("utf-8", "surrogatepass")


def numbered_lines(path: Path):
    """(line_number, line) for every line of the feed, without its newline."""
    number = 0
    for block, _ in blocks(path):
        for line in block.split(b"\n")[:-1]:
            number += 1
            yield number, line


def lines_at(path: Path, numbers) -> dict[int, bytes]:
    """The lines of the feed with these numbers (the file is read again: for the few lines that need it)."""
    wanted = set(numbers)
    found = {}
    for number, line in numbered_lines(path):
        if number in wanted:
            found[number] = line
            if len(found) == len(wanted):
                break
    return found
