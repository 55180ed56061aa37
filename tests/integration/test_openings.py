"""First messages that a helper wrote blind (tests/nlu/openings_blind.yml) start the
right diagnosis: through REST, with the real model, the rules and the actions.

Counted per opening: the diagnosis of the right area started (the `diagnosis`
slot holds its state), the bot asked which of two areas was meant (the customer
taps one; not wrong, one question more), a wrong diagnosis started, or nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from bot.nlu.benchmark import load_openings

pytestmark = pytest.mark.integration
MIN_RIGHT = 0.90
MAX_WRONG = 0.04


def _outcome(bot, area: str, text: str) -> str:
    sender = f"opening-{uuid.uuid4().hex[:10]}"
    messages = bot.send(sender, text)
    started = (bot.slot(sender, "diagnosis") or {}).get("area")
    if started == area:
        return "right"
    if started:
        return "wrong"
    payloads = {b.get("payload") for m in messages for b in m.get("buttons", [])}
    if f"/{area}" in payloads:
        return "asked"  # the two-area question (or suggestions) with the right area
    return "missed"


def test_blind_openings_start_the_right_diagnosis(bot):
    openings = load_openings()
    outcomes = {example.text: _outcome(bot, example.intent, example.text) for example in openings}
    counts = Counter(outcomes.values())
    shares = {kind: counts[kind] / len(openings) for kind in ("right", "asked", "wrong", "missed")}
    print("openings:", {kind: f"{share:.1%}" for kind, share in shares.items()})
    for example in openings:
        if outcomes[example.text] in ("wrong", "missed"):
            print(f"  {outcomes[example.text]}: {example.intent}: {example.text}")
    assert shares["right"] >= MIN_RIGHT, shares
    assert shares["wrong"] <= MAX_WRONG, shares
    for text in ("guten tag mein internet ist weg", "internet kaputt", "ja das internet geht gar nich mehr"):
        assert outcomes[text] == "right", text  # the testers' own openings
