"""A feed line's fingerprint: the md5 of its bytes with the observed-at value cut out, and that value.

Spiders write every crawl of a listing the same way, so a rescrape's line for an unchanged listing differs
from the last one only in its scraped_at. Two lines with equal fingerprints are the same record but for that
time, and the loader recognises such a line by a join on the fingerprint instead of parsing and checking it
again.

The value is taken only where it is unambiguous: the quoted key appears exactly once in the line and its
value is a plain string (no escapes). In valid JSON an unescaped `"key"` followed by `:` can only be an
object key, and a record that passed the contract has the key at its top level; any other line gets no
fingerprint and is parsed as usual.

A rescrape's first pass fingerprints every line of the file and takes only values that pass the contract's
rules for the field (`accepts`); the verdict on each value is remembered, since a crawl writes the same
second on many lines. It also notes fingerprints it may have seen before in the file (`maybe_repeated`): a
listing on several lines of a rescrape is no pure confirmation. A bit per hash value, out of 2**27, marks
what was seen (16 MB, where a set of 1M fingerprints takes 100 MB); a bit already set makes a candidate,
about 0.4% of the lines of a 1M-line file by chance, which the database then counts exactly.
"""
import functools
import hashlib
import re

NO_FINGERPRINT = b"\t\\N\t\\N"
NO_LINE_HASH = b"\t\\N"
PLAIN_VALUE = re.compile(rb'[^"\\\x00-\x1f]*\Z')
# Verdicts on values remembered at most (distinct scrape times of one file: seconds of a crawl).
KNOWN_VALUES = 1 << 16
SEEN_BITS = 1 << 27
MD5 = functools.partial(hashlib.md5, usedforsecurity=False)


class LineFingerprint:
    """Fingerprints of lines for one field. `accepts(value: str) -> bool` narrows the values taken: a
    rescrape's first pass takes only times that pass the contract's rules for the field (a line it refuses
    gets no fingerprint and is decoded, so it gets its reason like any record)."""

    def __init__(self, field: str, accepts=None):
        self.key = b'"' + field.encode() + b'"'
        self.pattern = re.compile(re.escape(self.key) + rb'\s*:\s*"([^"]*)"')
        self.accepts = accepts
        self.verdicts = {}
        self.seen = None
        self.maybe_repeated = []

    def span(self, line: bytes) -> tuple[int, int] | None:
        """Where the value is in the line (start and end of the text between its quotes), or None."""
        key = self.key
        at = line.find(key)
        if at < 0 or line.find(key, at + 1) >= 0:
            return None
        found = self.pattern.match(line, at)
        if found is None:
            return None
        start, end = found.span(1)
        return (start, end) if self.verdict(line[start:end]) else None

    def verdict(self, value: bytes) -> bool:
        """Whether the value is taken: a plain string that `accepts` takes, remembered."""
        verdict = self.verdicts.get(value)
        if verdict is None:
            if len(self.verdicts) >= KNOWN_VALUES:
                self.verdicts.clear()
            verdict = PLAIN_VALUE.match(value) is not None and (self.accepts is None or self.accepts(value.decode()))
            self.verdicts[value] = verdict
        return verdict

    def parts(self, line: bytes) -> tuple[str, bytes] | None:
        """The fingerprint (hex md5) and the value, or None when the line has no unambiguous value."""
        span = self.span(line)
        if span is None:
            return None
        start, end = span
        return MD5(line[:start] + line[end:]).hexdigest(), line[start:end]

    def columns(self, line: bytes, value: bool = True) -> bytes:
        """The extra COPY columns (tab-led) for a clean line: the fingerprint as a uuid and, with `value` (a
        rescrape's first pass), the value; nulls for a line without one."""
        parts = self.parts(line)
        if parts is None:
            return NO_FINGERPRINT if value else NO_LINE_HASH
        return b"\t" + parts[0].encode() + (b"\t" + parts[1] if value else b"")

    def rows(self, lines, first_number: int) -> bytes:
        """COPY rows `line_number, line_hash, observed-at value` of clean lines numbered from `first_number`:
        `columns` written out in one loop, a rescrape's first pass runs it on every line of the file (in file
        order: it notes `maybe_repeated` too)."""
        key, pattern, verdicts, verdict = self.key, self.pattern, self.verdicts, self.verdict
        if self.seen is None:
            self.seen = bytearray(SEEN_BITS >> 3)
        seen, maybe_repeated = self.seen, self.maybe_repeated.append
        out = []
        append = out.append
        for number, line in enumerate(lines, first_number):
            at = line.find(key)
            found = at >= 0 and line.find(key, at + 1) < 0 and pattern.match(line, at)
            if found:
                start, end = found.span(1)
                value = line[start:end]
                if verdicts.get(value) or verdict(value):
                    digest = MD5(line[:start] + line[end:]).hexdigest()
                    bit = hash(digest) & (SEEN_BITS - 1)
                    mark, byte = 1 << (bit & 7), bit >> 3
                    if seen[byte] & mark:
                        maybe_repeated(digest)
                    else:
                        seen[byte] |= mark
                    append(b"%d\t%b\t%b\n" % (number, digest.encode(), value))
                    continue
            append(b"%d%b\n" % (number, NO_FINGERPRINT))
        return b"".join(out)
