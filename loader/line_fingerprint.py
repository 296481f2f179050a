"""A feed line's fingerprint: the md5 of its bytes with the observed-at value cut out, and that value.

Spiders write every crawl of a listing the same way, so a rescrape's line for an unchanged listing differs
from the last one only in its scraped_at. Two lines with equal fingerprints are the same record but for that
time, and the loader recognises such a line by an index lookup instead of parsing and checking it again.

The value is taken only where it is unambiguous: the quoted key appears exactly once in the line and its
value is a plain string (no escapes). In valid JSON an unescaped `"key"` followed by `:` can only be an
object key, and a record that passed the contract has the key at its top level; any other line gets no
fingerprint and is parsed as usual.
"""
import hashlib
import re

NO_FINGERPRINT = b"\t\\N\t\\N"


class LineFingerprint:
    def __init__(self, field: str):
        self.key = b'"' + field.encode() + b'"'
        self.pattern = re.compile(re.escape(self.key) + rb'\s*:\s*"([^"\\\x00-\x1f]*)"')

    def parts(self, line: bytes) -> tuple[str, bytes] | None:
        """The fingerprint (hex md5) and the value, or None when the line has no unambiguous value."""
        at = line.find(self.key)
        if at < 0 or line.find(self.key, at + 1) >= 0:
            return None
        found = self.pattern.match(line, at)
        if found is None:
            return None
        start, end = found.span(1)
        return hashlib.md5(line[:start] + line[end:], usedforsecurity=False).hexdigest(), found.group(1)

    def columns(self, line: bytes) -> bytes:
        """The two extra COPY columns (tab-led) for a clean line: fingerprint as a uuid, and the value."""
        parts = self.parts(line)
        if parts is None:
            return NO_FINGERPRINT
        return b"\t" + parts[0].encode() + b"\t" + parts[1]
