"""The handoff texts in knowledge/handoff.yml."""

from __future__ import annotations

import re
from string import Formatter

import pytest
import yaml
from pydantic import ValidationError

from bot.handoff.texts import HandoffTexts, load_handoff_texts
from bot.paths import knowledge_dir

DOCUMENTED = {"ahead", "wait", "hours", "name", "number", "when", "greeting", "farewell", "topic"}
# Texts that must say the thing in their placeholder.
REQUIRED = {
    "next_in_line": {"wait"},
    "waiting_behind": {"ahead", "wait"},
    "waiting_behind_one": {"wait"},
    "closed": {"hours"},
    "callback_done": {"number"},
    "callback_done_plain": {"number"},
    "callback_time_noted": {"when"},
    "agent_joined": {"name"},
    "estimate_late": {"wait"},
    "nobody_now": {"wait"},
    "ticket_kept": {"number"},
    "handed_back_open": {"topic"},
    "still_waiting_eta": {"wait"},
    "callback_when_open": {"hours"},
}
ENGLISH = re.compile(r"\b(the|please|you|your|and|agent|queue|wait|sorry|thank)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def texts() -> HandoffTexts:
    return load_handoff_texts()


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


def test_the_texts_come_from_knowledge_handoff_yml(texts):
    raw = yaml.safe_load((knowledge_dir() / "handoff.yml").read_text(encoding="utf-8"))["texts"]
    assert texts.dict() == raw
    assert load_handoff_texts(knowledge_dir() / "handoff.yml") == texts


def test_the_queue_position_in_plain_words(texts):
    assert texts.position(1, 6) == texts.next_in_line.format(wait="6 Minuten")
    assert "Nächstes" in texts.position(1, 6) and "6 Minuten" in texts.position(1, 6)
    assert texts.position(2, 12) == texts.waiting_behind_one.format(wait="12 Minuten")
    assert "eine Person" in texts.position(2, 12) and "12 Minuten" in texts.position(2, 12)
    four = texts.position(4, 24)
    assert "3 Personen" in four and "24 Minuten" in four
    assert "noch 9 Personen" in texts.position(10, 60)


@pytest.mark.parametrize("name", sorted(HandoffTexts.__fields__))
def test_every_text_is_german_and_uses_only_documented_placeholders(texts, name):
    text = getattr(texts, name)
    assert text.strip() == text and len(text) >= 2, name
    fields = _fields(text)
    assert fields <= DOCUMENTED, f"{name}: unknown placeholder {fields - DOCUMENTED}"
    assert REQUIRED.get(name, set()) <= fields, f"{name} must contain {REQUIRED[name]}"
    filled = text.format(
        ahead=3, wait="6 Minuten", hours="Mo–Fr 8–20 Uhr", name="Anna", number="0170 1234567", when="nach 17 Uhr",
        greeting="Guten Abend", farewell="einen schönen Abend", topic="Internet geht gar nicht",
    )
    assert "{" not in filled and "}" not in filled, name
    assert not ENGLISH.search(filled), f"{name} reads English: {filled}"


def test_the_file_documents_every_placeholder_it_uses(texts):
    header = (knowledge_dir() / "handoff.yml").read_text(encoding="utf-8").split("texts:")[0]
    used = set().union(*(_fields(getattr(texts, name)) for name in HandoffTexts.__fields__))
    assert used == DOCUMENTED
    for field in used:
        assert "{" + field + "}" in header


def test_a_missing_or_unknown_text_is_an_error(tmp_path, texts):
    complete = texts.dict()
    missing = tmp_path / "missing.yml"
    missing.write_text(yaml.safe_dump({"texts": {k: v for k, v in complete.items() if k != "offer"}}), encoding="utf-8")
    with pytest.raises(ValidationError, match="offer"):
        load_handoff_texts(missing)
    unknown = tmp_path / "unknown.yml"
    unknown.write_text(yaml.safe_dump({"texts": {**complete, "offr": "Tippfehler"}}), encoding="utf-8")
    with pytest.raises(ValidationError, match="offr"):
        load_handoff_texts(unknown)
