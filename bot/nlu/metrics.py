"""Intent and entity scores for the held-out NLU benchmark (plain Python)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

Span = tuple[str, int, int]  # entity type, start, end


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int


def _score(tp: int, fp: int, fn: int) -> Score:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, tp + fn)


@dataclass(frozen=True)
class IntentReport:
    accuracy: float
    macro_f1: float
    per_intent: dict[str, Score]
    confusions: list[tuple[str, str, int]]  # gold, predicted, count (most frequent first)


def intent_report(gold: Sequence[str], predicted: Sequence[str | None]) -> IntentReport:
    """Macro-F1 over the intents of the gold labels; a wrong or missing prediction
    (including nlu_fallback) counts against the gold intent."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    if not gold:
        raise ValueError("no examples")
    pairs = list(zip(gold, predicted, strict=True))
    per_intent = {}
    for label in sorted(set(gold)):
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        per_intent[label] = _score(tp, fp, fn)
    confusions = Counter((g, str(p)) for g, p in pairs if g != p)
    return IntentReport(
        accuracy=sum(1 for g, p in pairs if g == p) / len(pairs),
        macro_f1=sum(s.f1 for s in per_intent.values()) / len(per_intent),
        per_intent=per_intent,
        confusions=[(g, p, n) for (g, p), n in confusions.most_common()],
    )


@dataclass(frozen=True)
class EntityReport:
    micro: Score
    per_type: dict[str, Score]


def entity_report(gold: Iterable[Iterable[Span]], predicted: Iterable[Iterable[Span]]) -> EntityReport:
    """Exact-match entity scores: type, start and end must all agree."""
    counts: dict[str, list[int]] = {}
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        g, p = set(gold_spans), set(predicted_spans)
        for entity_type in {s[0] for s in g | p}:
            c = counts.setdefault(entity_type, [0, 0, 0])
            gt = {s for s in g if s[0] == entity_type}
            pt = {s for s in p if s[0] == entity_type}
            c[0] += len(gt & pt)
            c[1] += len(pt - gt)
            c[2] += len(gt - pt)
    per_type = {t: _score(*c) for t, c in sorted(counts.items())}
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return EntityReport(micro=_score(*total), per_type=per_type)


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    accuracy: float
    mean_confidence: float


@dataclass(frozen=True)
class Calibration:
    bins: list[CalibrationBin]
    expected_calibration_error: float  # mean |accuracy - confidence| over bins, weighted by their size


BANDS = (0.0, 0.4, 0.6, 0.8, 0.9, 1.0001)


def calibration(confidences: Sequence[float], correct: Sequence[bool], edges: Sequence[float] = BANDS) -> Calibration:
    """How far the model's confidence can be trusted: the accuracy of the answers
    in each confidence band. A well-calibrated model is right 90 % of the time when
    it says 0.9; a model that is confidently wrong has bands far above their accuracy."""
    if len(confidences) != len(correct):
        raise ValueError("confidences and results differ in length")
    bins, total, error = [], len(confidences), 0.0
    for low, high in zip(edges, edges[1:], strict=False):
        inside = [(c, ok) for c, ok in zip(confidences, correct, strict=True) if low <= c < high]
        if not inside:
            continue
        accuracy = sum(ok for _, ok in inside) / len(inside)
        mean = sum(c for c, _ in inside) / len(inside)
        bins.append(CalibrationBin(low, min(high, 1.0), len(inside), accuracy, mean))
        error += len(inside) / total * abs(accuracy - mean)
    return Calibration(bins, error)
