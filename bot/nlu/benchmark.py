"""NLU benchmark on sets the training data never saw.

    python -m bot.nlu.benchmark check --model models/current.tar.gz --min-macro-f1 0.92 --min-real-problems 0.70
    python -m bot.nlu.benchmark report --model models/current.tar.gz   # every set, moods, routing
    python -m bot.nlu.benchmark compare       # trains each pipeline variant on the same data

The sets, and how honest each is:
- held-out: tests/nlu/heldout.yml (written like the training data) and
  tests/nlu/heldout_narrative.yml (narrative register, written blind by a helper
  who saw only the intent table);
- openings: tests/nlu/openings_blind.yml, 150 first messages written blind;
- moods: tests/nlu/mood_blind.yml, 160 messages with area and mood, written blind;
- real: ../shared/nlu-real-dev/real_dev.jsonl, real customers' texts, when that file
  exists (evaluation only: never trained on, never copied into the project);
  accuracy overall and on the eight problem areas, per intent, the confusions,
  and calibration (how often the model is right at each confidence).

`check` is the floor in `make test`; `report` and `compare` are `make bench`.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.diagnosis.model import PROBLEM_AREAS
from bot.nlu.metrics import (
    Calibration,
    EntityReport,
    IntentReport,
    Score,
    Span,
    _score,
    calibration,
    entity_report,
    intent_report,
)
from bot.nlu.mood import INTENT_MOODS, MOODS, NO_MOOD, mood_of
from bot.nlu.routing import COMPETING_KEY, NLU_FALLBACK
from bot.paths import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "tests" / "nlu"
HELDOUT = NLU_DIR / "heldout.yml"
HELDOUT_NARRATIVE = NLU_DIR / "heldout_narrative.yml"
OPENINGS = NLU_DIR / "openings_blind.yml"
MOODS_SET = NLU_DIR / "mood_blind.yml"
REAL_DEV = PROJECT_ROOT.parent / "shared" / "nlu-real-dev" / "real_dev.jsonl"
PROBLEM_INTENTS = PROBLEM_AREAS
REAL_LABELS = {"human_agent": "request_human"}  # the set's names for ours; "other" is left out
MOOD_INTENTS = {mood: intent for intent, mood in INTENT_MOODS.items()}
BENCH_DIR = PROJECT_ROOT / "var" / "bench"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: frozenset[Span] = frozenset()
    mood: str | None = None  # only in the mood set


# -- the sets ---------------------------------------------------------------------------


def load_examples(path: Path = HELDOUT) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        Example(
            text=m.get("text"),
            intent=m.get("intent"),
            entities=frozenset((e["entity"], e["start"], e["end"]) for e in m.get("entities") or []),
        )
        for m in data.intent_examples
    ]


def load_heldout() -> list[Example]:
    return load_examples(HELDOUT) + load_examples(HELDOUT_NARRATIVE)


def load_openings(path: Path = OPENINGS) -> list[Example]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["openings"]
    return [Example(row["text"], row["area"]) for row in rows]


def load_moods(path: Path = MOODS_SET) -> list[Example]:
    """The intent a message should get: its area, or for a message without a
    problem the intent of its mood (complaint, request_human, ticket_status)."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    return [
        Example(row["text"], row["area"] if row["area"] != "none" else MOOD_INTENTS[row["mood"]], mood=row["mood"])
        for row in rows
    ]


def load_real(path: Path = REAL_DEV) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row["intent"] != "other":
                examples.append(Example(row["text"], REAL_LABELS.get(row["intent"], row["intent"])))
    return examples


def all_sets() -> dict[str, list[Example]]:
    sets = {
        "held-out": load_examples(HELDOUT),
        "held-out narrative": load_examples(HELDOUT_NARRATIVE),
        "openings (blind)": load_openings(),
        "moods (blind)": load_moods(),
    }
    if REAL_DEV.exists():
        sets["real dev"] = load_real()
    return sets


# -- parsing and scoring ----------------------------------------------------------------


class Parser:
    """One loaded model; parse() keeps the time per message."""

    def __init__(self, model_path: Path) -> None:
        from rasa.core.agent import Agent

        self.agent = Agent.load(str(model_path))

    def parse(self, texts: list[str]) -> tuple[list[dict], list[float]]:
        async def run() -> tuple[list[dict], list[float]]:
            parsed, timings = [], []
            for text in texts:
                start = time.perf_counter()
                parsed.append(await self.agent.parse_message(text))
                timings.append((time.perf_counter() - start) * 1000)
            return parsed, timings

        return asyncio.run(run())


