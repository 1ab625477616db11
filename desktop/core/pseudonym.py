"""Pseudonymisation toward cloud LLMs: personal data out as typed placeholders, back in the model's reply.

Before a request leaves for a provider that is not on this computer (security.md 5, 8 F), `Pseudonymiser.mask`
replaces with `[NAME_1]`, `[EMAIL_1]`, `[PHONE_1]`, `[ADDRESS_1]`, `[IBAN_1]`, `[CARD_1]`, `[ORDER_1]`,
`[TRACKING_1]` (and `[OTHER_1]`):

- the values the service knows (the thread customer's and the shop's: `KnownValues`), exactly but whatever
  the case, accents, spacing or phone formatting, with the parts of names and addresses;
- what structured recognisers find in free text: e-mail addresses, phone numbers (E.164 and national
  formats), IBAN (mod 97), card numbers (Luhn), order numbers ("#1234", "commande n°1234"), tracking
  numbers (carrier formats, or a long code after "tracking"/"suivi"); and names after a greeting, a title
  or a sign-off (a cheap stand-in for NER: names anywhere else are caught only when known).

The same value always gets the same placeholder within a thread (the mapping is kept by the service in the
encrypted database and passed back in). `scan` is the fail-closed check: run on what is about to be sent,
any finding means the call is not made. `Restorer` puts the values back into the model's output, also while
it streams.

Pure and fast: all patterns are compiled once (known values once per `Pseudonymiser`); a 5 KB mail is
masked in about a millisecond.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PLACEHOLDER_INSTRUCTIONS",
    "Finding",
    "Identifier",
    "KnownValues",
    "Pseudonymiser",
    "Restorer",
    "find_identifiers",
    "iban_valid",
    "luhn_valid",
    "normalise_order",
    "normalise_tracking",
    "phone_key",
    "scan",
]

PLACEHOLDER_INSTRUCTIONS = (
    "Some personal details were replaced by placeholders in square brackets such as [NAME_1], [EMAIL_1], "
    "[PHONE_1] or [ORDER_1]: write any placeholder you need exactly as it is (same letters, number and "
    "brackets), never translate, change, merge or invent one, and never try to guess the value it stands for."
)

# kind (lower case, used in findings) → placeholder tag
_TAGS = {"name": "NAME", "email": "EMAIL", "phone": "PHONE", "address": "ADDRESS", "iban": "IBAN", "card": "CARD",
         "order": "ORDER", "tracking": "TRACKING", "other": "OTHER"}
_KINDS = {tag: kind for kind, tag in _TAGS.items()}
_PLACEHOLDER = re.compile(r"\[(" + "|".join(_TAGS.values()) + r")_([1-9]\d{0,5})\]")
# What a model may turn a placeholder into: other case, a space or dash for the underscore, inner spaces.
_PLACEHOLDER_LOOSE = re.compile(r"\[ ?(" + "|".join(_TAGS.values()) + r")[_ \-]([1-9]\d{0,5}) ?\]", re.IGNORECASE)


# --- public value types -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownValues:
    """The thread customer's and the shop's own values, from the database (passed by the service)."""

    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    order_numbers: tuple[str, ...] = ()
    tracking_numbers: tuple[str, ...] = ()
    other: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """An identifier still visible in text: its kind and span only, never its value (findings may be logged)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier found in text, with its value (kept out of repr all the same)."""

    kind: str
    start: int
    end: int
    value: str = field(repr=False)


def _words(text: str) -> list[str]:
    return text.split()


# --- normalisation ------------------------------------------------------------------------------------------

# E.164 country codes are prefix-free: 1 and 7 have one digit, these have two, all others three.
_CC2 = frozenset(_words(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 "
    "81 82 84 86 90 91 92 93 94 95 98"))
_NON_DIGIT = re.compile(r"\D+")
_TRUNK_IN_INTL = re.compile(r"\(\s*0\s*\)")


def _split_country(digits: str) -> tuple[str, str]:
    """International digits (without + or 00) → (country code, national number)."""
    n = 1 if digits[:1] in ("1", "7") else 2 if digits[:2] in _CC2 else 3
    return digits[:n], digits[n:]


def _phone_parts(text: str) -> tuple[str, str]:
    """(country code or "", national significant number without trunk zeros) of a written phone number."""
    s = _TRUNK_IN_INTL.sub(" ", text.strip())
    digits = _NON_DIGIT.sub("", s)
    if s.startswith("+"):
        cc, national = _split_country(digits)
    elif digits.startswith("00") and len(digits) > 10:
        cc, national = _split_country(digits[2:])
    else:
        cc, national = "", digits
    return cc, national.lstrip("0")


def phone_key(text: str) -> str:
    """The digits that identify a phone number whatever its formatting.

    "+33 6 12 34 56 78", "0033 612345678", "06.12.34.56.78" and "+33 (0)6 12 34 56 78" give the same key
    (the national number without trunk zero; country codes are dropped as national forms carry none).
    """
    return _phone_parts(text)[1]


def normalise_order(text: str) -> str:
    """'#1001', ' 1001 ' → '1001' (upper case, no spaces)."""
    return re.sub(r"\s+", "", text).lstrip("#").upper()


def normalise_tracking(text: str) -> str:
    return re.sub(r"[\s\-]+", "", text).upper()


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _fold(text: str) -> str:
    """Case, accents and spacing folded: the identity of a name, address or free value."""
    return " ".join(_strip_accents(text).casefold().replace("’", "'").split())


def _key(kind: str, value: str) -> str:
    if kind == "phone":
        return phone_key(value)
    if kind in ("iban", "card", "tracking"):
        return normalise_tracking(value)
    if kind == "order":
        return normalise_order(value)
    if kind == "email":
        return value.strip().casefold()
    return _fold(value)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a card number (digits only)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# IBAN lengths by country (ISO 13616 registry); others are accepted from 15 to 34 characters.
_IBAN_LENGTHS = {
    cc: int(n) for cc, n in (item.split(":") for item in _words(
        "AD:24 AE:23 AL:28 AT:20 AZ:28 BA:20 BE:16 BG:22 BH:22 BR:29 CH:21 CR:22 CY:28 CZ:24 DE:22 DK:18 DO:28 "
        "EE:20 EG:29 ES:24 FI:18 FO:18 FR:27 GB:22 GE:22 GI:23 GL:18 GR:27 GT:28 HR:21 HU:28 IE:22 IL:23 IS:26 "
        "IT:27 JO:30 KW:30 KZ:20 LB:28 LC:32 LI:21 LT:20 LU:20 LV:21 MC:27 MD:24 ME:22 MK:19 MR:27 MT:31 MU:30 "
        "NL:18 NO:15 PK:24 PL:28 PS:29 PT:25 QA:29 RO:24 RS:22 SA:24 SC:31 SE:24 SI:19 SK:24 SM:27 TN:24 TR:26 "
        "UA:29 VA:22 VG:24 XK:20"))
}


def iban_valid(iban: str) -> bool:
    """ISO 13616: letters, check digits, length for the country, and the mod-97 checksum."""
    s = iban.replace(" ", "").replace("-", "").upper()
    if not (15 <= len(s) <= 34) or not s.isalnum() or not s.isascii():
        return False
    if not (s[:2].isalpha() and s[2:4].isdigit()):
        return False
    expected = _IBAN_LENGTHS.get(s[:2])
    if expected is not None and len(s) != expected:
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


# --- folding: one character for one, so a span in the folded text is the same span in the text --------------


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        if base.isascii() and base.isalpha():
            table[code] = base.lower()
        elif len(ch.lower()) == 1 and ch.lower() != ch:
            table[code] = ch.lower()
    table.update({0x2018: "'", 0x2019: "'", 0x2010: "-", 0x2011: "-", 0xA0: " ", 0x202F: " "})
    return table


_FOLD = _fold_table()


def _fold_chars(text: str) -> str:
    """Lower case, Latin accents removed, and exactly as long as `text`."""
    if text.isascii():
        return text.lower()
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    return lowered if len(lowered) == len(text) else folded


def _word_before(text: str, start: int) -> bool:
    if start == 0:
        return False
    ch = text[start - 1]
    return ch.isalnum() or ch == "_"


def _trie(words: Iterable[str]) -> str:
    """One alternation for `words`, factored by prefix: the regex engine then tries one branch per letter."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return emit(root)


