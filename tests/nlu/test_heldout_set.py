"""The evaluation sets must stay unseen: no text of them may also be trained on.

Sets: tests/nlu/heldout.yml, heldout_narrative.yml, openings_blind.yml,
mood_blind.yml (all in the project), and the real development set
../shared/nlu-real-dev/real_dev.jsonl when it is there. Training data: every
file in data/nlu/, in both Rasa formats (block `examples: |` and lists of
`- text:` with metadata).
"""

import difflib
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NLU = ROOT / "tests" / "nlu"
REAL_DEV = ROOT.parent / "shared" / "nlu-real-dev" / "real_dev.jsonl"
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _normalise(text: str) -> str:
    text = _ANNOTATION.sub(r"\1", text).lower().translate(_UMLAUTS)
    return " ".join(re.sub(r"[^\w ]", " ", text).split())


def _examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        examples = block["examples"]
        if isinstance(examples, str):
            found += [(block["intent"], line[2:].strip()) for line in examples.splitlines() if line.startswith("- ")]
        else:
            found += [(block["intent"], str(item["text"]).strip()) for item in examples]
    return found


def _training() -> list[tuple[str, str]]:
    return [e for f in sorted((ROOT / "data" / "nlu").glob("*.yml")) for e in _examples(f)]


def _evaluation_texts() -> dict[str, list[str]]:
    sets = {
        "heldout.yml": [t for _, t in _examples(NLU / "heldout.yml")],
        "heldout_narrative.yml": [t for _, t in _examples(NLU / "heldout_narrative.yml")],
        "openings_blind.yml": [r["text"] for r in yaml.safe_load((NLU / "openings_blind.yml").read_text())["openings"]],
        "mood_blind.yml": [r["text"] for r in yaml.safe_load((NLU / "mood_blind.yml").read_text())["messages"]],
    }
    if REAL_DEV.exists():
        sets["real_dev.jsonl"] = [json.loads(line)["text"] for line in REAL_DEV.read_text().splitlines() if line]
    return sets


@pytest.mark.parametrize("name", list(_evaluation_texts()))
def test_no_evaluation_text_is_trained_on(name):
    training = {_normalise(text) for _, text in _training()}
    leaked = [text for text in _evaluation_texts()[name] if _normalise(text) in training]
    assert leaked == []


def test_no_training_text_is_a_close_copy_of_a_real_customer_text():
    """The real texts are excerpts of articles: not even close paraphrases may be
    trained on (quick filter on shared words, then difflib on the candidates)."""
    if not REAL_DEV.exists():
        pytest.skip("the real development set is not on this machine")
    real = [_normalise(t) for t in _evaluation_texts()["real_dev.jsonl"]]
    real_words = [set(t.split()) for t in real]
    close = []
    for _, text in _training():
        normal = _normalise(text)
        words = set(normal.split())
        if len(words) < 4:  # "internet geht nich" is everybody's sentence
            continue
        for candidate, candidate_words in zip(real, real_words, strict=True):
            if len(words & candidate_words) < 0.5 * min(len(words), len(candidate_words)):
                continue
            if difflib.SequenceMatcher(None, normal, candidate).ratio() > 0.7:
                close.append((text, candidate))
    assert close == []


def _page(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").lower()


def _training_sources() -> set[str]:
    sources = set()
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            examples = block.get("examples")
            if isinstance(examples, list):
                sources |= {_page(i["metadata"]["source"]) for i in examples if (i.get("metadata") or {}).get("source")}
    return sources


def test_no_training_text_comes_from_a_page_of_the_real_development_set():
    """Real texts for training are collected from public pages; a page that the
    development set quotes is left out whole, not only its quoted sentences."""
    if not REAL_DEV.exists():
        pytest.skip("the real development set is not on this machine")
    dev_pages = {_page(json.loads(line)["source"]) for line in REAL_DEV.read_text().splitlines() if line}
    sources = _training_sources()
    assert len(sources) >= 20  # the collected real texts carry their sources
    assert sources & dev_pages == set()


def test_heldout_is_large_enough_and_covers_every_domain_intent():
    heldout = _examples(NLU / "heldout.yml")
    assert len(heldout) >= 300
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert {intent for intent, _ in heldout} == set(domain["intents"])
    assert len(_examples(NLU / "heldout_narrative.yml")) >= 200


def test_every_problem_intent_has_at_least_40_distinct_training_examples():
    problem_intents = [
        "internet_down", "internet_slow", "internet_dropouts", "wifi_problem", "phone_down", "tv_problem",
        "email_problem", "router_setup", "outage_question", "ticket_status", "request_human", "complaint",
    ]
    examples = _training()
    for intent in problem_intents:
        distinct = {_normalise(text) for i, text in examples if i == intent}
        assert len(distinct) >= 40, intent