@dataclass(frozen=True)
class SetResult:
    name: str
    n: int
    intents: IntentReport
    raw: IntentReport  # the classifier's best guess, ignoring fallback and the two-area question
    problems: IntentReport  # only the examples whose gold is a problem area
    n_problems: int
    calibration: Calibration
    fallback_rate: float
    asked: float  # share of messages answered with the two-area question
    asked_right: float  # of those, how often the right area was one of the two
    entities: EntityReport | None = None
    latency_ms: tuple[float, float] = (0.0, 0.0)  # p50, p95


def _raw_intent(parsed: dict) -> str | None:
    return next((r["name"] for r in parsed.get("intent_ranking", []) if r["name"] != NLU_FALLBACK), None)


def score(name: str, examples: list[Example], parsed: list[dict], timings: list[float] | None = None) -> SetResult:
    gold = [e.intent for e in examples]
    predicted = [p["intent"].get("name") for p in parsed]
    confidence = [float(p["intent"].get("confidence") or 0.0) for p in parsed]
    problems = [i for i, g in enumerate(gold) if g in PROBLEM_INTENTS]
    asked = [i for i, p in enumerate(parsed) if p.get(COMPETING_KEY)]
    timings = sorted(timings or [0.0])
    with_entities = any(e.entities for e in examples)
    return SetResult(
        name=name,
        n=len(gold),
        intents=intent_report(gold, predicted),
        raw=intent_report(gold, [_raw_intent(p) for p in parsed]),
        problems=intent_report([gold[i] for i in problems], [predicted[i] for i in problems]),
        n_problems=len(problems),
        calibration=calibration(confidence, [g == p for g, p in zip(gold, predicted, strict=True)]),
        fallback_rate=sum(1 for p in predicted if p == NLU_FALLBACK) / len(predicted),
        asked=len(asked) / len(parsed),
        asked_right=(sum(1 for i in asked if gold[i] in parsed[i][COMPETING_KEY]) / len(asked)) if asked else 0.0,
        entities=entity_report(
            [e.entities for e in examples],
            [{(e["entity"], e["start"], e["end"]) for e in p.get("entities", [])} for p in parsed],
        )
        if with_entities
        else None,
        latency_ms=(statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]),
    )


@dataclass(frozen=True)
class MoodResult:
    per_mood: dict[str, Score]
    area_accuracy: float  # problem area right, on the messages that have one
    both_right: float  # area and mood right together


def score_moods(examples: list[Example], parsed: list[dict]) -> MoodResult:
    gold = [e.mood or NO_MOOD for e in examples]
    predicted = [mood_of(p).acted_on for p in parsed]
    per_mood = {}
    for mood in MOODS:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == mood and p == mood)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != mood and p == mood)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == mood and p != mood)
        per_mood[mood] = _score(tp, fp, fn)
    with_area = [i for i, e in enumerate(examples) if e.intent in PROBLEM_INTENTS]
    area_right = [i for i in with_area if parsed[i]["intent"].get("name") == examples[i].intent]
    both = [i for i in area_right if predicted[i] == gold[i]]
    return MoodResult(per_mood, len(area_right) / len(with_area), len(both) / len(with_area))


def ensemble(first: list[dict], second: list[dict]) -> list[dict]:
    """The mean of two models' intent probabilities (no fallback): the ensemble
    the comparison reports next to its parts."""
    combined = []
    for a, b in zip(first, second, strict=True):
        scores: dict[str, float] = {}
        for parsed in (a, b):
            for r in parsed.get("intent_ranking", []):
                if r["name"] != NLU_FALLBACK:
                    scores[r["name"]] = scores.get(r["name"], 0.0) + float(r["confidence"]) / 2
        if not scores:  # empty or gibberish: both models said "not understood"
            combined.append(a)
            continue
        best = max(scores, key=scores.get)
        ranking = [{"name": n, "confidence": c} for n, c in sorted(scores.items(), key=lambda x: -x[1])]
        combined.append({**a, "intent": {"name": best, "confidence": scores[best]}, "intent_ranking": ranking})
    return combined


# -- printing ---------------------------------------------------------------------------


