"""A small SOQL parser for the Salesforce sandbox (evaluation: ``_soql_eval``).

Supported::

    SELECT field, Rel.field, COUNT(), (SELECT f FROM ChildRel [WHERE] [ORDER BY] [LIMIT])
    FROM Object
    [WHERE cond]      cond: AND / OR / NOT / ( ), =, !=, <>, <, <=, >, >=, LIKE,
                      IN (...), NOT IN (...); values: 'strings', numbers, true/false/null,
                      dates, datetimes, TODAY / YESTERDAY / TOMORROW
    [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]

Anything else is ``MALFORMED_QUERY`` (never a guess that could return wrong rows); an
unknown field is ``INVALID_FIELD``; a value of the wrong type for its field (a quoted
date, an unquoted string) is ``INVALID_FIELD`` as in a real org.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from integrations.sandbox._sf_store import SalesforceFault

__all__ = ["BoolOp", "Comparison", "Condition", "Like", "Query", "Token", "parse"]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^'\\]|\\.)*')
    | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
    | (?P<date>\d{4}-\d{2}-\d{2})(?![\d:T])
    | (?P<number>-?\d+(?:\.\d+)?)(?![\w.])
    | (?P<op><=|>=|!=|<>|=|<|>)
    | (?P<punct>[(),])
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b",
            "f": "\f"}  # fmt: skip
_KEYWORDS = {"select", "from", "where", "and", "or", "not", "in", "like", "order", "by",
             "asc", "desc", "nulls", "first", "last", "limit", "offset", "true", "false",
             "null", "count"}  # fmt: skip


def _malformed(detail: str) -> SalesforceFault:
    return SalesforceFault(400, "MALFORMED_QUERY", detail)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    value: object = None


class Like:
    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern


def _unescape(body: str, *, like: bool) -> tuple[str, str]:
    """Return (plain value, LIKE regex source)."""
    plain: list[str] = []
    regex: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body):
                raise _malformed("invalid escape sequence")
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                plain.append(_ESCAPES[nxt])
                regex.append(re.escape(_ESCAPES[nxt]))
                i += 2
            elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
                char = chr(int(body[i + 2 : i + 6], 16))
                plain.append(char)
                regex.append(re.escape(char))
                i += 6
            elif nxt in "%_" and like:
                plain.append("\\" + nxt)
                regex.append(re.escape(nxt))
                i += 2
            else:
                raise _malformed(f"invalid escape sequence \\{nxt}")
            continue
        plain.append(ch)
        regex.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return "".join(plain), "".join(regex)


def tokenize(soql: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    soql = soql.rstrip()
    while pos < len(soql):
        match = _TOKEN.match(soql, pos)
        if match is None or match.end() == pos:
            raise _malformed(f"unexpected character at position {pos}")
        pos = match.end()
        kind = match.lastgroup
        assert kind is not None
        text = match.group(kind)
        tokens.append(Token(kind, text))
    return tokens


@dataclass
class Comparison:
    path: str
    op: str
    value: object  # scalar, list for IN, _Like for LIKE, or literal token


@dataclass
class BoolOp:
    op: str  # and / or / not
    parts: list[Condition]


Condition = Comparison | BoolOp


@dataclass
class OrderKey:
    path: str
    descending: bool
    nulls_first: bool


@dataclass
class Query:
    sobject: str
    fields: list[str]
    children: list[Query] = field(default_factory=list)
    relationship: str | None = None  # for child subqueries
    count_only: bool = False
    where: Condition | None = None
    order: list[OrderKey] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0


class _Parser:
    def __init__(self, tokens: list[Token], today: dt.date) -> None:
        self.tokens = tokens
        self.pos = 0
        self.today = today

    def peek(self, offset: int = 0) -> Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def is_kw(self, word: str, offset: int = 0) -> bool:
        tok = self.peek(offset)
        return tok is not None and tok.kind == "ident" and tok.text.lower() == word

    def expect_kw(self, word: str) -> None:
        if not self.is_kw(word):
            raise _malformed(f"expected {word.upper()}")
        self.pos += 1

    def expect_punct(self, char: str) -> None:
        tok = self.peek()
        if tok is None or tok.text != char:
            raise _malformed(f"expected '{char}'")
        self.pos += 1

    def ident(self, *, object_name: bool = False) -> str:
        tok = self.peek()
        # Object names may be keywords (FROM Order); field names may not.
        reserved = tok is not None and tok.text.lower() in _KEYWORDS and not object_name
        if tok is None or tok.kind != "ident" or reserved:
            raise _malformed("expected a field or object name")
        self.pos += 1
        return tok.text

    def number(self) -> int:
        tok = self.peek()
        if tok is None or tok.kind != "number" or not tok.text.isdigit():
            raise _malformed("expected a non-negative integer")
        self.pos += 1
        return int(tok.text)

    def query(self, *, nested: bool) -> Query:
        self.expect_kw("select")
        fields: list[str] = []
        children: list[Query] = []
        count_only = False
        while True:
            tok = self.peek()
            if tok is not None and tok.text == "(" and not nested:
                self.pos += 1
                children.append(self.query(nested=True))
                self.expect_punct(")")
            elif self.is_kw("count") and (p := self.peek(1)) is not None and p.text == "(":
                self.pos += 2
                self.expect_punct(")")
                count_only = True
            else:
                fields.append(self.ident())
            if (t := self.peek()) is not None and t.text == ",":
                self.pos += 1
                continue
            break
        self.expect_kw("from")
        sobject = self.ident(object_name=True)
        query = Query(sobject=sobject, fields=fields, children=children, count_only=count_only)
        if count_only and (fields or children):
            raise _malformed("COUNT() must be the only select item")
        if self.is_kw("where"):
            self.pos += 1
            query.where = self.condition()
        if self.is_kw("order"):
            self.pos += 1
            self.expect_kw("by")
            query.order = self.order_keys()
        if self.is_kw("limit"):
            self.pos += 1
            query.limit = self.number()
        if self.is_kw("offset"):
            if nested:
                raise _malformed("OFFSET is not allowed in a subquery")
            self.pos += 1
            query.offset = self.number()
            if query.offset > 2000:
                raise SalesforceFault(
                    400, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000"
                )
        return query

    def order_keys(self) -> list[OrderKey]:
        keys: list[OrderKey] = []
        while True:
            path = self.ident()
            descending = False
            if self.is_kw("asc") or self.is_kw("desc"):
                descending = self.is_kw("desc")
                self.pos += 1
            nulls_first = not descending
            if self.is_kw("nulls"):
                self.pos += 1
                if not (self.is_kw("first") or self.is_kw("last")):
                    raise _malformed("expected FIRST or LAST")
                nulls_first = self.is_kw("first")
                self.pos += 1
            keys.append(OrderKey(path, descending, nulls_first))
            if (t := self.peek()) is not None and t.text == ",":
                self.pos += 1
                continue
            return keys

    def condition(self) -> Condition:
        parts = [self.conjunction()]
        while self.is_kw("or"):
            self.pos += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else BoolOp("or", parts)

    def conjunction(self) -> Condition:
        parts = [self.factor()]
        while self.is_kw("and"):
            self.pos += 1
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else BoolOp("and", parts)

    def factor(self) -> Condition:
        if self.is_kw("not"):
            self.pos += 1
            return BoolOp("not", [self.factor()])
        tok = self.peek()
        if tok is not None and tok.text == "(":
            self.pos += 1
            inner = self.condition()
            self.expect_punct(")")
            return inner
        path = self.ident()
        if self.is_kw("not") and self.is_kw("in", 1):
            self.pos += 2
            return Comparison(path, "not in", self.value_list())
        if self.is_kw("in"):
            self.pos += 1
            return Comparison(path, "in", self.value_list())
        if self.is_kw("like"):
            self.pos += 1
            tok = self.peek()
            if tok is None or tok.kind != "string":
                raise _malformed("LIKE needs a string literal")
            self.pos += 1
            _, regex = _unescape(tok.text[1:-1], like=True)
            return Comparison(path, "like", Like(re.compile(f"^{regex}$", re.I | re.S)))
        tok = self.peek()
        if tok is None or tok.kind != "op":
            raise _malformed("expected an operator")
        self.pos += 1
        op = "!=" if tok.text == "<>" else tok.text
        return Comparison(path, op, self.value())

    def value_list(self) -> list[Token]:
        self.expect_punct("(")
        values = [self.value()]
        while (t := self.peek()) is not None and t.text == ",":
            self.pos += 1
            values.append(self.value())
        self.expect_punct(")")
        return values

    def value(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise _malformed("expected a value")
        self.pos += 1
        if tok.kind == "string":
            plain, _ = _unescape(tok.text[1:-1], like=False)
            return Token("string", tok.text, plain)
        if tok.kind == "number":
            return Token("number", tok.text, float(tok.text))
        if tok.kind == "date":
            return Token("date", tok.text, dt.date.fromisoformat(tok.text))
        if tok.kind == "datetime":
            text = tok.text.replace("Z", "+00:00")
            return Token("datetime", tok.text, dt.datetime.fromisoformat(text))
        if tok.kind == "ident":
            word = tok.text.lower()
            if word in {"true", "false"}:
                return Token("bool", tok.text, word == "true")
            if word == "null":
                return Token("null", tok.text, None)
            relative = {"today": 0, "yesterday": -1, "tomorrow": 1}
            if word in relative:
                day = self.today + dt.timedelta(days=relative[word])
                return Token("date", tok.text, day)
        raise _malformed(f"unexpected value {tok.text[:20]!r}")


def parse(soql: str, *, today: dt.date) -> Query:
    parser = _Parser(tokenize(soql), today)
    query = parser.query(nested=False)
    if parser.peek() is not None:
        raise _malformed("unexpected text after the query")
    return query
