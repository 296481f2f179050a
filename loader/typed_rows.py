"""Feed lines -> typed COPY rows for feed_record, decoded with msgspec and checked by the contract validator.

Each non-blank line becomes one of three things:
- a typed row of feed_record (`line_number, reason, <spec columns>[, line_hash]`, text COPY format): the
  database gets values, not JSON to parse again;
- a feed_line row with its reject reason in `read_error` (NUL, invalid UTF-8, not an object, a broken rule),
  which the SQL step turns into a reject like any read error, keeping the line's text for ops.load_reject;
- a feed_line row without a reason: a line the validator leaves `Undecided` (or msgspec cannot decode), for
  the SQL checks to decide exactly as PostgreSQL reads it.
"""
import itertools
import operator
import re
from collections.abc import Sequence

import msgspec

from loader.contract_validator import ABSENT, ContractValidator, Undecided, json_type
from loader.feed_reader import is_clean, line_row
from loader.line_fingerprint import LineFingerprint
from loader.spec import Column, FeedSpec

NULL = "\\N"
SPACE = b" \t\n\r\x0b\x0c"
COPY_SPECIALS = re.compile(r"[\\\t\n\r]")
COPY_SPECIALS_BUT_BACKSLASH = re.compile(r"[\t\n\r]")
COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
BOOLEANS = {True: "t", False: "f", None: NULL, ABSENT: NULL}
INTEGER_RANGES = {"smallint": 1 << 15, "integer": 1 << 31, "bigint": 1 << 63}
# jsonb refuses the escaped NUL (\u0000): such lines go to PostgreSQL, which words the reason.
ESCAPED_NUL = b"\\u0000"


def copy_text(text: str) -> str:
    return COPY_SPECIALS.sub(lambda found: COPY_ESCAPES[found.group()], text) if COPY_SPECIALS.search(text) else text


def is_missing(value) -> bool:
    return value is None or value is ABSENT


def number_text(value) -> str:
    if json_type(value) != "number":
        raise Undecided
    return str(value)


def text_column(values: list, numbers=False) -> list[str]:
    """COPY text of a column of strings (or, for numeric columns, numbers), nulls as \\N. Escaping is
    rare, so the column is checked once as a whole and escaped value by value only when it needs it."""
    out = [NULL if value is None or value is ABSENT else value if type(value) is str
           else number_text(value) if numbers else None for value in values]
    try:
        joined = "".join(out)
    except TypeError:
        raise Undecided from None
    if joined.count("\\") != values.count(None) + values.count(ABSENT) or COPY_SPECIALS_BUT_BACKSLASH.search(joined):
        out = [NULL if is_missing(value) else copy_text(text) for value, text in zip(values, out)]
    return out


def numeric_column(values: list) -> list[str]:
    return text_column(values, numbers=True)


def undecided():
    raise Undecided


def boolean_column(values: list) -> list[str]:
    return [BOOLEANS[value] if type(value) is bool or is_missing(value) else undecided() for value in values]


def integer_column(limit: int):
    def integer(value) -> str:
        if is_missing(value):
            return NULL
        if json_type(value) != "number" or not -limit <= value < limit or value != int(value):
            raise Undecided  # beyond the column's type: the SQL cast fails the same way for both
        return str(int(value))

    def column(values: list) -> list[str]:
        return [str(value) if type(value) is int and -limit <= value < limit else integer(value) for value in values]
    return column


def array_literal(value) -> str:
    """A JSON array of strings as a text[] literal, in COPY text; a missing array is an empty one."""
    if value is ABSENT:
        return "{}"
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Undecided
    quoted = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in value)
    return copy_text("{" + ",".join(quoted) + "}")


def array_column(values: list) -> list[str]:
    """Arrays repeat (platforms): each distinct one is written once per block."""
    written = {}
    out = []
    for value in values:
        key = tuple(value) if type(value) is list else value
        try:
            literal = written.get(key)
        except TypeError:
            raise Undecided from None
        if literal is None:
            literal = written[key] = array_literal(value)
        out.append(literal)
    return out


def column_converter(column: Column):
    """COPY text of a column of checked values, as the column's SQL type reads them."""
    if column.sql_type in INTEGER_RANGES:
        return integer_column(INTEGER_RANGES[column.sql_type])
    return {"text[]": array_column, "numeric": numeric_column, "boolean": boolean_column}.get(column.sql_type,
                                                                                            text_column)


class TypedRows:
    """Turns blocks of whole feed lines into (feed_line rows, feed_record rows), both COPY text. Records are
    checked one by one and typed column by column, a block at a time."""

    def __init__(self, spec: FeedSpec):
        self.validator = ContractValidator(spec)
        self.columns = tuple((operator.attrgetter(column.field), column_converter(column)) for column in spec.columns)
        self.fingerprint = LineFingerprint(spec.observed_at.field) if spec.fingerprint_lines else None

    def rows(self, block: bytes, numbers: int | Sequence[int]) -> tuple[bytes, bytes]:
        """`numbers`: the number of the block's first line when its lines are consecutive, else each line's."""
        lines, valid = [], []
        clean = is_clean(block)
        numbered = itertools.count(numbers) if isinstance(numbers, int) else numbers
        for number, line in zip(numbered, block.split(b"\n")[:-1]):
            if not line.strip(SPACE):
                continue  # blank: the SQL checks skip such lines too
            if not clean and not is_clean(line):
                lines.append(line_row(number, line, self.fingerprint))
                continue
            try:
                if ESCAPED_NUL in line:
                    raise Undecided
                reason, record = self.validator.decode(line)
            except (Undecided, msgspec.DecodeError):
                lines.append(line_row(number, line, self.fingerprint))
                continue
            if reason is None:
                valid.append((number, line, record))
            else:
                lines.append(line_row(number, line, self.fingerprint, error=reason))
        try:
            records = self.typed(valid)
        except Undecided:  # rare: find the records to leave to the SQL checks, one at a time
            records = []
            for one in valid:
                try:
                    records.append(self.typed([one]))
                except Undecided:
                    lines.append(line_row(one[0], one[1], self.fingerprint))
            records = "".join(records)
        return b"".join(lines), records.encode()

    def typed(self, valid: list) -> str:
        """feed_record COPY rows of checked records: (line number, line, record) each."""
        if not valid:
            return ""
        numbers, lines, records = zip(*valid)
        columns = [convert(list(map(value, records))) for value, convert in self.columns]
        if self.fingerprint:
            columns.append([parts[0] if (parts := self.fingerprint.parts(line)) else NULL for line in lines])
        return "".join(f"{number}\t{NULL}\t{row}\n" for number, row in zip(numbers, map("\t".join, zip(*columns))))
