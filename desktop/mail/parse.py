"""Raw RFC 5322 bytes → `ParsedMessage`: fast, total (never raises) and bounded on hostile input.

The sync calls `parse_message` for every message it fetches, so this is its hot path. The `email`
package's modern API (`policy=default`) parses ~530 messages/s, its compat32 API ~2,300/s
(shared/reference/performance.md), so the structure comes from compat32 and everything the modern
API would add is done here, cheaply and more tolerantly:

- headers: RFC 2047 words anywhere (also split multi-byte characters, unknown or broken charsets), raw
  8-bit UTF-8 or Latin-1; charset chain declared → UTF-8 → declared/cp1252 with replacement;
- addresses: `getaddresses` plus the strict checks of the CVE-2023-27043 fix (python/cpython#102988,
  not in 3.11.7) and a few of our own, so an address is never guessed: what is ambiguous is dropped
  and noted in `defects`;
- date in UTC, or INTERNALDATE when missing, broken or absurd; ids without angle brackets;
- body: text/plain preferred per multipart/alternative, else the HTML as visible text; sanitised HTML
  for display; attachments with RFC 2231/2047 names; hidden HTML text and invisible Unicode removed
  from the text and reported in `hidden` (security.md 4.3).

compat32 itself is made about twice as fast without changing what it builds (`compat32_message`; a
test compares the trees on the whole corpus): no regex compiled per multipart boundary, no end-of-part
checks on lines that cannot be boundaries, content types remembered. Where 3.11's compat32 raises on
odd input (an RFC 2231 charset in `get_payload`, a NUL in a boundary's charset) the part is read the
way a missing parameter would be.

Bounds (security.md 6 and 8 G): message size, header block size, line count, MIME delimiter count,
long Content-* parameters (the quadratic `_parseparam` of python/cpython#136063), nesting depth, part
count, part size, text size. Anything past a bound is skipped and noted in `defects`; the raw message
is what the sync keeps, so nothing is lost. An exception anywhere yields a message with `parse_error`
set and what a crude header scan could recover. A wall-clock limit per message (security.md: 2 s)
belongs to the caller, which parses in worker processes.
"""

from __future__ import annotations

import binascii
import codecs
import email.feedparser
import email.utils
import re
import types
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.feedparser import FeedParser
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from functools import lru_cache
from typing import Any, TypeVar

from desktop.core.mail import Address, Attachment, ParsedMessage
from desktop.mail.html import html_to_text, may_hide, sanitize_html, strip_invisible

_T = TypeVar("_T")

__all__ = ["compat32_message", "decode_bytes", "decode_header_text", "guess_language", "parse_addresses",
           "parse_message"]

MAX_MESSAGE_BYTES = 48 * 1024 * 1024  # providers cap at 25-50 MB; beyond, the rest is not parsed
MAX_HEADER_BLOCK = 512 * 1024  # real header blocks are < 100 KB
MAX_LINES = 1_500_000  # compat32 costs ~0.3 µs a line: bounds the parse at ~0.5 s
MAX_DELIMITERS = 10_000  # "--" lines, i.e. MIME parts at most
MAX_PARAM_HEADER = 1024  # a longer Content-Type/-Disposition with many ';' is cut (quadratic parsing)
MAX_DEPTH = 32
MAX_PARTS = 500
MAX_PART_BYTES = 10 * 1024 * 1024  # encoded size: a bigger part is not decoded
MAX_TEXT_CHARS = 1_000_000
MAX_HEADER_CHARS = 64 * 1024  # of one header we read
MAX_SUBJECT_CHARS = 2000
MAX_ADDRESSES = 500
MAX_REFERENCES = 100
MAX_ID_CHARS = 998
MAX_ATTACHMENTS = 200
FUTURE_SLACK = timedelta(days=2)
OLDEST = datetime(1990, 1, 1, tzinfo=UTC)

# getaddresses(strict=True), the CVE-2023-27043 fix: in 3.13 and the 2024 security releases of older
# branches, not in the 3.11.7 this was written on (then the same checks are made here).
_STDLIB_STRICT = getattr(email.utils, "supports_strict_parsing", False)

# --- compat32, without its per-message regex compilation ---------------------------------------------------

# compat32's FeedParser compiles a regex for every multipart boundary it meets (~120 µs, a third of its
# time on typical mail, and never a cache hit: boundaries are unique). Its own `_parsegen` is reused
# unchanged with a module scope in which that one pattern becomes an equivalent plain-string matcher;
# anything else is compiled by `re` as before. The stdlib module itself is not touched.

_BOUNDARY_PREFIX = "(?P<sep>"
_BOUNDARY_SUFFIX = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_UNESCAPE = re.compile(r"\\(.)", re.S)


class _BoundaryMatch:
    __slots__ = ("end", "linesep", "sep", "ws")

    def __init__(self, sep: str, end: str | None, ws: str, linesep: str | None) -> None:
        self.sep, self.end, self.ws, self.linesep = sep, end, ws, linesep

    def group(self, name: str) -> str | None:
        return {"sep": self.sep, "end": self.end, "ws": self.ws, "linesep": self.linesep}[name]