def print_set(r: SetResult, details: bool = True) -> None:
    print(f"\n### {r.name} ({r.n} texts)")
    print(
        f"intent accuracy {r.intents.accuracy:.3f}, macro-F1 {r.intents.macro_f1:.3f}; problem areas "
        f"({r.n_problems}) {r.problems.accuracy:.3f}; classifier alone {r.raw.accuracy:.3f}; "
        f"not understood {r.fallback_rate:.1%}; two-area question {r.asked:.1%}"
        + (f" (right area among the two: {r.asked_right:.0%})" if r.asked else "")
    )
    print(f"calibration error {r.calibration.expected_calibration_error:.3f}; "
          f"parse p50 {r.latency_ms[0]:.1f} ms, p95 {r.latency_ms[1]:.1f} ms")
    if r.entities is not None:
        e = r.entities.micro
        print(f"entity F1 {e.f1:.3f} (P {e.precision:.3f}, R {e.recall:.3f})")
    if not details:
        return
    print(f"\n{'intent':<20} {'F1':>6} {'P':>6} {'R':>6} {'n':>4}")
    for intent, s in r.intents.per_intent.items():
        print(f"{intent:<20} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.support:4d}")
    if r.entities is not None:
        print(f"\n{'entity':<20} {'F1':>6} {'P':>6} {'R':>6} {'n':>4}")
        for entity, s in r.entities.per_type.items():
            print(f"{entity:<20} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.support:4d}")
    if r.intents.confusions:
        print("\nmost frequent confusions (gold -> predicted):")
        for gold, pred, n in r.intents.confusions[:12]:
            print(f"  {gold} -> {pred}: {n}")
    print("\ncalibration: how often the answer is right at each confidence")
    print(f"{'confidence':<12} {'n':>4} {'accuracy':>9} {'mean conf.':>11}")
    for band in r.calibration.bins:
        print(f"{band.low:.1f}-{band.high:.1f}     {band.count:4d} {band.accuracy:9.3f} {band.mean_confidence:11.3f}")


def print_moods(m: MoodResult) -> None:
    print("\n### moods (blind set): the second dimension next to the area")
    print(f"area right {m.area_accuracy:.3f}; area and mood right together {m.both_right:.3f}")
    print(f"{'mood':<16} {'F1':>6} {'P':>6} {'R':>6} {'n':>4}")
    for mood, s in m.per_mood.items():
        print(f"{mood:<16} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.support:4d}")


def report(model: Path) -> dict[str, SetResult]:
    parser = Parser(model)
    results = {}
    for name, examples in all_sets().items():
        parsed, timings = parser.parse([e.text for e in examples])
        results[name] = score(name, examples, parsed, timings)
        print_set(results[name])
        if name.startswith("moods"):
            print_moods(score_moods(examples, parsed))
    return results


# -- pipeline variants ------------------------------------------------------------------

VOCABULARY = "bot.nlu.components.DomainVocabularyFeaturizer"
CLASSIFIER = "bot.nlu.components.TelcoIntentClassifier"
# Rasa's own logistic regression on raw counts: the pipeline before real texts were measured.
_RASA_LR = {"name": "LogisticRegressionClassifier", "max_iter": 2000, "random_state": 42}
# DIET with more regularisation than its defaults (small data), intents only, 50 epochs
# (about 20 s an epoch on 2 cores with these features; 100 would take half an hour): the
# CRF keeps the entities in every variant, so only the intent classifier differs.
_DIET = {
    "name": "DIETClassifier", "epochs": 50, "constrain_similarities": True, "random_seed": 42,
    "entity_recognition": False, "drop_rate": 0.3, "weight_sparsity": 0.8,
}


def _replace(config: dict, replacements: dict[str, dict | None]) -> dict:
    """Copy of config with pipeline components swapped (None removes one)."""
    variant = copy.deepcopy(config)
    variant["pipeline"] = [
        replacements.get(c["name"], c) for c in variant["pipeline"] if replacements.get(c["name"], c) is not None
    ]
    return variant


def _variants() -> dict[str, dict]:
    """Pipeline variants derived from config.yml, so the live config is always compared."""
    live = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    return {
        "config.yml: LR (normalised) + vocabulary": live,
        "same without the vocabulary": _replace(live, {VOCABULARY: None}),
        "Rasa's LR (raw counts), no vocabulary": _replace(live, {VOCABULARY: None, CLASSIFIER: _RASA_LR}),
        "DIET (regularised) + vocabulary": _replace(live, {CLASSIFIER: _DIET}),
    }


