"""The held-out NLU set must stay held out: no utterance may also be trained on."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _normalise(text: str) -> str:
    text = _ANNOTATION.sub(r"\1", text).lower().translate(_UMLAUTS)
    return " ".join(re.sub(r"[^\w ]", " ", text).split())


def _examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (block["intent"], line[2:].strip())
        for block in data.get("nlu", [])
        if "intent" in block
        for line in block["examples"].splitlines()
        if line.startswith("- ")
    ]


def test_heldout_never_overlaps_training_data():
    training = {_normalise(text) for f in (ROOT / "data" / "nlu").glob("*.yml") for _, text in _examples(f)}
    leaked = [text for _, text in _examples(ROOT / "tests" / "nlu" / "heldout.yml") if _normalise(text) in training]
    assert leaked == []


def test_heldout_is_large_enough_and_covers_every_domain_intent():
    heldout = _examples(ROOT / "tests" / "nlu" / "heldout.yml")
    assert len(heldout) >= 300
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert {intent for intent, _ in heldout} == set(domain["intents"])


def test_every_problem_intent_has_at_least_40_distinct_training_examples():
    problem_intents = [
        "internet_down", "internet_slow", "internet_dropouts", "wifi_problem", "phone_down", "tv_problem",
        "email_problem", "router_setup", "outage_question", "ticket_status", "request_human", "complaint",
    ]
    examples = [e for f in (ROOT / "data" / "nlu").glob("*.yml") for e in _examples(f)]
    for intent in problem_intents:
        distinct = {_normalise(text) for i, text in examples if i == intent}
        assert len(distinct) >= 40, intent
