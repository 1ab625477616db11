"""Shopify's search syntax (the `query:` argument of `orders`, `products`, `customers`), parsed into a tree.

    email:ann@x.fr                  field term
    name:"#1001"                    quoted value (\\" and \\\\ escapes)
    created_at:>=2026-01-01         comparison (> >= < <=)
    email:ann@x.fr AND name:#1001   AND, OR (upper case only: a lower-case `and` is a word), implicit AND
    -status:cancelled  NOT tag:x    negation
    (a OR b) c                      grouping
    dupont                          a bare word: searched in the resource's default fields

`parse(text)` gives a `Node`; `evaluate(node, match)` calls `match(term)` for each `Term` and combines. A syntax
error raises `SearchSyntaxError`. The matching rules are the resource's (see shopify.py), not this module's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class SearchSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    field: str | None   # None for a bare word
    op: str             # ":" or ">", ">=", "<", "<="
    value: str
    quoted: bool = False


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Not | And | Or


def _tokens(text: str) -> list[tuple[str, object]]:
    """("(", None), (")", None), ("word", (raw_text, quoted_value_or_None, has_field)), ("-", None)."""
    tokens: list[tuple[str, object]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            tokens.append((c, None))
            i += 1
            continue
        if c == "-" and i + 1 < n and not text[i + 1].isspace():  # at the start of a word: negation
            tokens.append(("-", None))
            i += 1
            continue
        # A word: up to whitespace or a parenthesis, with quoted parts kept whole.
        start = i
        parts: list[str] = []
        while i < n and not text[i].isspace() and text[i] not in "()":
            if text[i] == '"':
                i += 1
                buf: list[str] = []
                while True:
                    if i >= n:
                        raise SearchSyntaxError(f"unterminated quote in {text[start:]!r}")
                    if text[i] == "\\" and i + 1 < n:
                        buf.append(text[i + 1])
                        i += 2
                        continue
                    if text[i] == '"':
                        i += 1
                        break
                    buf.append(text[i])
                    i += 1
                parts.append("\0" + "".join(buf))  # marks a quoted part: its colons are not a field separator
            else:
                parts.append(text[i])
                i += 1
        tokens.append(("word", parts))
    return tokens


def _term(parts: list[str]) -> Term:
    quoted = any(p.startswith("\0") for p in parts)
    # The field is what comes before the first unquoted colon.
    field_name: str | None = None
    rest = parts
    for index, part in enumerate(parts):
        if part == ":":
            candidate = "".join(parts[:index])
            if candidate and "\0" not in candidate and candidate.replace("_", "").replace(".", "").isalnum():
                field_name = candidate.lower()
                rest = parts[index + 1:]
            break
    value = "".join(p.lstrip("\0") if p.startswith("\0") else p for p in rest)
    op = ":"
    if field_name is not None and not (rest and rest[0].startswith("\0")):
        for candidate_op in (">=", "<=", ">", "<"):
            if value.startswith(candidate_op):
                op, value = candidate_op, value[len(candidate_op):]
                break
    return Term(field_name, op, value, quoted)


class _Parser:
    def __init__(self, tokens: list[tuple[str, object]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, object] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def is_keyword(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] == list(word)

    def parse_or(self) -> Node:
        nodes = [self.parse_and()]
        while self.is_keyword("OR"):
            self.pos += 1
            nodes.append(self.parse_and())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def parse_and(self) -> Node:
        nodes = [self.parse_unary()]
        while True:
            token = self.peek()
            if token is None or token[0] == ")" or self.is_keyword("OR"):
                break
            if self.is_keyword("AND"):
                self.pos += 1
            nodes.append(self.parse_unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise SearchSyntaxError("unexpected end of query")
        if token[0] == "-" or self.is_keyword("NOT"):
            self.pos += 1
            return Not(self.parse_unary())
        if token[0] == "(":
            self.pos += 1
            node = self.parse_or()
            if self.peek() != (")", None):
                raise SearchSyntaxError("missing closing parenthesis")
            self.pos += 1
            return node
        if token[0] == ")":
            raise SearchSyntaxError("unexpected closing parenthesis")
        self.pos += 1
        parts = token[1]
        assert isinstance(parts, list)
        return _term(parts)


def parse(text: str) -> Node | None:
    """The tree for `text`, or None for an empty query (which matches everything)."""
    tokens = _tokens(text or "")
    if not tokens:
        return None
    parser = _Parser(tokens)
    node = parser.parse_or()
    if parser.peek() is not None:
        raise SearchSyntaxError("unexpected closing parenthesis")
    return node


def evaluate(node: Node | None, match: Callable[[Term], bool]) -> bool:
    if node is None:
        return True
    if isinstance(node, Term):
        return match(node)
    if isinstance(node, Not):
        return not evaluate(node.node, match)
    if isinstance(node, And):
        return all(evaluate(child, match) for child in node.nodes)
    return any(evaluate(child, match) for child in node.nodes)


def terms(node: Node | None) -> list[Term]:
    if node is None:
        return []
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return terms(node.node)
    return [t for child in node.nodes for t in terms(child)]