def _train_nlu(name: str, config: dict) -> Path:
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    config_path = BENCH_DIR / f"{slug}.yml"
    config_path.write_text(yaml.safe_dump({**config, "policies": []}, allow_unicode=True), encoding="utf-8")
    print(f"\n==> training NLU variant '{name}'", flush=True)
    subprocess.run(
        [Path(sys.executable).with_name("rasa"), "train", "nlu", "--config", str(config_path),
         "--nlu", "data/nlu", "--out", str(BENCH_DIR), "--fixed-model-name", slug, "--num-threads", "2"],
        cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    return BENCH_DIR / f"{slug}.tar.gz"


@dataclass
class VariantRow:
    name: str
    sets: dict[str, SetResult] = field(default_factory=dict)
    moods: MoodResult | None = None
    train_seconds: float = 0.0


def _row_for(name: str, parsed_by_set: dict[str, list[dict]], sets: dict[str, list[Example]], seconds: float):
    row = VariantRow(name, train_seconds=seconds)
    for set_name, parsed in parsed_by_set.items():
        row.sets[set_name] = score(set_name, sets[set_name], parsed)
        if set_name.startswith("moods"):
            row.moods = score_moods(sets[set_name], parsed)
    return row


def compare() -> list[VariantRow]:
    sets = all_sets()
    rows, parsed_by_variant = [], {}
    for name, cfg in _variants().items():
        started = time.monotonic()
        model = _train_nlu(name, cfg)
        seconds = time.monotonic() - started
        parser = Parser(model)
        parsed_by_variant[name] = {s: parser.parse([e.text for e in ex])[0] for s, ex in sets.items()}
        rows.append(_row_for(name, parsed_by_variant[name], sets, seconds))
    lr, diet = list(_variants())[0], list(_variants())[3]
    mixed = {s: ensemble(parsed_by_variant[lr][s], parsed_by_variant[diet][s]) for s in sets}
    rows.append(_row_for("ensemble: mean of LR and DIET", mixed, sets, 0.0))
    print_comparison(rows)
    return rows


def print_comparison(rows: list[VariantRow]) -> None:
    print("\n## comparison on the same sets (intent accuracy; real: overall / problem areas / calibration error)")
    print(
        f"{'pipeline':<42} {'held-out F1':>11} {'narrative':>9} {'openings':>8} {'moods':>6} {'real':>18} "
        f"{'train s':>7}"
    )
    for row in rows:
        s = row.sets
        real = s.get("real dev")
        real_text = "–"
        if real:
            error = real.calibration.expected_calibration_error
            real_text = f"{real.intents.accuracy:.3f}/{real.problems.accuracy:.3f}/{error:.2f}"
        print(
            f"{row.name:<42} {s['held-out'].intents.macro_f1:11.3f} {s['held-out narrative'].intents.accuracy:9.3f} "
            f"{s['openings (blind)'].intents.accuracy:8.3f} {row.moods.both_right if row.moods else 0:6.3f} "
            f"{real_text:>18} {row.train_seconds:7.0f}"
        )
    print("(moods: area and mood both right; the ensemble needs both models, so it has no training time of its own)")


# -- command line -----------------------------------------------------------------------


def check(
    model: Path, min_macro_f1: float, min_real_problems: float | None, min_real_overall: float | None = None
) -> int:
    parser = Parser(model)
    heldout = load_heldout()
    parsed = parser.parse([e.text for e in heldout])[0]
    result = score("held-out (heldout.yml + heldout_narrative.yml)", heldout, parsed)
    print_set(result, details=False)
    failed = []
    if result.intents.macro_f1 < min_macro_f1:
        failed.append(f"held-out macro-F1 {result.intents.macro_f1:.3f} < {min_macro_f1}")
    if min_real_problems is not None and REAL_DEV.exists():
        real = load_real()
        real_result = score("real dev", real, parser.parse([e.text for e in real])[0])
        print_set(real_result, details=False)
        if real_result.problems.accuracy < min_real_problems:
            failed.append(f"real texts, problem areas {real_result.problems.accuracy:.3f} < {min_real_problems}")
        if min_real_overall is not None and real_result.intents.accuracy < min_real_overall:
            failed.append(f"real texts, overall {real_result.intents.accuracy:.3f} < {min_real_overall}")
    elif min_real_problems is not None:
        print(f"\n{REAL_DEV} is not here: no floor on real customer texts")
    for line in failed:
        print(f"FAILED: {line}")
    if not failed:
        print("\nOK: the NLU floors hold")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="NLU benchmark on sets the training data never saw")
    sub = parser.add_subparsers(dest="command", required=True)
    check_cmd = sub.add_parser("check", help="fail below the floors")
    check_cmd.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "current.tar.gz")
    check_cmd.add_argument("--min-macro-f1", type=float, required=True)
    check_cmd.add_argument("--min-real-problems", type=float, default=None)
    check_cmd.add_argument("--min-real-overall", type=float, default=None)
    report_cmd = sub.add_parser("report", help="every set in detail, moods, routing, calibration")
    report_cmd.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "current.tar.gz")
    sub.add_parser("compare", help="train every pipeline variant and compare them")
    args = parser.parse_args(argv)

    from rasa.utils.log_utils import configure_structlog

    # Without this, structlog prints one debug line per parsed message.
    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.command == "check":
        return check(args.model, args.min_macro_f1, args.min_real_problems, args.min_real_overall)
    if args.command == "report":
        if not REAL_DEV.exists():
            print(f"{REAL_DEV} is not here: no figures on real customer texts")
        report(args.model)
        return 0
    compare()
    return 0


if __name__ == "__main__":
    sys.exit(main())