class _Boundary:
    """`re.compile("(?P<sep>--b)(?P<end>--)?(?P<ws>[ \\t]*)(?P<linesep>\\r\\n|\\r|\\n)?$").match`, by hand."""

    __slots__ = ("sep", "size")

    def __init__(self, sep: str) -> None:
        self.sep = sep
        self.size = len(sep)

    def match(self, line: str) -> _BoundaryMatch | None:
        if not line.startswith(self.sep):
            return None
        rest = line[self.size:]
        end = None
        if rest.startswith("--"):
            end, rest = "--", rest[2:]
        tail = rest.lstrip(" \t")
        if tail and tail not in ("\r\n", "\r", "\n"):
            return None
        return _BoundaryMatch(self.sep, end, rest[: len(rest) - len(tail)], tail or None)


class _ReForFeedParser:
    """The `re` module as the cloned `_parsegen` sees it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    @staticmethod
    def compile(pattern: str, flags: int = 0) -> Any:
        if flags == 0 and pattern.startswith(_BOUNDARY_PREFIX) and pattern.endswith(_BOUNDARY_SUFFIX):
            escaped = pattern[len(_BOUNDARY_PREFIX):-len(_BOUNDARY_SUFFIX)]
            separator = _UNESCAPE.sub(r"\1", escaped)
            if re.escape(separator) == escaped:
                return _Boundary(separator)
        return re.compile(pattern, flags)


def _fast_parsegen() -> Any:
    """FeedParser._parsegen seeing `_ReForFeedParser` as `re`; None if this Python's differs in shape."""
    original = getattr(FeedParser, "_parsegen", None)
    if not isinstance(original, types.FunctionType):
        return None
    scope = dict(email.feedparser.__dict__)
    scope["re"] = _ReForFeedParser()
    return types.FunctionType(original.__code__, scope, original.__name__, original.__defaults__,
                              original.__closure__)


_BufferedSubFile: type[Any] = email.feedparser.BufferedSubFile  # type: ignore[attr-defined]  # not in typeshed


class _Lines(_BufferedSubFile):  # type: ignore[misc]  # (subclassing Any: the line above)
    """compat32's line buffer, minus most of its per-line work.

    Every line goes through each end-of-part predicate of the enclosing multiparts. Those are boundary
    matchers (`_Boundary.match`), and a boundary line starts with "--": any other line is returned at
    once. An empty string (pushed back by the parser after a false end of file) still means the end;
    a stack holding another kind of predicate (message/delivery-status) is checked as before.
    """

    def __init__(self) -> None:
        super().__init__()
        self._only_boundaries = True

    def push_eof_matcher(self, pred: Callable[[str], object]) -> None:
        if getattr(pred, "__self__", None).__class__ is not _Boundary:
            self._only_boundaries = False
        super().push_eof_matcher(pred)

    def readline(self) -> Any:
        lines = self._lines
        if lines and self._only_boundaries:
            line: str = lines[0]
            if line and not line.startswith("--"):
                return lines.popleft()
        return super().readline()

    def __next__(self) -> Any:  # readline, inlined: this runs once per line of every message
        lines = self._lines
        if lines and self._only_boundaries:
            line: str = lines[0]
            if line and not line.startswith("--"):
                return lines.popleft()
        line = super().readline()
        if line == "":
            raise StopIteration
        return line


class _Message(Message):
    """compat32's Message, remembering its content type: the parser asks for it about ten times per part,
    and each time compat32 scans (and lower-cases) every header name. The memo is dropped whenever the
    header list is replaced or grows, a header is replaced in place, or the default type changes."""

    _type_memo: tuple[int, int, str, str] | None = None

    def replace_header(self, _name: str, _value: Any) -> None:
        self._type_memo = None
        super().replace_header(_name, _value)

    def get_boundary(self, failobj: Any = None) -> Any:
        """As compat32, but a boundary it cannot read (RFC 2231 with a NUL in its charset raises
        ValueError in 3.11) counts as missing: the part is then kept as text, with a defect."""
        try:
            return super().get_boundary(failobj)
        except (ValueError, LookupError, TypeError):
            return failobj

    def get_content_type(self) -> str:
        headers = getattr(self, "_headers", ())
        key = (id(headers), len(headers), self.get_default_type())
        memo = self._type_memo
        if memo is not None and memo[:3] == key:
            return memo[3]
        content_type = super().get_content_type()
        self._type_memo = (*key, content_type)
        return content_type


class _FeedParser(FeedParser):
    def __init__(self) -> None:
        super().__init__(_Message, policy=compat32)
        self._input = _Lines()


if (_PARSEGEN := _fast_parsegen()) is not None:
    setattr(_FeedParser, "_parsegen", _PARSEGEN)  # noqa: B010 - a class attribute made at import


def compat32_message(raw: bytes) -> Message:
    """What `email.message_from_bytes(raw)` returns (same tree, same defects), about twice as fast; where
    3.11's compat32 raises on an unreadable boundary, the part is kept as text with a defect instead."""
    parser = _FeedParser()
    parser.feed(raw.decode("ascii", "surrogateescape"))
    return parser.close()


# --- bytes → str ------------------------------------------------------------------------------------------

# WHATWG-style aliases: labels that are in practice supersets, or names Python does not know.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "us-ascii": "ascii", "ansi_x3.4-1968": "ascii", "iso-8859-9": "cp1254", "iso-8859-11": "cp874",
    "tis-620": "cp874", "windows-874": "cp874", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "shift_jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "iso-8859-8-i": "iso-8859-8", "unicode-1-1-utf-7": "utf-7", "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman", "utf8": "utf-8", "big5": "big5hkscs", "x-user-defined": "",
    "unknown-8bit": "", "x-unknown": "", "unknown": "", "default": "", "8bit": "", "binary": "",
}
# Codecs that decode bytes to text but are not character sets: never chosen from a header.
_REFUSED_CODECS = {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined", "mbcs", "oem",
                   "unicode_escape", "raw_unicode_escape", "palmos"}
