"""Feed lines -> typed COPY rows for feed_record, decoded with msgspec and checked by the contract validator.

Each non-blank line becomes one of three things:
- a typed row of feed_record (`line_number, reason, <spec columns>[, line_hash]`, text COPY format): the
  database gets values, not JSON to parse again;
- a feed_line row with its reject reason in `read_error` (NUL, invalid UTF-8, not an object, a broken rule),
  which the SQL step turns into a reject like any read error, keeping the line's text for ops.load_reject;
- a feed_line row without a reason: a line the validator leaves `Undecided` (or msgspec cannot decode), for
  the SQL checks to decide exactly as PostgreSQL reads it.
"""
import operator
import re

import msgspec

from loader.contract_validator import ABSENT, ContractValidator, Undecided, json_type
from loader.feed_reader import is_clean, line_row
from loader.line_fingerprint import LineFingerprint
from loader.spec import Column, FeedSpec

NULL = "\\N"
SPACE = b" \t\n\r\x0b\x0c"
COPY_SPECIALS = re.compile(r"[\\\t\n\r]")
COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
INTEGER_RANGES = {"smallint": 1 << 15, "integer": 1 << 31, "bigint": 1 << 63}
# jsonb refuses the escaped NUL (\u0000): such lines go to PostgreSQL, which words the reason.
ESCAPED_NUL = b"\\u0000"


def copy_text(text: str) -> str:
    return COPY_SPECIALS.sub(lambda found: COPY_ESCAPES[found.group()], text) if COPY_SPECIALS.search(text) else text


def array_literal(items: list) -> str:
    if not all(isinstance(item, str) for item in items):
        raise Undecided
    quoted = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items)
    return copy_text("{" + ",".join(quoted) + "}")


def text_value(value) -> str:
    if value is None or value is ABSENT:
        return NULL
    if not isinstance(value, str):
        raise Undecided
    return copy_text(value)


def numeric_value(value) -> str:
    if value is None or value is ABSENT:
        return NULL
    if json_type(value) != "number" and not isinstance(value, str):
        raise Undecided
    return copy_text(str(value))


def boolean_value(value) -> str:
    if value is None or value is ABSENT:
        return NULL
    if not isinstance(value, bool):
        raise Undecided
    return "t" if value else "f"


def integer_value(limit: int):
    def convert(value) -> str:
        if value is None or value is ABSENT:
            return NULL
        if json_type(value) != "number" or not -limit <= value < limit or value != int(value):
            raise Undecided  # beyond the column's type: the SQL cast fails the same way for both
        return str(int(value))
    return convert


def array_value(value) -> str:
    if value is ABSENT:
        return "{}"
    if not isinstance(value, list):
        raise Undecided
    return array_literal(value)


def converter(column: Column):
    """The COPY text of a checked record's field, as the column's SQL type reads it."""
    if column.sql_type in INTEGER_RANGES:
        return integer_value(INTEGER_RANGES[column.sql_type])
    return {"text[]": array_value, "numeric": numeric_value, "boolean": boolean_value}.get(column.sql_type, text_value)


class TypedRows:
    """Turns blocks of whole feed lines into (feed_line rows, feed_record rows), both COPY text."""

    def __init__(self, spec: FeedSpec):
        self.validator = ContractValidator(spec)
        self.values = operator.attrgetter(*(column.field for column in spec.columns))
        self.converters = tuple(converter(column) for column in spec.columns)
        self.fingerprint = LineFingerprint(spec.observed_at.field) if spec.fingerprint_lines else None

    def rows(self, block: bytes, first_number: int) -> tuple[bytes, bytes]:
        lines, records = [], []
        clean = is_clean(block)
        for number, line in enumerate(block.split(b"\n")[:-1], first_number):
            if not line.strip(SPACE):
                continue  # blank: the SQL checks skip such lines too
            if not clean and not is_clean(line):
                lines.append(line_row(number, line, self.fingerprint))
                continue
            try:
                reason, columns = self.checked(line)
            except (Undecided, msgspec.DecodeError):
                lines.append(line_row(number, line, self.fingerprint))
                continue
            if reason is None:
                records.append(f"{number}\t{NULL}\t{columns}\n")
            else:
                lines.append(line_row(number, line, self.fingerprint, error=reason))
        return b"".join(lines), "".join(records).encode()

    def checked(self, line: bytes) -> tuple[str | None, str | None]:
        """(reason, None) for a record that breaks the contract, else (None, its typed columns as COPY text)."""
        if ESCAPED_NUL in line:
            raise Undecided
        reason, record = self.validator.decode(line)
        if reason is not None:
            return reason, None
        columns = [convert(value) for convert, value in zip(self.converters, self.values(record))]
        if self.fingerprint:
            parts = self.fingerprint.parts(line)
            columns.append(parts[0] if parts else NULL)
        return None, "\t".join(columns)
