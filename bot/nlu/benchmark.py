"""NLU benchmark on the held-out set (tests/nlu/heldout.yml, never trained on).

    python -m bot.nlu.benchmark check --model models/current.tar.gz --min-macro-f1 0.85
    python -m bot.nlu.benchmark compare       # trains each pipeline variant, same split
    python -m bot.nlu.benchmark real --model models/current.tar.gz   # real customer texts

`check` is the floor in `make test`; `compare` is `make bench` and prints intent
macro-F1, per-intent F1, entity F1 and parse latency for each pipeline variant.
`real` scores the model on real customers' texts, `../shared/nlu-real-dev/real_dev.jsonl`,
when that file exists (evaluation only: never trained on, never copied into the
project): accuracy overall and on the eight problem areas, per intent, the
confusions, and calibration (how often the model is right at each confidence).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.nlu.metrics import EntityReport, IntentReport, Span, entity_report, intent_report
from bot.paths import PROJECT_ROOT

HELDOUT = PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"
REAL_DEV = PROJECT_ROOT.parent / "shared" / "nlu-real-dev" / "real_dev.jsonl"
PROBLEM_INTENTS = (
    "internet_down", "internet_slow", "internet_dropouts", "wifi_problem",
    "phone_down", "tv_problem", "email_problem", "router_setup",
)
REAL_LABELS = {"human_agent": "request_human"}  # the set's names for ours; "other" is left out
BENCH_DIR = PROJECT_ROOT / "var" / "bench"
NLU_FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: frozenset[Span]


@dataclass(frozen=True)
class Result:
    name: str
    intents: IntentReport
    raw_intents: IntentReport  # the classifier's best guess, ignoring the fallback threshold
    entities: EntityReport
    fallback_rate: float
    latency_ms_p50: float
    latency_ms_p95: float


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


def evaluate(model_path: Path, examples: list[Example], name: str) -> Result:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))

    async def parse_all() -> tuple[list[dict], list[float]]:
        parsed, timings = [], []
        for example in examples:
            start = time.perf_counter()
            parsed.append(await agent.parse_message(example.text))
            timings.append((time.perf_counter() - start) * 1000)
        return parsed, timings

    parsed, timings = asyncio.run(parse_all())
    predicted = [p["intent"].get("name") for p in parsed]
    raw = [
        next((r["name"] for r in p.get("intent_ranking", []) if r["name"] != NLU_FALLBACK), None)
        for p in parsed
    ]
    gold = [e.intent for e in examples]
    spans = [{(e["entity"], e["start"], e["end"]) for e in p.get("entities", [])} for p in parsed]
    timings.sort()
    return Result(
        name=name,
        intents=intent_report(gold, predicted),
        raw_intents=intent_report(gold, raw),
        entities=entity_report([e.entities for e in examples], spans),
        fallback_rate=sum(1 for p in predicted if p == NLU_FALLBACK) / len(predicted),
        latency_ms_p50=statistics.median(timings),
        latency_ms_p95=timings[int(0.95 * (len(timings) - 1))],
    )


def load_real(path: Path = REAL_DEV) -> list[Example]:
    import json

    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row["intent"] != "other":
                examples.append(Example(row["text"], REAL_LABELS.get(row["intent"], row["intent"]), frozenset()))
    return examples


def evaluate_real(model_path: Path, examples: list[Example]) -> dict:
    from rasa.core.agent import Agent

    from bot.nlu.metrics import calibration

    agent = Agent.load(str(model_path))

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(example.text) for example in examples]

    parsed = asyncio.run(parse_all())
    predicted = [p["intent"].get("name") for p in parsed]
    confidence = [float(p["intent"].get("confidence") or 0.0) for p in parsed]
    gold = [e.intent for e in examples]
    problems = [i for i, g in enumerate(gold) if g in PROBLEM_INTENTS]
    return {
        "n": len(gold),
        "overall": intent_report(gold, predicted),
        "problems": intent_report([gold[i] for i in problems], [predicted[i] for i in problems]),
        "n_problems": len(problems),
        "calibration": calibration(confidence, [g == p for g, p in zip(gold, predicted, strict=True)]),
    }


def print_real(result: dict) -> None:
    overall, problems, cal = result["overall"], result["problems"], result["calibration"]
    print(f"\n### real customer texts ({REAL_DEV.name}, {result['n']} texts, evaluation only)")
    print(f"overall accuracy {overall.accuracy:.3f}; problem areas ({result['n_problems']} texts) "
          f"accuracy {problems.accuracy:.3f}; macro-F1 {overall.macro_f1:.3f}")
    print(f"\n{'intent':<20} {'F1':>6} {'P':>6} {'R':>6} {'n':>4}")
    for intent, score in overall.per_intent.items():
        print(f"{intent:<20} {score.f1:6.3f} {score.precision:6.3f} {score.recall:6.3f} {score.support:4d}")
    print("\nmost frequent confusions (gold -> predicted):")
    for gold, pred, n in overall.confusions[:12]:
        print(f"  {gold} -> {pred}: {n}")
    print(f"\ncalibration (expected calibration error {cal.expected_calibration_error:.3f}):")
    print(f"{'confidence':<12} {'n':>4} {'accuracy':>9} {'mean conf.':>11}")
    for band in cal.bins:
        print(f"{band.low:.1f}-{band.high:.1f}     {band.count:4d} {band.accuracy:9.3f} {band.mean_confidence:11.3f}")


def print_result(result: Result, details: bool = True) -> None:
    r = result
    print(f"\n### {r.name}")
    print(
        f"intent macro-F1 {r.intents.macro_f1:.3f} (accuracy {r.intents.accuracy:.3f}, "
        f"fallback rate {r.fallback_rate:.1%}); classifier alone: macro-F1 {r.raw_intents.macro_f1:.3f}"
    )
    print(
        f"entity F1 {r.entities.micro.f1:.3f} (P {r.entities.micro.precision:.3f}, "
        f"R {r.entities.micro.recall:.3f}); parse latency p50 {r.latency_ms_p50:.1f} ms, "
        f"p95 {r.latency_ms_p95:.1f} ms"
    )
    if not details:
        return
    print(f"\n{'intent':<20} {'F1':>6} {'P':>6} {'R':>6} {'n':>4}")
    for intent, s in r.intents.per_intent.items():
        print(f"{intent:<20} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.support:4d}")
    print(f"\n{'entity':<20} {'F1':>6} {'P':>6} {'R':>6} {'n':>4}")
    for entity, s in r.entities.per_type.items():
        print(f"{entity:<20} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.support:4d}")
    if r.intents.confusions:
        print("\nmost frequent confusions (gold -> predicted):")
        for gold, pred, n in r.intents.confusions[:10]:
            print(f"  {gold} -> {pred}: {n}")


# DIET in place of logistic regression + CRF (Rasa's default recommendation).
_DIET = {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True, "random_seed": 42}


def _replace(config: dict, replacements: dict[str, dict | None]) -> dict:
    """Copy of config with pipeline components swapped (None removes one)."""
    variant = copy.deepcopy(config)
    pipeline = []
    for component in variant["pipeline"]:
        if component["name"] in replacements:
            component = replacements[component["name"]]
        if component is not None and component not in pipeline:
            pipeline.append(component)
    variant["pipeline"] = pipeline
    return variant


def _variants() -> dict[str, dict]:
    """Pipeline variants derived from config.yml, so the live config is always compared."""
    live = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    return {
        "config.yml (spaCy lemmas, LR + CRF)": live,
        "no spaCy (whitespace tokens)": _replace(
            live, {"SpacyNLP": None, "SpacyTokenizer": {"name": "WhitespaceTokenizer"}}
        ),
        "DIET (spaCy lemmas)": _replace(live, {"LogisticRegressionClassifier": _DIET, "CRFEntityExtractor": None}),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="NLU benchmark on the held-out set")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="fail if held-out macro-F1 is below a floor")
    check.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "current.tar.gz")
    check.add_argument("--min-macro-f1", type=float, required=True)
    sub.add_parser("compare", help="train every pipeline variant and compare them")
    real = sub.add_parser("real", help="accuracy and calibration on real customer texts (if the set exists)")
    real.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "current.tar.gz")
    args = parser.parse_args(argv)

    from rasa.utils.log_utils import configure_structlog

    # Without this, structlog prints one debug line per parsed message.
    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.command == "real":
        if not REAL_DEV.exists():
            print(f"{REAL_DEV} is not here: no figures on real customer texts")
            return 0
        print_real(evaluate_real(args.model, load_real()))
        return 0
    examples = load_examples()
    print(f"held-out set: {len(examples)} utterances, {len({e.intent for e in examples})} intents")

    if args.command == "check":
        result = evaluate(args.model, examples, name=str(args.model))
        print_result(result)
        if result.intents.macro_f1 < args.min_macro_f1:
            print(f"\nFAILED: held-out macro-F1 {result.intents.macro_f1:.3f} < {args.min_macro_f1}")
            return 1
        print(f"\nOK: held-out macro-F1 {result.intents.macro_f1:.3f} >= {args.min_macro_f1}")
        return 0

    results, train_seconds = [], []
    for name, cfg in _variants().items():
        started = time.monotonic()
        model = _train_nlu(name, cfg)
        train_seconds.append(time.monotonic() - started)
        results.append(evaluate(model, examples, name))
    for result in results:
        print_result(result)
    print("\n## summary")
    print(f"{'pipeline':<36} {'macro-F1':>8} {'raw F1':>7} {'entity F1':>9} {'p50 ms':>7} {'train s':>8}")
    for r, seconds in zip(results, train_seconds, strict=True):
        print(
            f"{r.name:<36} {r.intents.macro_f1:8.3f} {r.raw_intents.macro_f1:7.3f} "
            f"{r.entities.micro.f1:9.3f} {r.latency_ms_p50:7.1f} {seconds:8.0f}"
        )
    best_intents = max(results, key=lambda r: r.intents.macro_f1)
    best_entities = max(results, key=lambda r: r.entities.micro.f1)
    print(f"best intent macro-F1: {best_intents.name}; best entity F1: {best_entities.name}")
    print("(differences below 0.005 macro-F1 are one or two utterances of the held-out set)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