# --- recognisers for free text ------------------------------------------------------------------------------
# Speed: Python's regex engine skips ahead quickly only when a pattern starts with a character or a set,
# so patterns start with one and check what precedes it with a lookbehind placed after it, or in code.

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~\-]+@(?:[\w\-]+\.)+[\w\-]{2,}")
_LOCAL_PUNCT = frozenset(".!#$%&'*+/=?^`{|}~-_")
_MAX_LOCAL = 64

_SEP = r"[ .\-/\u00a0\u202f]"
_PHONE_INTL = re.compile(  # "+33 6 12 34 56 78", "+44 (0)20 7946 0958", "0033 612345678"
    rf"(?:\+(?<![\w+]\+)|00(?<![\w+]00))[ ]?[1-9](?:{_SEP}?\d|[ ]?\(0\)[ ]?\d){{6,17}}(?!{_SEP}?\d)")
_PHONE_NATIONAL = re.compile(  # "06 12 34 56 78", "020 7946 0958", "(030) 1234567", "0612345678"
    r"(?:\((?<![\w\-/+]\()(?<!\d[ .]\()0|0(?<![\w\-/+]0)(?<!\d[ .]0))"
    rf"[1-9](?:\)?{_SEP}?\(?\d){{7,12}}(?!{_SEP}?\d)")  # "00…" is an international prefix, not a number
