"""Train the triage model (`desktop/core/triage_model.py`) and write its table, `desktop/core/triage_weights.py`.

Training data, every labelled mail in the repo and the shared corpus:

  - the 496 shared Bitext one-line requests (shared/corpus/support, mapped to our intents by
    `bench.triage.BITEXT_TO_INTENT`), weighted 0.3: short synthetic chatbot lines, and a third of them about
    accounts and newsletters, they would otherwise set the model's priors;
  - our 62 French mails (bench/data/triage_fr.jsonl);
  - the 96 English and French mails of tests/test_triage.py (`EN`, `FR`);
  - the 160 mails of bench/data/triage_heldout.jsonl, written blind to the rules and used since as a development
    set.

The model is multinomial logistic regression on words and pairs of words (see `triage_model.features`), trained by
AdaGrad with a fixed seed and a fixed number of passes, so the same data gives the same table, byte for byte.

    python -m bench.train_triage            # train on everything, write desktop/core/triage_weights.py
    python -m bench.train_triage --check    # exit 1 if the shipped table is not what the data gives
    python -m bench.train_triage --cv 5     # estimates: k-fold on the development set, and trained without it

The estimates evaluate `classify`'s own path (rules plus model) with models that never saw the mails scored. In
the k-fold split an English mail and its French rewording (same order number or names) stay in the same fold.
The rules themselves were revised after reading the development set, so these figures are optimistic for the
rules' part: the honest figure comes from a set nobody tuned on.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import BENCH_DIR, REPO_ROOT
from bench.triage import BITEXT, BITEXT_TO_INTENT
from desktop.core import triage, triage_model
from desktop.core.triage import Intent

WEIGHTS_FILE = REPO_ROOT / "desktop" / "core" / "triage_weights.py"
FRENCH = BENCH_DIR / "data" / "triage_fr.jsonl"
DEV = BENCH_DIR / "data" / "triage_heldout.jsonl"
BITEXT_WEIGHT = 0.3
EPOCHS = 30
LEARNING_RATE = 0.5
L2 = 1e-4
SEED = 0
MIN_WEIGHT = 0.1  # smaller weights (after centring) change no decision on the development set (see --cv)
CLASSES = tuple(i.value for i in Intent)


@dataclass(frozen=True)
class Example:
    subject: str
    body: str
    intent: Intent
    source: str
    weight: float = 1.0
    language: str = "en"


def _jsonl(path: Path, source: str) -> list[Example]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            rows.append(Example(item["subject"], item["body"], Intent(item["intent"]), source,
                                language=item.get("language", "en")))
    return rows


def load_examples(*, bitext: Path = BITEXT) -> list[Example]:
    """Every labelled mail the model learns from (see the module docstring), development set last."""
    from tests.test_triage import EN, FR

    rows: list[Example] = []
    if bitext.is_file():
        for line in bitext.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                rows.append(Example("", item["text"], BITEXT_TO_INTENT[item["intent"]], "bitext", BITEXT_WEIGHT))
    else:
        print(f"# {bitext} not found: trained without the Bitext lines", file=sys.stderr)
    rows += _jsonl(FRENCH, "french")
    for language, cases in (("en", EN), ("fr", FR)):
        rows += [Example(subject, body, intent, "tests", language=language)
                 for intent, items in cases.items() for subject, body in items]
    rows += _jsonl(DEV, "dev")
    return rows


def features_of(example: Example) -> list[str]:
    reading = triage._read(example.subject, example.body)
    return triage_model.features(reading.model_body, reading.model_subject)


def train(examples: Sequence[Example], *, epochs: int = EPOCHS, seed: int = SEED) -> triage_model.LinearModel:
    """Logistic regression by AdaGrad on L2-normalised feature counts; deterministic for given data and seed."""
    index = {value: k for k, value in enumerate(CLASSES)}
    n = len(CLASSES)
    data: list[tuple[list[tuple[str, float]], int, float]] = []
    for example in examples:
        counts: dict[str, int] = {}
        for f in features_of(example):
            counts[f] = counts.get(f, 0) + 1
        scale = 1.0 / math.sqrt(sum(c * c for c in counts.values()))
        data.append(([(f, c * scale) for f, c in counts.items()], index[example.intent.value], example.weight))
    weights: dict[str, list[float]] = {}
    squares: dict[str, list[float]] = {}
    bias = [0.0] * n
    rng = random.Random(seed)
    order = list(range(len(data)))
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            feats, label, weight = data[i]
            scores = list(bias)
            for f, v in feats:
                row = weights.get(f)
                if row is not None:
                    for k in range(n):
                        scores[k] += row[k] * v
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            grad = [weight * e / total for e in exps]
            grad[label] -= weight
            for k in range(n):
                bias[k] -= LEARNING_RATE * 0.1 * grad[k]
            for f, v in feats:
                row = weights.setdefault(f, [0.0] * n)
                sq = squares.setdefault(f, [1e-8] * n)
                for k in range(n):
                    g = grad[k] * v + L2 * row[k]
                    sq[k] += g * g
                    row[k] -= LEARNING_RATE * g / math.sqrt(sq[k])
    # Through the text table and back: the model evaluated is exactly the one shipped (weights in thousandths).
    table = triage_model.sparse(CLASSES, bias, weights, min_weight=MIN_WEIGHT).to_text()
    return triage_model.LinearModel.from_text(table)


def weights_module(model: triage_model.LinearModel, examples: Sequence[Example]) -> str:
    sources: dict[str, int] = {}
    for example in examples:
        sources[example.source] = sources.get(example.source, 0) + 1
    trained_on = ", ".join(f"{n} {source}" for source, n in sources.items())
    return (
        '"""Weights of the triage model (`desktop.core.triage_model`), written by `python -m bench.train_triage`.\n\n'
        f"Generated: do not edit. Trained on {len(examples)} labelled mails ({trained_on}); "
        f"{len(model.weights)} features.\n"
        '"""\n\n'
        "# ruff: noqa: E501\n"
        f'TABLE = """\\\n{model.to_text()}"""\n'
    )