_LOOSE_LABELS = {"ascii", "cp1252"}  # often mislabelled UTF-8: valid UTF-8 wins
_SEVEN_BIT = ("iso2022", "utf-7", "hz")  # stateful encodings written in ASCII bytes
_ASCII_BYTES = bytes(range(128))


@lru_cache(maxsize=512)
def _codec(label: str) -> str | None:
    name = label.strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    if not name or len(name) > 40:
        return None
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):
        return None
    return None if codec in _REFUSED_CODECS else codec


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, bool]:
    """Text from bytes: declared charset → UTF-8 → declared (or cp1252) with replacement.

    Returns the text and whether the declared charset was unknown or did not fit.
    """
    codec = _codec(charset) if charset else None
    if data.isascii() and (codec is None or not codec.startswith(_SEVEN_BIT)):
        return data.decode("ascii"), False
    if codec is not None and codec not in _LOOSE_LABELS:
        try:
            return data.decode(codec), False
        except (UnicodeDecodeError, LookupError):  # LookupError: codec needs a module that is missing
            pass
    try:
        return data.decode("utf-8"), codec not in (None, "utf-8") and codec not in _LOOSE_LABELS
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few broken sequences (a damaged part, a cut multi-byte character) is still
    # UTF-8; only text that is not UTF-8 at all falls through to a single-byte reading.
    if codec is None or codec == "utf-8":
        text = data.decode("utf-8", "replace")
        if text.count("\ufffd") * 10 < len(data.translate(None, _ASCII_BYTES)):
            return text, codec != "utf-8"
    fallback = "cp1252" if codec in (None, "utf-8", "ascii") else codec
    try:
        return data.decode(fallback, "replace"), codec in (None, "utf-8", "ascii")
    except LookupError:
        return data.decode("cp1252", "replace"), True


def _unsurrogate(value: str) -> str:
    """compat32 keeps 8-bit header bytes as surrogates: read them as UTF-8, else cp1252."""
    if value.isascii():
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), None)[0]