_PHONE_US = (  # "(415) 555-0100", "415-555-0100", "415.555.0100"
    re.compile(r"\((?<![\w\-/+]\()(?<!\d[ .]\()[2-9]\d{2}\)[ ]?[2-9]\d{2}[ .\-]\d{4}(?![ .\-/]?\d)"),
    re.compile(r"[2-9](?<![\w\-/+].)(?<!\d[ .].)\d{2}[ .\-][2-9]\d{2}[ .\-]\d{4}(?![ .\-/]?\d)"),
)
_DATE_START = re.compile(r"\d{1,2}([./\-])\d{1,2}\1(?:19|20)\d{2}(?!\d)|(?:19|20)\d{2}([./\-])\d{1,2}\2\d{1,2}")

_IBAN = re.compile(  # found from its check digits: the two letters before them are checked behind
    r"\d(?<=(?<![A-Za-z0-9])[A-Za-z]{2}\d)\d(?:[ \-]?[A-Za-z0-9]){11,32}(?![A-Za-z0-9])")
_CARD = re.compile(r"[2-6](?<!\d.)(?<!\d[ \-].)(?:[ \-]?\d){12,18}(?![ \-]?\d)")

# Order numbers (searched in the folded text): "#1234", "order 1234", "commande n°1234", "Bestellnr. 1234".
_AMOUNT_AFTER = r"(?![.,]\d)(?!\s?(?:€|eur\b|euros?\b|\$|usd\b|£|gbp\b|chf\b|%|kg\b|g\b|ml\b|cl\b|l\b|cm\b|mm\b|x\b))"
_ORDER_HASH = re.compile(r"#(?<![\w&]#)[ ]?(?P<n>(?:[a-z]{1,4}-)?\d{3,12})\b" + _AMOUNT_AFTER)
_ORDER_WORD = re.compile(
    _trie(_words("order orders commande commandes cde cdes cmd cmde bestellung bestellnummer bestellnr pedido ordine "
          "bestelling")) + r"(?!\w)"
    r"(?:[ \t]{0,3}(?:n[o°º]\.?|nr\.?|num(?:ber|ero|mer)|#|:|-)){0,4}[ \t]{0,3}(?:#[ \t]{0,3})?"
    r"(?P<n>(?:[a-z]{1,4}-)?\d{3,12})\b" + _AMOUNT_AFTER)
_TRACKING_FORMAT = re.compile(  # context-free carrier formats
    r"(?<![A-Za-z0-9])(?:"
    r"1Z ?(?:[0-9A-Z] ?){15}[0-9A-Z]"   # UPS
    r"|[A-Z]{2}\d{9}[A-Z]{2}"            # UPU S10: La Poste, Chronopost, Royal Mail… (LA123456789FR)
    r"|\d[A-Z]\d{11}"                    # Colissimo (6A12345678901)
    r"|JJD\d{16,20}|JVGL\d{8,20}"        # DHL eCommerce
    r"|TBA\d{12}"                        # Amazon Logistics
    r"|9[1-5]\d{20}"                     # USPS
    r")(?![A-Za-z0-9])"
)
# A long code shortly after one of these words (folded text) is a tracking number: DHL's 10 digits, GLS…
_TRACKING_CONTEXT = re.compile(_trie([
    *_words("tracking track trace suivi suivre sendung sendungsnummer paket parcel colis shipment seguimiento "
            "spedizione awb ups dhl fedex gls dpd tnt usps chronopost colissimo postnl hermes evri bpost"),
    "mondial relay", "la poste", "royal mail"]) + r"(?!\w)")
_CONTEXT_TOKEN = re.compile(r"[\w°'’]+")
_TRACKING_TOKEN = re.compile(r"(?<!\w)(?=(?:[A-Za-z]*\d){6})[A-Za-z0-9]{8,30}(?!\w)")
_DIGIT = re.compile(r"\d")
_CONTEXT_WINDOW = 60
_CONTEXT_WORDS = 5