def _group_keys(example: Example) -> set[str]:
    text = f"{example.subject} {example.body}"
    return set(re.findall(r"\d{3,}", text)) | {w.lower() for w in re.findall(r"\b[A-Z][a-z]{3,}\b", text)}


def dev_folds(dev: Sequence[Example], k: int) -> list[int]:
    """A fold per development mail; an English mail and its French rewording (sharing an order number or a name,
    within the same intent) get the same fold, so neither is scored by a model trained on the other."""
    group = list(range(len(dev)))
    for intent in Intent:
        english = [i for i, e in enumerate(dev) if e.intent is intent and e.language == "en"]
        french = [i for i, e in enumerate(dev) if e.intent is intent and e.language == "fr"]
        pairs = sorted(((len(_group_keys(dev[i]) & _group_keys(dev[j])), i, j) for i in english for j in french),
                       key=lambda p: (-p[0], p[1], p[2]))
        used: set[int] = set()
        for shared, i, j in pairs:
            if shared and i not in used and j not in used:
                used |= {i, j}
                group[j] = group[i]
    firsts = sorted(set(group))
    return [firsts.index(g) % k for g in group]


def _decide(model: triage_model.LinearModel | None, example: Example) -> Intent:
    reading = triage._read(example.subject, example.body)
    intent, _, reasons = triage._rules_decision(reading)
    return intent if model is None else triage._blend(reading, intent, reasons, model)[0]


def _model_alone(model: triage_model.LinearModel, example: Example) -> Intent:
    log_probs = model.log_probs(features_of(example))
    return Intent(model.classes[max(range(len(log_probs)), key=log_probs.__getitem__)])


def estimate(examples: Sequence[Example], k: int) -> None:
    dev = [e for e in examples if e.source == "dev"]
    rest = [e for e in examples if e.source != "dev"]
    n = len(dev)
    rules = sum(_decide(None, e) is e.intent for e in dev)
    print(f"development set ({n} mails), rules alone: {rules / n:.1%} ({rules}/{n}) — the rules were revised on "
          "these mails")
    without = train(rest)
    both = sum(_decide(without, e) is e.intent for e in dev)
    alone = sum(_model_alone(without, e) is e.intent for e in dev)
    print(f"model trained without the development set: model alone {alone / n:.1%}, rules + model "
          f"{both / n:.1%} ({both}/{n})")
    folds = dev_folds(dev, k)
    right_both = right_alone = 0
    for fold in range(k):
        model = train([*rest, *(e for e, f in zip(dev, folds, strict=True) if f != fold)])
        held = [e for e, f in zip(dev, folds, strict=True) if f == fold]
        right_both += sum(_decide(model, e) is e.intent for e in held)
        right_alone += sum(_model_alone(model, e) is e.intent for e in held)
    print(f"{k}-fold on the development set (grouped): model alone {right_alone / n:.1%}, rules + model "
          f"{right_both / n:.1%} ({right_both}/{n})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only check that the shipped table is up to date")
    parser.add_argument("--cv", type=int, metavar="K", help="print accuracy estimates (K folds) instead of writing")
    args = parser.parse_args(argv)
    examples = load_examples()
    if args.cv:
        estimate(examples, args.cv)
        return 0
    text = weights_module(train(examples), examples)
    if args.check:
        current = WEIGHTS_FILE.read_text(encoding="utf-8") if WEIGHTS_FILE.is_file() else ""
        if current != text:
            print(f"{WEIGHTS_FILE} is not what the training data gives: run python -m bench.train_triage")
            return 1
        print(f"{WEIGHTS_FILE} is up to date")
        return 0
    WEIGHTS_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {WEIGHTS_FILE} ({len(text) // 1024} KiB, {len(examples)} mails)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