# --- headers -------------------------------------------------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?]*)\?=")
_FOLD = re.compile(r"\r?\n")
_WSP = re.compile(r"[ \t\r\n]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _decode_word(kind: str, payload: str) -> bytes | None:
    data = payload.encode("utf-8", "surrogateescape")
    try:
        if kind in "Qq":
            return binascii.a2b_qp(data, header=True)
        data = data.strip()
        data += b"=" * (-len(data) % 4)
        try:
            return binascii.a2b_base64(data)
        except binascii.Error:
            return binascii.a2b_base64(data[: len(data) // 4 * 4 - 4] if len(data) > 4 else b"")
    except (binascii.Error, ValueError):
        return None


def decode_header_text(value: str) -> str:
    """An unstructured header as text: unfolded, 8-bit and RFC 2047 words decoded, controls removed.

    Adjacent encoded words of one charset are joined before decoding (a multi-byte character may be
    split between them); whitespace between encoded words is dropped (RFC 2047 §6.2).
    """
    if len(value) > MAX_HEADER_CHARS:
        value = value[:MAX_HEADER_CHARS]
    if "\n" in value:
        value = _FOLD.sub("", value)
    value = _unsurrogate(value)
    if "=?" in value:
        out: list[str] = []
        pending = b""
        pending_charset: str | None = None
        pos = 0
        for m in _ENCODED_WORD.finditer(value):
            between = value[pos:m.start()]
            decoded = _decode_word(m.group(2), m.group(3))
            if decoded is None:
                continue  # left as it stands, with the text around it
            if between and not (pending_charset is not None and between.isspace()):
                if pending_charset is not None:
                    out.append(decode_bytes(pending, pending_charset)[0])
                    pending, pending_charset = b"", None
                out.append(between)
            charset = m.group(1).lower()
            if charset == pending_charset:
                pending += decoded
            else:
                if pending_charset is not None:
                    out.append(decode_bytes(pending, pending_charset)[0])
                pending, pending_charset = decoded, charset
            pos = m.end()
        if pending_charset is not None:
            out.append(decode_bytes(pending, pending_charset)[0])
        out.append(value[pos:])
        value = "".join(out)
    if _CONTROLS.search(value):
        value = _CONTROLS.sub(" ", value)
    return value


def _clean_line(value: str, limit: int) -> tuple[str, bool]:
    """One line of display text: whitespace collapsed, invisible characters removed, length capped."""
    text, suspicious = strip_invisible(_WSP.sub(" ", value).strip())
    return text[:limit], suspicious


# --- addresses -----------------------------------------------------------------------------------------------

_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_COMMENT = re.compile(r"\((?:[^()\\]|\\.)*\)")
_ANGLE = re.compile(r"<([^<>]*)>")
_GROUP_NAME = re.compile(r"^[^,<>@]*:(?!:)")
_VALID_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f]+@[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f]+")
_EMPTY_GROUP = re.compile(r"\s*(?:[^:;,<>@\"]*:\s*;?\s*)?")  # "undisclosed-recipients:;"
_SIMPLE_MAILBOX = re.compile(r"\s*([^<>\"()]*?)\s*<\s*([^<>\s]+)\s*>\s*")


def _address_segments(value: str) -> list[str] | None:
    """The list elements of an address header, with quoted strings and comments blanked; None if the
    shape is ambiguous: unbalanced quotes, parentheses or angle brackets, an angle address or a bare
    address with other than one "@", two angle addresses in one element (CVE-2023-27043, CVE-2019-16056).
    """
    if value.count('"') % 2 and _QUOTED.sub("", value).count('"'):
        return None
    text = _QUOTED.sub('""', value)
    for _ in range(16):  # innermost comments first; deeper nesting is refused below
        stripped = _COMMENT.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    if "(" in text or ")" in text:
        return None
    for inner in _ANGLE.findall(text):
        route_free = inner.rsplit(":", 1)[-1]
        if route_free.count("@") != 1:
            return None
    text = _ANGLE.sub("<>", text)
    if "<" in text.replace("<>", "") or ">" in text.replace("<>", ""):
        return None
    segments: list[str] = []
    for group_part in text.split(";"):
        group_part = _GROUP_NAME.sub("", group_part)
        for segment in group_part.split(","):
            segment = segment.strip()
            if not segment:
                continue
            angles = segment.count("<>")
            if angles > 1 or (angles == 0 and segment.count("@") > 1):
                return None
            segments.append(segment)
    return segments


_ADDR = r"[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f]+@[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f]+"
_PLAIN_MAILBOX = re.compile(
    rf'\s*(?:"((?:[^"\\]|\\.)*)"|([^"<>@,;:()\\\[\]]*?))\s*<\s*({_ADDR})\s*>\s*|\s*({_ADDR})\s*')
_LIST_ITEM = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^,"])+')
_QUOTED_PAIR = re.compile(r"\\(.)")


def _plain_pairs(value: str) -> list[tuple[str, str]] | None:
    """The common, unambiguous shapes (`a@b`, `<a@b>`, `Name <a@b>`, `"Name" <a@b>`, comma lists), read
    without the stdlib parser; None for anything else (comments, groups, quotes elsewhere…)."""
    if "(" in value or ")" in value or ";" in value:
        return None
    items = _LIST_ITEM.findall(value) if '"' in value else value.split(",")
    pairs: list[tuple[str, str]] = []
    for item in items:
        if not item.strip():
            continue
        m = _PLAIN_MAILBOX.fullmatch(item)
        if m is None:
            return None
        quoted, bare, angle, alone = m.groups()
        if quoted is not None:
            pairs.append((_QUOTED_PAIR.sub(r"\1", quoted), angle))
        else:
            pairs.append(((bare or "").strip(), angle if angle is not None else alone))
    return pairs


def _lenient_pairs(value: str) -> list[tuple[str, str]]:
    if _STDLIB_STRICT:
        return email.utils.getaddresses([value], strict=True)
    return email.utils.getaddresses([value])


def parse_addresses(raw: str, field: str, notes: list[str], suspicious: list[bool]) -> tuple[Address, ...]:
    """Mailboxes of an address header; an ambiguous header gives none and a note (never a guess)."""
    value = _unsurrogate(_FOLD.sub("", raw[:MAX_HEADER_CHARS]))
    if not value.strip():
        return ()
    pairs = _plain_pairs(value)
    segments = _address_segments(value) if pairs is None else None
    if segments is not None:
        expected = sum(1 for s in segments if "@" in s or "<>" in s)
        try:
            parsed = [p for p in _lenient_pairs(value) if "@" in p[1]]
        except (RecursionError, IndexError, ValueError):
            parsed = []
        if len(parsed) == expected:
            pairs = parsed
        else:
            # `alice@example.com <alice@example.com>`: an unquoted "@" in the display name makes the
            # stdlib see two addresses (python/cpython#122600); the angle address is unambiguous.
            simple = [_SIMPLE_MAILBOX.fullmatch(part) for part in value.split(",")]
            if all(simple) and len(simple) == expected:
                pairs = [(m.group(1), m.group(2)) for m in simple if m]
    if pairs is None:
        notes.append(f"invalid-address:{field}")
        return ()
    out: list[Address] = []
    for name, addr in pairs[:MAX_ADDRESSES]:
        addr = addr.strip()
        if addr.count("@") != 1 or not _VALID_ADDRESS.fullmatch(addr):
            notes.append(f"invalid-address:{field}")
            continue
        local, domain = addr.split("@")
        domain = domain.lower().rstrip(".")
        if not domain or domain.startswith(".") or ".." in domain:
            notes.append(f"invalid-address:{field}")
            continue
        display = decode_header_text(name) if name else ""
        display, hidden = _clean_line(display, 256)
        if hidden:
            suspicious.append(True)
        out.append(Address(display.strip("\"' "), f"{local}@{domain}"))
    if len(pairs) > MAX_ADDRESSES:
        notes.append(f"too-many-addresses:{field}")
    if not out and not _EMPTY_GROUP.fullmatch(value):
        notes.append(f"invalid-address:{field}")
    return tuple(dict.fromkeys(out))


# --- ids and dates -----------------------------------------------------------------------------------------

_BRACKETED = re.compile(r"<([^<>]*)>")


def _ids(raw: str) -> list[str]:
    value = _unsurrogate(raw[:MAX_HEADER_CHARS])
    found = ["".join(m.split()) for m in _BRACKETED.findall(value)]
    if not found:
        found = [t for t in value.replace(",", " ").split() if "@" in t]
    seen: set[str] = set()
    out: list[str] = []
    for ident in found:
        ident = ident.strip("<>")[:MAX_ID_CHARS]
        if ident and ident not in seen:
            seen.add(ident)
            out.append(ident)
    return out


def _message_id(raw: str | None) -> str | None:
    if raw is None:
        return None
    found = _ids(raw)
    if found:
        return found[0]
    tokens = _unsurrogate(raw).split()
    return tokens[0].strip("<>")[:MAX_ID_CHARS] or None if tokens else None


def _references(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    found = _ids(raw)
    if len(found) > MAX_REFERENCES:  # the thread root and the latest ones matter
        found = found[:1] + found[-(MAX_REFERENCES - 1):]
    return tuple(found)


def _iso(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def _parse_date(raw: str | None, internal: datetime | None, notes: list[str]) -> str | None:
    fallback = _iso(internal) if internal is not None else None
    if raw is None or not raw.strip():
        notes.append("date-missing")
        return fallback
    try:
        moment = email.utils.parsedate_to_datetime(_unsurrogate(_FOLD.sub("", raw[:256])).strip())
    except (ValueError, TypeError, IndexError, OverflowError):
        notes.append("date-invalid")
        return fallback
    if moment.tzinfo is None:  # "-0000": UTC, source unknown
        moment = moment.replace(tzinfo=UTC)
    reference = internal if internal is not None else datetime.now(UTC)
    try:
        absurd = moment < OLDEST or moment > reference + FUTURE_SLACK
    except OverflowError:
        absurd = True
    if absurd:
        notes.append("date-out-of-range")
        return fallback
    return _iso(moment)


# --- language ------------------------------------------------------------------------------------------------

_STOPWORDS = {
    "fr": frozenset((
        "le", "la", "les", "de", "des", "du", "et", "est", "pas", "pour", "que", "qui", "une", "un", "je", "vous",
        "nous", "mon", "ma", "mes", "votre", "vos", "avec", "dans", "sur", "ce", "cette", "merci", "bonjour", "au",
        "aux", "il", "elle", "ne", "en", "ai", "suis", "mais", "ou", "très", "bien", "commande", "colis", "reçu",
        "j'ai", "c'est", "n'est", "d'un", "d'une", "cordialement", "madame", "monsieur", "être", "été", "avez",
    )),
    "en": frozenset((
        "the", "and", "is", "to", "of", "for", "you", "my", "your", "this", "that", "with", "not", "have", "was",
        "are", "it", "in", "on", "be", "but", "or", "we", "me", "please", "thanks", "thank", "hello", "hi",
        "order", "would", "could", "can", "has", "been", "i'm", "it's", "don't", "received", "regards", "dear",
        "from", "will", "there", "what", "when",
    )),
    # Only to recognise mail in a neighbouring language, so that it is not called French or English.
    "it": frozenset(("il", "di", "che", "non", "per", "una", "sono", "della", "questo", "questa", "mi", "gli",
                     "anche", "come", "ma", "del", "alla", "nel", "deve", "fare", "grazie", "ciao", "ordine")),
    "es": frozenset(("el", "los", "las", "que", "por", "para", "una", "con", "pero", "está", "es", "mi", "su",
                     "gracias", "hola", "pedido", "muy", "del", "como", "y", "en", "de")),
    "de": frozenset(("der", "die", "das", "und", "ist", "nicht", "ich", "sie", "mit", "den", "ein", "eine", "zu",
                     "auf", "für", "danke", "bitte", "mein", "wir", "auch", "bestellung", "sehr", "ihre")),
}


_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _language, _words in _STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _language)


def guess_language(*texts: str) -> str | None:
    """'fr', 'en' or None, from stopwords in the first ~500 characters (other languages give None)."""
    sample = " ".join(t[:500] for t in texts).lower().replace("’", "'")
    lookup = _LANGUAGES_OF.get
    hits = [language for word in sample.split() if (languages := lookup(word)) for language in languages]
    ranked = sorted(((hits.count(language), language) for language in _STOPWORDS), reverse=True)
    (top, best), (second, _) = ranked[0], ranked[1]
    if top < 3 or top < 1.5 * second or best not in ("fr", "en"):
        return None
    return best


# --- the body ------------------------------------------------------------------------------------------------

_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "application/pdf": ".pdf",
               "text/plain": ".txt", "text/html": ".html", "message/rfc822": ".eml", "text/calendar": ".ics",
               "application/zip": ".zip"}
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_NEWLINES = re.compile(r"\r\n?")


_PART_HEADERS = frozenset(("content-type", "content-disposition", "content-transfer-encoding", "content-id"))
_CHARSET_PARAM = re.compile(r';\s*charset\s*=\s*(?:"([^"]*)"|([^\s;"]+))', re.I)


def _main_type(value: str) -> str:
    """As compat32's get_content_type: "type/subtype" lowercased, text/plain when malformed."""
    ctype = value.partition(";")[0].strip().lower()
    return ctype if ctype.count("/") == 1 else "text/plain"


class _Part:
    """The MIME headers of one part, read once (compat32's `get` scans every header on each call)."""

    __slots__ = ("content_type", "disposition", "headers", "msg")

    def __init__(self, msg: Message) -> None:
        self.msg = msg
        headers: dict[str, str] = {}
        for name, value in msg.raw_items():
            key = name.lower()
            if key in _PART_HEADERS and key not in headers:
                headers[key] = str(value)
        self.headers = headers
        ctype = headers.get("content-type")
        self.content_type: str = msg.get_default_type() if ctype is None else _main_type(ctype)
        disposition = headers.get("content-disposition")
        self.disposition: str | None = None if disposition is None else disposition.partition(";")[0].strip().lower()

    def charset(self) -> str | None:
        value = self.headers.get("content-type", "")
        if "*" in value:  # RFC 2231 parameters: compat32 reads those (and may trip on odd ones)
            try:
                return self.msg.get_content_charset()
            except (ValueError, LookupError, TypeError):
                return None
        m = _CHARSET_PARAM.search(value)
        if m is None:
            return None
        charset = (m.group(1) if m.group(1) is not None else m.group(2)).strip().lower()
        return charset if charset.isascii() and charset else None

    def has_filename(self) -> bool:
        return "filename" in self.headers.get("content-disposition", "").lower()


def _payload_bytes(part: _Part, notes: list[str]) -> bytes:
    """The decoded body of a leaf part (compat32 decodes, tolerating and recording bad base64)."""
    raw = getattr(part.msg, "_payload", None)  # the encoded text: its size, before any work on it
    if isinstance(raw, str) and len(raw) > MAX_PART_BYTES:
        notes.append("part-too-large")
        return b""
    decoded = part.msg.get_payload(decode=True)
    return decoded if isinstance(decoded, bytes) else b""


def _param(part: Message, name: str, header: str) -> str | None:
    """A MIME parameter, RFC 2231 (charset'lang'%XX, continuations) and RFC 2047 decoded."""
    value = part.get_param(name, None, header)
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, text with bytes as code points)
        charset, _, text = value
        data = text.encode("latin-1", "surrogateescape") if all(ord(c) < 256 for c in text) \
            else text.encode("utf-8", "surrogateescape")
        return decode_header_text(decode_bytes(data, charset or None)[0])
    return decode_header_text(email.utils.unquote(str(value)))


def _filename(part: Message, content_type: str, index: int, suspicious: list[bool]) -> str:
    name = _param(part, "filename", "content-disposition") or _param(part, "name", "content-type") or ""
    name = _UNSAFE_FILENAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1])
    name, hidden = strip_invisible(name.strip(" ._") or "")
    if hidden:
        suspicious.append(True)  # e.g. U+202E making "invoice\u202efdp.exe" read as "invoiceexe.pdf"
    return name[:255] if name else f"part-{index}{_EXTENSIONS.get(content_type, '.bin')}"


