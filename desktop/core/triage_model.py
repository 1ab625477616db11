"""A small learned intent model for triage: logistic regression on words and word pairs, in pure Python.

The rules of `desktop.core.triage` recognise the phrasings they were written for; this model gives every intent a
probability from the words of the mail, learnt from labelled mails (`bench/train_triage.py` trains it and writes
the table in `desktop/core/triage_weights.py`). `triage.classify` adds the model's log-probabilities to the rule
scores, so a mail no rule recognises still gets the intent its words point to, and a weak rule can be outvoted.
Scoring one mail is a few hundred dictionary look-ups: no I/O, no dependency.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Words (with an apostrophe inside: "don't", "l'envoyer"), question and exclamation marks. Digits are left out:
# order numbers and prices say nothing about the intent.
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[?!]")
_EMPTY = "<empty>"


def features(body: str, subject: str = "") -> list[str]:
    """The model's features of a mail's cleaned text (see `triage._clean`): its words and pairs of adjacent words.

    Args:
        body: the customer's own words, cleaned.
        subject: the subject, cleaned, when it is the customer's own (empty for a reply to the shop's mail).
    """
    out: list[str] = []
    for text in (body, subject):
        words = _TOKEN.findall(text)
        out.extend(words)
        out.extend(f"{a} {b}" for a, b in itertools.pairwise(words))
    return out or [_EMPTY]


@dataclass(frozen=True)
class LinearModel:
    """Multinomial logistic regression over counted features, each mail's counts scaled to unit length.

    Attributes:
        classes: the intent values, in the order of every weight row.
        bias: one value per class.
        weights: feature -> (class index, weight) pairs; a class missing from a row has weight 0.
    """

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[tuple[int, float], ...]]

    def log_probs(self, feats: Iterable[str]) -> list[float]:
        """Log-probability of each class (in `classes` order) for a mail's features."""
        counts: dict[str, int] = {}
        for f in feats:
            if f in self.weights:
                counts[f] = counts.get(f, 0) + 1
        scores = list(self.bias)
        if counts:
            scale = 1.0 / math.sqrt(sum(n * n for n in counts.values()))
            for f, n in counts.items():
                v = n * scale
                for k, w in self.weights[f]:
                    scores[k] += w * v
        top = max(scores)
        log_total = top + math.log(sum(math.exp(s - top) for s in scores))
        return [s - log_total for s in scores]

    def to_text(self) -> str:
        """The table as text, one line per feature ("feature<TAB>k:w k:w"), weights in thousandths."""
        lines = ["classes\t" + " ".join(self.classes), "bias\t" + " ".join(str(round(b * 1000)) for b in self.bias)]
        for f in sorted(self.weights):
            lines.append(f + "\t" + " ".join(f"{k}:{round(w * 1000)}" for k, w in self.weights[f]))
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, text: str) -> LinearModel:
        """The model written by `to_text`; ValueError on a malformed table."""
        rows = [line.split("\t") for line in text.strip("\n").split("\n")]
        if len(rows) < 2 or rows[0][0] != "classes" or rows[1][0] != "bias" or any(len(r) != 2 for r in rows):
            raise ValueError("not a triage model table")
        classes = tuple(rows[0][1].split())
        bias = tuple(int(x) / 1000 for x in rows[1][1].split())
        weights: dict[str, tuple[tuple[int, float], ...]] = {}
        for feature, cells in rows[2:]:
            pairs = [cell.split(":") for cell in cells.split()]
            weights[feature] = tuple((int(k), int(w) / 1000) for k, w in pairs)
        if len(bias) != len(classes) or any(not 0 <= k < len(classes) for row in weights.values() for k, _ in row):
            raise ValueError("triage model table does not match its classes")
        return cls(classes=classes, bias=bias, weights=weights)


def sparse(classes: Sequence[str], bias: Sequence[float], dense: dict[str, list[float]],
           min_weight: float = 0.0005) -> LinearModel:
    """A `LinearModel` from dense weight rows, keeping only the weights that matter.

    Adding the same number to every class's weight for a feature changes no probability, so each row is first
    shifted by its median: most weights then sit near 0, and those under `min_weight` are dropped."""
    weights: dict[str, tuple[tuple[int, float], ...]] = {}
    for f, row in dense.items():
        ordered = sorted(row)
        middle = (ordered[(len(row) - 1) // 2] + ordered[len(row) // 2]) / 2
        kept = tuple((k, w - middle) for k, w in enumerate(row) if abs(w - middle) >= min_weight)
        if kept:
            weights[f] = kept
    return LinearModel(classes=tuple(classes), bias=tuple(bias), weights=weights)


def load() -> LinearModel | None:
    """The shipped model (`triage_weights.TABLE`), or None when the table is missing: then the rules decide alone."""
    try:
        from desktop.core.triage_weights import TABLE
    except ImportError:
        return None
    return LinearModel.from_text(TABLE)