# Names, a cheap way: one to three capitalised words after a greeting, a title or a sign-off.
_CAP = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:['’\-][A-Za-zÀ-ÖØ-öø-ÿ]+)?"
_NAME_RUN = rf"(?P<name>{_CAP}(?:[ \t]{{1,3}}{_CAP}){{0,2}})"
_TITLE = r"(?:M\.|Mme\.?|Mlle\.?|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Madame|Monsieur|Mademoiselle|Herr|Frau|Sr\.|Sra\.)"
_GREETING = re.compile(_trie(_words(  # folded text
    "bonjour bonsoir salut coucou hello hi hey dear cher chere hallo liebe lieber hola ciao buongiorno gentile "
    "beste")) + r"(?=[ \t])")
_AFTER_GREETING = re.compile(rf"[ \t]{{1,3}}(?:{_TITLE}[ \t]{{1,3}})?{_NAME_RUN}")
_TITLE_NAME = re.compile(rf"{_TITLE}[ \t]{{1,3}}{_NAME_RUN}")
_SIGN_OFF = re.compile(
    r"(?m)^[ \t]*(?:(?i:cordialement|bien cordialement|bien à vous|bonne journée|merci(?: beaucoup| d'avance)?|"
    r"best(?: regards| wishes)?|kind regards|regards|thanks|thank you|many thanks|sincerely|cheers|salutations|"
    r"mit freundlichen grüßen|viele grüße|saludos|un saludo|cordiali saluti)(?:[ \t]{0,8}[,.!])?|--)[ \t]{0,8}\r?\n"
    rf"(?:[ \t]{{0,8}}\r?\n)?[ \t]{{0,8}}{_NAME_RUN}[ \t]{{0,8}}\r?$"
)
_WORD = re.compile(r"\S+")
_NOT_NAMES = frozenset(_words(
    "madame monsieur mademoiselle sir madam team customer customers client clients cliente support service "
    "services there all everyone tous toutes equipe équipe world friends amis again guys folks sie ihr je i "
    "thanks thank merci le la les ma mon mes votre vous nous our my the a an shop boutique store good morning "
    "afternoon evening just quick hope yes no oui non please svp sirs dame herren damen bonjour hello hi dear "
    "cordialement regards mr mrs ms dr mme mlle herr frau sr sra"))
# Parts of a full name too common to mask on their own (particles, titles).
_NAME_PARTICLES = frozenset(_words(
    "van von der den del della des dos das los las les madame monsieur mademoiselle mrs miss mister herr frau "
    "señor señora signor signora mme mlle"))

# Priorities when two recognisers claim overlapping text (longest wins, then lowest number).
_PRIORITY = {"known": 0, "email": 1, "iban": 2, "card": 3, "tracking": 4, "order": 5, "phone": 6,
             "tracking_context": 7, "name": 8}


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    kind: str
    value: str
    rank: int  # from _PRIORITY


def _email_hits(text: str, out: list[_Hit]) -> None:
    at = text.find("@")
    last_end = 0
    while at >= 0:
        start = at
        while start > last_end and at - start < _MAX_LOCAL and (text[start - 1].isalnum()
                                                                  or text[start - 1] in _LOCAL_PUNCT):
            start -= 1
        m = _EMAIL.match(text, start) if start < at else None
        if m:
            value = m.group().rstrip(".-")
            out.append(_Hit(start, start + len(value), "email", value, _PRIORITY["email"]))
            last_end = start + len(value)
        at = text.find("@", max(at + 1, last_end))


def _phone_hits(text: str, out: list[_Hit]) -> None:
    rank = _PRIORITY["phone"]
    for m in _PHONE_INTL.finditer(text):
        digits = _NON_DIGIT.sub("", _TRUNK_IN_INTL.sub("", m.group()))
        shortest = 8
        if m.group().startswith("00"):  # "00" + 8 digits is more often a reference than a phone number
            digits, shortest = digits[2:], 9
        if shortest <= len(digits) <= 15:
            out.append(_Hit(m.start(), m.end(), "phone", m.group(), rank))
    for m in _PHONE_NATIONAL.finditer(text):
        value = m.group()
        digits = _NON_DIGIT.sub("", value)
        if 9 <= len(digits) <= 11 and not _DATE_START.match(value.lstrip("(")):
            start = m.start() + (1 if value.startswith("(") and ")" not in value[:5] else 0)
            out.append(_Hit(start, m.end(), "phone", text[start:m.end()], rank))
    for pattern in _PHONE_US:
        out.extend(_Hit(m.start(), m.end(), "phone", m.group(), rank) for m in pattern.finditer(text))


def _iban_hits(text: str, out: list[_Hit]) -> None:
    for m in _IBAN.finditer(text):
        start = m.start() - 2
        raw = text[start:m.end()]
        ends = [i + 1 for i, ch in enumerate(raw) if ch.isalnum()]  # just after the n-th character
        compact = "".join(ch for ch in raw if ch.isalnum()).upper()
        expected = _IBAN_LENGTHS.get(compact[:2])
        lengths: Iterable[int] = (expected,) if expected else range(min(34, len(compact)), 14, -1)
        for length in lengths:
            if length > len(compact):
                continue
            end = ends[length - 1]
            if end < len(raw) and raw[end].isalnum():
                continue  # the cut would split a group of characters
            if iban_valid(compact[:length]):
                out.append(_Hit(start, start + end, "iban", raw[:end], _PRIORITY["iban"]))
                break


def _card_hits(text: str, out: list[_Hit]) -> None:
    for m in _CARD.finditer(text):
        digits = _NON_DIGIT.sub("", m.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            out.append(_Hit(m.start(), m.end(), "card", m.group(), _PRIORITY["card"]))


def _searches(pattern: re.Pattern[str], folded: str) -> Iterable[re.Match[str]]:
    """Matches of `pattern` that do not start inside a word (the check a leading \\b would make, but faster)."""
    pos = 0
    while (m := pattern.search(folded, pos)) is not None:
        if _word_before(folded, m.start()):
            pos = m.start() + 1
            continue
        yield m
        pos = max(m.end(), m.start() + 1)


def _order_hits(text: str, folded: str, out: list[_Hit]) -> None:
    rank = _PRIORITY["order"]
    for m in _ORDER_HASH.finditer(folded):
        out.append(_Hit(m.start("n"), m.end("n"), "order", text[m.start("n"):m.end("n")], rank))
    for m in _searches(_ORDER_WORD, folded):
        out.append(_Hit(m.start("n"), m.end("n"), "order", text[m.start("n"):m.end("n")], rank))


def _tracking_hits(text: str, folded: str, out: list[_Hit]) -> None:
    for m in _TRACKING_FORMAT.finditer(text):
        out.append(_Hit(m.start(), m.end(), "tracking", m.group(), _PRIORITY["tracking"]))
    for m in _searches(_TRACKING_CONTEXT, folded):
        limit = m.end() + _CONTEXT_WINDOW
        newline = text.find("\n", m.end(), limit)
        token = _TRACKING_TOKEN.search(text, m.end(), limit if newline < 0 else newline)
        if token and len(_CONTEXT_TOKEN.findall(text, m.end(), token.start())) < _CONTEXT_WORDS:
            out.append(_Hit(token.start(), token.end(), "tracking", token.group(), _PRIORITY["tracking_context"]))


def _name_hit(text: str, m: re.Match[str], out: list[_Hit]) -> None:
    start = end = m.start("name")
    for word in _WORD.finditer(text, start, m.end("name")):
        if word.group().casefold() in _NOT_NAMES:
            break
        end = word.end()
    if end > start:
        out.append(_Hit(start, end, "name", text[start:end], _PRIORITY["name"]))


def _name_hits(text: str, folded: str, out: list[_Hit]) -> None:
    for m in _searches(_GREETING, folded):
        after = _AFTER_GREETING.match(text, m.end())
        if after:
            _name_hit(text, after, out)
    for m in _TITLE_NAME.finditer(text):
        if not _word_before(text, m.start()):
            _name_hit(text, m, out)
    for m in _SIGN_OFF.finditer(text):
        _name_hit(text, m, out)


def _detect(text: str, folded: str, *, names: bool) -> list[_Hit]:
    hits: list[_Hit] = []
    if "@" in text:
        _email_hits(text, hits)
    if _DIGIT.search(text):
        _phone_hits(text, hits)
        _iban_hits(text, hits)
        _card_hits(text, hits)
        _order_hits(text, folded, hits)
        _tracking_hits(text, folded, hits)
    if names:
        _name_hits(text, folded, hits)
    return hits


def _resolve(hits: list[_Hit]) -> tuple[list[_Hit], bool]:
    """Non-overlapping hits in text order (the longest first, then by priority), and whether a dropped
    hit reached outside the kept ones (then masking the result again may find more)."""
    if len(hits) < 2:
        return hits, False
    hits.sort(key=lambda h: (h.start - h.end, h.rank, h.start))
    starts: list[int] = []  # of the kept hits, which never overlap: sorted by start, so by end too
    kept: list[_Hit] = []
    partial = False
    for h in hits:
        i = bisect_right(starts, h.start)
        before = kept[i - 1] if i else None
        after = kept[i] if i < len(kept) else None
        if before is not None and before.end > h.start:
            partial = partial or before.end < h.end
        elif after is not None and after.start < h.end:
            partial = True
        else:
            starts.insert(i, h.start)
            kept.insert(i, h)
    return kept, partial


def find_identifiers(text: str, *, names: bool = False) -> list[Identifier]:
    """Structured identifiers in free text (no known values): email, phone, iban, card, order, tracking.

    With `names`, also names after a greeting, a title or a sign-off. Spans never overlap.
    """
    hits, _ = _resolve(_detect(text, _fold_chars(text), names=names))
    return [Identifier(h.kind, h.start, h.end, h.value) for h in hits]


def scan(text: str, allowed_placeholders: bool = True, *, known: KnownValues | None = None) -> list[Finding]:
    """Identifiers still visible in `text` (to run on what is about to be sent; any finding: do not send).

    Finds e-mail addresses, phone numbers, IBAN, card, order and tracking numbers, and with `known` the
    known values too (`Pseudonymiser.scan` also knows the thread's mapping). Placeholders are not
    identifiers; with `allowed_placeholders=False` they are reported too (kind "placeholder"), for text
    that should not contain any (raw input that could forge one).
    """
    if known is not None:
        return Pseudonymiser(known).scan(text, allowed_placeholders)
    hits, _ = _resolve(_detect(text, _fold_chars(text), names=False))
    return _findings(hits, text, allowed_placeholders)


def _findings(hits: list[_Hit], text: str, allowed_placeholders: bool) -> list[Finding]:
    found = [Finding(h.kind, h.start, h.end) for h in hits]
    if not allowed_placeholders:
        found += [Finding("placeholder", m.start(), m.end()) for m in _PLACEHOLDER_LOOSE.finditer(text)]
        found.sort(key=lambda f: f.start)
    return found


# --- known values -------------------------------------------------------------------------------------------
# Text values (names, addresses, e-mails, order and tracking numbers) are found in the folded text by one
# alternation of plain patterns, longest first; which value matched is told by its canonical form (folded,
# without separators). Phone numbers, which come in many formats, are compared by `phone_key`.

_CANON_DROP = re.compile(r"[\s,\-#]+")
_ADDRESS_PARTS = re.compile(r"[\n,;]+")


@dataclass(frozen=True, slots=True)
class _Literal:
    kind: str
    value: str


def _canon(folded: str) -> str:
    return _CANON_DROP.sub("", folded)


def _text_pattern(kind: str, value: str) -> str | None:
    """The pattern of a known value in folded text (None when too short to be masked safely)."""
    v = _fold_chars(value.strip())
    if kind == "email":
        return re.escape(v) + r"(?![\w\-]|\.\w)" if "@" in v else None
    if kind == "order":
        number = normalise_order(v).lower()
        if not number:
            return None
        # a short number only right after '#', not every "57" in the text
        return (r"\#" if len(number) < 3 else "") + re.escape(number) + r"(?!\w)"
    if kind in ("tracking", "iban", "card"):
        chars = normalise_tracking(v).lower()
        if len(chars) < 6:
            return None
        return r"[ \-]?".join(map(re.escape, chars)) + r"(?![a-z0-9])"
    if sum(c.isalnum() for c in v) < (2 if kind == "name" else 3):
        return None
    words = [w for w in re.split(r"[\s,]+" if kind == "address" else r"\s+", v) if w]
    joiner = r"[\s,]+" if kind == "address" else r"[\s\-]+"
    return joiner.join(re.escape(w).replace(r"\-", r"[\s\-]") for w in words) + r"(?!\w)"


_DIGIT_GROUP = re.compile(r"\d+")
_PHONE_GAP = re.compile(r"[ .\-/()\u00a0\u202f]{1,3}")
_MAX_PHONE_DIGITS = 17  # "0033 (0)6 12 34 56 78" and a little more


def _known_phone_hits(text: str, phones: Mapping[str, _Literal], out: list[_Hit]) -> None:
    """The known phone numbers in `text`, whatever their formatting.

    Runs of digit groups separated by phone punctuation are read right to left from each group that ends
    like a known number; the longest run whose `phone_key` is known wins. Work stays linear in the text.
    """
    tails = {key[-4:] for key in phones}
    ends = {tail[-k:] for tail in tails for k in range(1, 5)}
    groups = [(m.start(), m.end()) for m in _DIGIT_GROUP.finditer(text)]
    rank = _PRIORITY["known"]
    free = 0  # groups before this one are part of a hit already
    for b, (_, b_end) in enumerate(groups):
        last = text[groups[b][0]:b_end]
        if b < free or (last[-4:] not in tails if len(last) >= 4 else last not in ends):
            continue
        digits = ""
        found: tuple[int, _Literal] | None = None
        a = b
        while True:
            digits = text[groups[a][0]:groups[a][1]] + digits
            if len(digits) > _MAX_PHONE_DIGITS or (len(digits) >= 4 and digits[-4:] not in tails):
                break
            if len(digits) >= 6:
                start = groups[a][0] - (1 if groups[a][0] > 0 and text[groups[a][0] - 1] == "+" else 0)
                lit = phones.get(phone_key(text[start:b_end]))
                if lit is not None:
                    found = (start, lit)  # keep going left: the longest run wins
            if a == free or not _PHONE_GAP.fullmatch(text, groups[a - 1][1], groups[a][0]):
                break
            a -= 1
        if found is not None:
            start, lit = found
            if start > 0 and text[start - 1] == "(" and ")" in text[start:b_end]:
                start -= 1
            out.append(_Hit(start, b_end, "phone", lit.value, rank))
            free = b + 1


def _name_parts(full: str) -> list[str]:
    """The first and last names (and parts of compound ones) of a full name, when they have 3+ letters."""
    parts: list[str] = []
    words = [w.strip(".,") for w in full.split()]
    for word in words:
        candidates = [word] + (word.replace("‐", "-").split("-") if "-" in word or "‐" in word else [])
        for c in candidates:
            if sum(ch.isalpha() for ch in c) >= 3 and c.casefold() not in _NAME_PARTICLES:
                parts.append(c)
    if len(words) > 1:  # "Marie Dupont" and "Dupont Marie" for "Marie-Hélène Dupont": one placeholder each
        last = words[-1]
        firsts = [p for p in words[0].replace("‐", "-").split("-") if p] if "-" in words[0] else []
        parts += [f"{first} {last}" for first in firsts] + [f"{last} {first}" for first in [words[0], *firsts]]
    return parts if len(words) > 1 or len(parts) > 1 else []


def _address_parts(address: str) -> list[str]:
    """The street line and postcode + city (the parts with both digits and letters) of an address."""
    parts = [p.strip() for p in _ADDRESS_PARTS.split(address) if p.strip()]
    return [p for p in parts if len(p) >= 6 and any(c.isdigit() for c in p) and any(c.isalpha() for c in p)]


def _known_items(known: KnownValues, mapping: Mapping[str, str]) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for name in known.names:
        items.append(("name", name))
        items += [("name", p) for p in _name_parts(name)]
    items += [("email", e) for e in known.emails]
    items += [("phone", p) for p in known.phones]
    for address in known.addresses:
        items.append(("address", address))
        items += [("address", p) for p in _address_parts(address)]
    items += [("order", o.strip().lstrip("#").strip()) for o in known.order_numbers]
    items += [("tracking", t) for t in known.tracking_numbers]
    items += [("other", o) for o in known.other]
    for placeholder, value in mapping.items():
        m = _PLACEHOLDER.fullmatch(placeholder)
        if m:
            items.append((_KINDS[m.group(1)], value))
    return [(kind, value.strip()) for kind, value in items if value and value.strip()]


class _KnownMatcher:
    """Finds the known values in text."""

    def __init__(self, known: KnownValues, mapping: Mapping[str, str]) -> None:
        texts: dict[str, tuple[_Literal, str]] = {}   # canonical form → (literal, pattern)
        self.phones: dict[str, _Literal] = {}        # phone key → literal
        for kind, value in _known_items(known, mapping):
            if kind == "phone":
                key = phone_key(value)
                if len(key) >= 6 and key not in self.phones:
                    self.phones[key] = _Literal(kind, value)
                continue
            pattern = _text_pattern(kind, value)
            canon = _canon(_fold_chars(value))
            if pattern and canon not in texts:
                texts[canon] = (_Literal(kind, value), pattern)
        by_length = sorted(texts.values(), key=lambda item: -len(item[0].value))
        self.texts = {canon: lit for canon, (lit, _) in texts.items()}
        self.text_re = re.compile("|".join(p for _, p in by_length)) if by_length else None

    def hits(self, text: str, folded: str, out: list[_Hit]) -> None:
        rank = _PRIORITY["known"]
        if self.text_re is not None:
            pos = 0
            while (m := self.text_re.search(folded, pos)) is not None:
                lit = self.texts.get(_canon(m.group()))
                if lit is None or not self._left_ok(lit.kind, folded, m.start()):
                    pos = m.start() + 1
                    continue
                start = m.start() + (1 if m.group().startswith("#") else 0)
                out.append(_Hit(start, m.end(), lit.kind, lit.value, rank))
                pos = m.end()
        if self.phones and _DIGIT.search(text):
            _known_phone_hits(text, self.phones, out)

    @staticmethod
    def _left_ok(kind: str, folded: str, start: int) -> bool:
        if start == 0:
            return True
        ch = folded[start - 1]
        if kind == "email":
            return not (ch.isalnum() or ch in _LOCAL_PUNCT)
        return not (ch.isalnum() or ch == "_")


# --- the pseudonymiser --------------------------------------------------------------------------------------

_MAX_PASSES = 3
_NOT_TEXT_KEYS = frozenset(("type", "tool_call_id", "image_url"))


class Pseudonymiser:
    """Replaces personal data by typed placeholders, stable for one thread.

    Args:
        known: the thread customer's and the shop's values.
        mapping: placeholder → value from earlier calls for the same thread. The dict is used and extended
            in place, so it stays the one record of the thread's placeholders (and a `Restorer` made from
            `mapping` sees placeholders added later).

    Not thread-safe: one instance serves one request at a time.
    """

    def __init__(self, known: KnownValues, mapping: dict[str, str] | None = None) -> None:
        self._known = known
        self._mapping: dict[str, str] = mapping if mapping is not None else {}
        for placeholder in self._mapping:
            if not _PLACEHOLDER.fullmatch(placeholder):
                raise ValueError("mapping keys must be placeholders such as [NAME_1]")
        self._by_key: dict[tuple[str, str], str] = {}
        self._counters: dict[str, int] = {}
        self._indexed = 0
        self._reindex()
        self._matcher = _KnownMatcher(known, self._mapping)

    @property
    def known(self) -> KnownValues:
        return self._known

    @property
    def mapping(self) -> dict[str, str]:
        """placeholder → value, live (do not modify: it is the thread's record)."""
        return self._mapping

    def _reindex(self) -> None:
        for placeholder, value in self._mapping.items():
            m = _PLACEHOLDER.fullmatch(placeholder)
            if m is None:
                continue
            tag, number = m.group(1), int(m.group(2))
            kind = _KINDS[tag]
            self._by_key.setdefault((kind, _key(kind, value)), placeholder)
            self._counters[tag] = max(self._counters.get(tag, 0), number)
        self._indexed = len(self._mapping)

    def _placeholder(self, kind: str, value: str) -> str:
        if len(self._mapping) != self._indexed:  # another pseudonymiser shares the mapping and added to it
            self._reindex()
        key = (kind, _key(kind, value))
        placeholder = self._by_key.get(key)
        if placeholder is None:
            tag = _TAGS[kind]
            number = self._counters.get(tag, 0) + 1
            self._counters[tag] = number
            placeholder = f"[{tag}_{number}]"
            self._by_key[key] = placeholder
            self._mapping[placeholder] = value
            self._indexed = len(self._mapping)
        return placeholder

    def _hits(self, text: str, *, names: bool) -> tuple[list[_Hit], bool]:
        folded = _fold_chars(text)
        hits = _detect(text, folded, names=names)
        self._matcher.hits(text, folded, hits)
        return _resolve(hits)

    def mask(self, text: str) -> str:
        """`text` with every known and detected identifier replaced by its placeholder."""
        for _ in range(_MAX_PASSES):
            hits, partial = self._hits(text, names=True)
            if not hits:
                break
            parts: list[str] = []
            pos = 0
            for h in hits:
                parts.append(text[pos:h.start])
                parts.append(self._placeholder(h.kind, h.value))
                pos = h.end
            parts.append(text[pos:])
            text = "".join(parts)
            if not partial:  # else what a dropped overlapping hit left visible may match: mask again
                break
        return text

    def mask_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Copies of chat messages with every `content` (strings, text parts, tool results) and every tool
        call's arguments masked. The input is not modified."""
        out = []
        for message in messages:
            masked = dict(message)
            if "content" in masked:
                masked["content"] = self._mask_any(masked["content"])
            calls = masked.get("tool_calls")
            if isinstance(calls, list):
                masked["tool_calls"] = [self._mask_call(c) for c in calls]
            out.append(masked)
        return out

    def _mask_call(self, call: Any) -> Any:
        if not isinstance(call, dict):
            return call
        call = dict(call)
        function = call.get("function")
        if isinstance(function, dict):
            function = dict(function)
            if isinstance(function.get("arguments"), str):
                function["arguments"] = self.mask(function["arguments"])
            call["function"] = function
        return call

    def _mask_any(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            return [self._mask_any(v) for v in value]
        if isinstance(value, dict):
            return {k: v if k in _NOT_TEXT_KEYS else self._mask_any(v) for k, v in value.items()}
        return value

    def scan(self, text: str, allowed_placeholders: bool = True) -> list[Finding]:
        """Like the module's `scan`, with this thread's known values and mapped values too."""
        return _findings(self._hits(text, names=False)[0], text, allowed_placeholders)

    def restore(self, text: str) -> str:
        return Restorer(self._mapping).restore(text)


# --- restoring the model's output ---------------------------------------------------------------------------

_MAX_PLACEHOLDER = 20  # "[TRACKING_999999 ]" and a little slack
_TAG_NAMES = tuple(_TAGS.values())


def _could_become_placeholder(tail: str) -> bool:
    """Whether `tail` (from a '[' to the end, no ']') may still grow into a placeholder."""
    body = tail[1:]
    if body.startswith(" "):
        body = body[1:]
    letters = len(body) - len(body.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    tag, rest = body[:letters].upper(), body[letters:]
    if not rest:
        return any(t.startswith(tag) for t in _TAG_NAMES)
    if tag not in _TAG_NAMES or rest[0] not in "_ -":
        return False
    digits = rest[1:]
    if digits.endswith(" "):
        digits = digits[:-1]
    return digits.isdigit() or digits == ""


class Restorer:
    """Puts the values back into the model's output, also while it streams.

    `feed` returns what can be shown now: a trailing piece that may be the start of a placeholder
    ("[EMA", "[EMAIL_") is held back until it can be decided; `flush` returns the rest. Placeholders not
    in the mapping are left as they are and listed in `unknown` (the draft should then be flagged).

    Args:
        mapping: placeholder → value; read live (a mapping that grows after the restorer is made is seen).
    """

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._mapping = mapping
        self._pending = ""
        self.unknown: list[str] = []

    def restore(self, text: str) -> str:
        if "[" not in text:
            return text

        def one(m: re.Match[str]) -> str:
            placeholder = f"[{m.group(1).upper()}_{m.group(2)}]"
            value = self._mapping.get(placeholder)
            if value is None:
                if placeholder not in self.unknown:
                    self.unknown.append(placeholder)
                return m.group()
            return value

        return _PLACEHOLDER_LOOSE.sub(one, text)

    def feed(self, chunk: str) -> str:
        buffer = self._pending + chunk
        cut = buffer.rfind("[")
        if cut >= 0:
            tail = buffer[cut:]
            if "]" not in tail and len(tail) <= _MAX_PLACEHOLDER and _could_become_placeholder(tail):
                self._pending = tail
                return self.restore(buffer[:cut])
        self._pending = ""
        return self.restore(buffer)

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return self.restore(rest)