class _Body:
    """What a walk over the MIME tree collects."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html_text: list[str] = []  # text of HTML parts that stand in for a missing text/plain
        self.html: list[str] = []  # every HTML body, for display
        self.hidden_html: list[str] = []  # fragments hidden in any HTML body
        self.attachments: list[Attachment] = []
        self.defects: list[str] = []
        self.notes: list[str] = []
        self.suspicious: list[bool] = []
        self.attached_bytes = 0


def _text_of(part: _Part, body: _Body, html: bool) -> str:
    data = _payload_bytes(part, body.notes)
    charset = part.charset()
    if charset is None and html:
        meta = _META_CHARSET.search(data[:4096])
        charset = meta.group(1).decode("ascii") if meta else None
    text, fell_back = decode_bytes(data, charset)
    if fell_back:
        body.notes.append(f"charset-fallback:{(charset or '?')[:40]}")
    return text


def _walk(msg: Message, body: _Body) -> None:
    """Depth-first over the MIME tree. In a multipart/alternative with a text/plain part, the HTML
    alternatives are for display only; elsewhere every text part adds to the text."""
    stack: list[tuple[_Part, int, bool]] = [(_Part(msg), 0, False)]
    seen = 0
    while stack:
        part, depth, display_only = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            body.notes.append("too-many-parts")
            return
        _visit(part, depth, display_only, stack, body)
        if part.msg.defects:  # after decoding: compat32 records bad base64 then
            body.defects.extend(type(d).__name__ for d in part.msg.defects)


def _visit(part: _Part, depth: int, display_only: bool, stack: list[tuple[_Part, int, bool]], body: _Body) -> None:
    """One node of the MIME tree: its children pushed on `stack`, or a leaf read into `body`."""
    content_type, disposition = part.content_type, part.disposition
    # is_multipart() first: compat32's get_payload() of an 8-bit leaf re-decodes it with its charset
    # parameter, and raises on an RFC 2231 charset (a tuple) or one with a NUL in it.
    payload = part.msg.get_payload() if part.msg.is_multipart() else None
    if isinstance(payload, list):
        if disposition == "attachment" and content_type == "message/rfc822":
            _attach(part, content_type, body)
        elif depth >= MAX_DEPTH:
            body.notes.append("nesting-too-deep")
        else:
            children = [_Part(p) for p in payload if isinstance(p, Message)]
            has_plain = content_type == "multipart/alternative" and any(
                c.content_type == "text/plain" and c.disposition != "attachment" for c in children)
            stack.extend((child, depth + 1, display_only or has_plain) for child in reversed(children))
        return
    if content_type.startswith("multipart/"):
        content_type = "text/plain"  # a multipart without its boundary: show what is there
    if disposition == "attachment" or content_type not in ("text/plain", "text/html") or (
            disposition is None and part.has_filename()):
        _attach(part, content_type, body)
    elif content_type == "text/plain":
        body.plain.append(_text_of(part, body, html=False))
    else:
        markup = _text_of(part, body, html=True)
        body.html.append(markup)
        if display_only and not may_hide(markup):
            return  # its text is not used, and nothing in it can hide text
        converted = html_to_text(markup, with_text=not display_only)
        body.hidden_html.extend(converted.hidden)
        if not display_only:
            body.html_text.append(converted.text)


def _attach(part: _Part, content_type: str, body: _Body) -> None:
    if len(body.attachments) >= MAX_ATTACHMENTS:
        body.notes.append("too-many-attachments")
        return
    if content_type == "message/rfc822":
        payload = part.msg.get_payload() if part.msg.is_multipart() else None  # see _visit
        inner = payload[0] if isinstance(payload, list) and payload else None
        try:
            content = inner.as_bytes() if isinstance(inner, Message) else b""
        except Exception:  # a forwarded message that cannot be written back out: keep its name
            content = b""
            body.notes.append("attachment-not-decoded")
    else:
        content = _payload_bytes(part, body.notes)
    if body.attached_bytes + len(content) > 4 * MAX_PART_BYTES:
        body.notes.append("attachments-too-large")
        content = b""
    body.attached_bytes += len(content)
    content_id = part.headers.get("content-id")
    cid = _ids(content_id) if content_id is not None else []
    body.attachments.append(Attachment(
        filename=_filename(part.msg, content_type, len(body.attachments) + 1, body.suspicious),
        content_type=content_type,
        content=content,
        content_id=cid[0] if cid else None,
    ))


def _plain_text(text: str) -> str:
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text.replace("\t", "\x00\x00")).replace("\x00\x00", "\t") if "\t" in text \
            else _CONTROLS.sub("", text)
    return text.strip("\n")


def _remove_fragments(text: str, fragments: Iterable[str]) -> str:
    """Take hidden HTML text out of the plain alternative too, when it was copied there."""
    for fragment in fragments:
        words = fragment.split()
        if sum(map(len, words)) < 8:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words[:200])
        text = re.sub(pattern, "", text)
    return text


# --- the message ---------------------------------------------------------------------------------------------

_WANTED = frozenset(("subject", "from", "sender", "to", "cc", "date", "message-id", "in-reply-to", "references",
                     "authentication-results"))
_SINGLE = frozenset(("subject", "from", "date", "message-id"))
_SMALL_MESSAGE = 16 * 1024
_PARAM_HEADER = re.compile(rb"(?im)^content-(?:type|disposition)[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*")


def _bounded(raw: bytes, notes: list[str]) -> bytes:
    """The part of `raw` that is parsed, with the caps that keep compat32 fast on hostile input."""
    if len(raw) <= _SMALL_MESSAGE:
        return raw  # none of the bounds below can be reached, or would cost more than ~0.2 s
    if len(raw) > MAX_MESSAGE_BYTES:
        raw = raw[:MAX_MESSAGE_BYTES]
        notes.append("message-truncated")
    head_end = raw.find(b"\n\n")
    crlf_end = raw.find(b"\r\n\r\n")
    if crlf_end >= 0 and (head_end < 0 or crlf_end < head_end):
        head_end = crlf_end
    if head_end > MAX_HEADER_BLOCK or (head_end < 0 and len(raw) > MAX_HEADER_BLOCK):
        cut = raw.rfind(b"\n", 0, MAX_HEADER_BLOCK)
        raw = raw[:cut + 1] + b"\n" + (raw[head_end:] if head_end > 0 else b"")
        notes.append("headers-truncated")
    lines = raw.count(b"\n")
    if lines > MAX_LINES:
        raw = raw[: len(raw) * MAX_LINES // lines]
        notes.append("too-many-lines")
    if raw.count(b"\n--") > MAX_DELIMITERS:
        pos = 0
        for _ in range(MAX_DELIMITERS):
            pos = raw.find(b"\n--", pos) + 3
        raw = raw[:pos]
        notes.append("too-many-parts")
    if raw.count(b";") > 200:
        def cut_params(m: re.Match[bytes]) -> bytes:
            header = m.group()
            if len(header) > MAX_PARAM_HEADER and header.count(b";") > 50:
                notes.append("header-truncated:content-type")
                return header[:MAX_PARAM_HEADER].replace(b'"', b"")
            return header

        raw = _PARAM_HEADER.sub(cut_params, raw)
    return raw


def _parse(raw: bytes, internal_date: datetime | None) -> ParsedMessage:
    notes: list[str] = []
    suspicious: list[bool] = []
    hidden: list[str] = []
    parse_error = None
    data = _bounded(raw, notes)
    try:
        msg = compat32_message(data)
    except RecursionError:
        # compat32 recurses once per nesting level: keep the headers, skip the body
        msg = BytesParser().parsebytes(data, headersonly=True)
        parse_error = "MIME structure nested too deeply"
        notes.append("nesting-too-deep")

    headers: dict[str, str] = {}
    extra: dict[str, list[str]] = {}
    for count, (name, value) in enumerate(msg.raw_items()):
        if count >= 2000:
            notes.append("too-many-headers")
            break
        key = name.lower()
        if key not in _WANTED:
            continue
        if key not in headers:
            headers[key] = value
        elif key in _SINGLE:
            notes.append(f"duplicate-header:{key}")
        else:
            extra.setdefault(key, []).append(value)

    subject, sneaky = _clean_line(decode_header_text(headers.get("subject", "")), MAX_SUBJECT_CHARS)
    if sneaky:
        hidden.append("invisible-unicode")
    from_value = headers.get("from")
    if from_value is None and "sender" in headers:
        from_value = headers["sender"]
        notes.append("from-missing")
    senders = parse_addresses(from_value, "from", notes, suspicious) if from_value is not None else ()
    to = parse_addresses(", ".join([headers.get("to", ""), *extra.get("to", ())]).strip(", "), "to", notes,
                         suspicious)
    cc = parse_addresses(", ".join([headers.get("cc", ""), *extra.get("cc", ())]).strip(", "), "cc", notes,
                         suspicious)
    auth = headers.get("authentication-results")

    body = _Body()
    if parse_error is None:
        _walk(msg, body)
    else:
        body.defects.extend(type(d).__name__ for d in msg.defects)
    plain = [t for t in (_plain_text(p) for p in body.plain) if t.strip()]
    text = "\n\n".join(plain) if plain else "\n\n".join(t for t in body.html_text if t.strip())
    if not text.strip() and body.html:
        text = "\n\n".join(html_to_text(h).text for h in body.html)
    if body.hidden_html:
        hidden.append("hidden-html-text")
        if plain:
            text = _remove_fragments(text, body.hidden_html)
    text, sneaky = strip_invisible(text)
    if sneaky or any(suspicious) or any(body.suspicious):
        hidden.append("invisible-unicode")
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        notes.append("text-truncated")

    html = None
    if body.html:
        html = "<hr>".join(sanitize_html(h) for h in body.html)

    date = _parse_date(headers.get("date"), internal_date, notes)
    return ParsedMessage(
        message_id=_message_id(headers.get("message-id")),
        in_reply_to=next(iter(_ids(headers["in-reply-to"])), None) if "in-reply-to" in headers else None,
        references=_references(headers.get("references")),
        subject=subject,
        sender=senders[0] if senders else None,
        to=to,
        cc=cc,
        date=date,
        text=text,
        html=html,
        attachments=tuple(body.attachments),
        hidden=tuple(dict.fromkeys(hidden)),
        defects=tuple(dict.fromkeys([*body.defects, *notes, *body.notes])),
        parse_error=parse_error,
        language=guess_language(subject, text),
        auth_results=_WSP.sub(" ", _unsurrogate(auth)).strip()[:MAX_HEADER_CHARS] if auth else None,
    )


# --- when everything else failed -----------------------------------------------------------------------------

_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_CRUDE_HEADER = re.compile(rb"(?im)^(subject|from|date|message-id)[ \t]*:[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)")


def _salvage(raw: bytes, internal_date: datetime | None, reason: str) -> ParsedMessage:
    """A crude scan of the header block: enough to list the message, flagged with `parse_error`."""
    found: dict[str, str] = {}
    text = ""
    try:
        end = _BLANK_LINE.search(raw, 0, MAX_HEADER_BLOCK)
        head = raw[: end.start() if end else MAX_HEADER_BLOCK]
        for m in _CRUDE_HEADER.finditer(head):
            found.setdefault(m.group(1).decode().lower(), m.group(2).decode("utf-8", "surrogateescape"))
        if end:
            text = decode_bytes(raw[end.end():end.end() + 200_000], None)[0]
    except Exception:  # noqa: S110 - last resort: an empty message with its reason is still stored
        pass
    nobody: tuple[Address, ...] = ()
    senders = _attempt(lambda: parse_addresses(found.get("from", ""), "from", [], []), nobody)
    return ParsedMessage(
        message_id=_attempt(lambda: _message_id(found.get("message-id")), None),
        in_reply_to=None, references=(),
        subject=_attempt(lambda: _clean_line(decode_header_text(found.get("subject", "")), MAX_SUBJECT_CHARS)[0], ""),
        sender=senders[0] if senders else None, to=(), cc=(),
        date=_attempt(lambda: _parse_date(found.get("date"), internal_date, []),
                      _iso(internal_date) if internal_date is not None else None),
        text=_attempt(lambda: strip_invisible(_plain_text(text))[0], text),
        parse_error=reason,
    )


def _attempt(step: Callable[[], _T], default: _T) -> _T:
    """One salvage step; whatever fails there leaves its field at `default`."""
    try:
        return step()
    except Exception:  # as above: a field left empty, never an exception
        return default


def parse_message(raw: bytes, *, internal_date: datetime | None = None) -> ParsedMessage:
    """Parse one raw message. Never raises: on any failure `parse_error` says why.

    Args:
        raw: the RFC 5322 source as fetched (BODY.PEEK[]).
        internal_date: the server's INTERNALDATE, used when the Date header is missing, broken or
            absurd (before 1990 or more than two days after INTERNALDATE, or after now without it).
            A naive datetime is taken as UTC.
    """
    if internal_date is not None and internal_date.tzinfo is None:
        internal_date = internal_date.replace(tzinfo=UTC)
    try:
        return _parse(raw, internal_date)
    except Exception as exc:  # the contract: every message is stored, flagged, never lost
        reason = f"{type(exc).__name__}: {exc}"
        return _salvage(raw, internal_date, _WSP.sub(" ", reason)[:200])
