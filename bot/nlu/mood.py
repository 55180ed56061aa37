"""Mood: the second dimension of a customer's message, next to the problem area.

"Seit drei Wochen kein Internet und keiner hilft!" is an internet problem *and*
anger. As one intent, one of the two was lost: either the bot apologised and
never started the diagnosis, or it diagnosed and ignored the anger. So the
intent says what is broken, and the mood says what else the customer needs:

- complaint: angry or fed up; the bot says it is sorry, in one short sentence,
  and then helps;
- request_human: wants a person; the chat goes to an agent, with the area known;
- ticket: asks about an existing fault report or a technician; the bot looks it up;
- none.

Why a separate classifier (bot.nlu.components.MoodClassifier) and not Rasa's
multi-intents ("complaint+internet_down") or an entity: multi-intents multiply
the classes (8 areas x 3 moods), each with a handful of examples, and every
combination must be in the domain and the stories; an entity would change the
dialogue states the policies were trained on. A parse-data field leaves intent,
entities and policies as they are.

Training labels: the intents complaint, request_human and ticket_status carry
their mood; a problem example carries one when its metadata says so
(`metadata: {mood: complaint}` in data/nlu/); everything else is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

MOOD = "mood"  # the key in Rasa's parse data
NO_MOOD = "none"
MOODS = ("complaint", "request_human", "ticket")
INTENT_MOODS = {"complaint": "complaint", "request_human": "request_human", "ticket_status": "ticket"}
# Below this the mood is not acted on: a wrong apology or an unwanted handoff
# costs more than a missed one (the benchmark prints precision per mood).
MIN_CONFIDENCE = 0.6
# A mood intent on top with a problem area at least this likely behind it, in a
# message that names an area, is that problem with that mood (area_behind_mood).
MIN_AREA_BEHIND_MOOD = 0.15


def mood_label(intent: str | None, example_metadata: Mapping[str, Any] | None) -> str:
    """The mood a training example teaches."""
    if intent in INTENT_MOODS:
        return INTENT_MOODS[intent]
    mood = (example_metadata or {}).get(MOOD)
    return mood if mood in MOODS else NO_MOOD


@dataclass(frozen=True)
class Mood:
    name: str
    confidence: float

    @property
    def acted_on(self) -> str:
        """The mood the dialogue acts on: none when the classifier is unsure."""
        return self.name if self.name in MOODS and self.confidence >= MIN_CONFIDENCE else NO_MOOD


def mood_of(parse_data: Mapping[str, Any] | None) -> Mood:
    """The mood of a parsed message (Rasa parse data or an SDK latest_message)."""
    data = (parse_data or {}).get(MOOD) or {}
    try:
        return Mood(str(data.get("name") or NO_MOOD), float(data.get("confidence") or 0.0))
    except (TypeError, ValueError, AttributeError):
        return Mood(NO_MOOD, 0.0)


@dataclass(frozen=True)
class OpeningStep:
    """What the assistant does first when a message names a problem."""

    next_action: str | None = None  # a Rasa action to run instead of the first question
    text_key: str | None = None  # a sentence of knowledge/diagnosis.yml before the first question


def opening_step(mood: Mood) -> OpeningStep:
    """Angry: one sentence of empathy, then the diagnosis at once. A wish for a
    person: the handoff, with the area known. A ticket question: the ticket's
    status. Otherwise the diagnosis."""
    return {
        "complaint": OpeningStep(text_key="complaint_opening"),
        "request_human": OpeningStep(next_action="action_handoff"),
        "ticket": OpeningStep(next_action="action_ticket_status"),
    }.get(mood.acted_on, OpeningStep())


def area_behind_mood(
    intent: Mapping[str, Any], ranking: list[Mapping[str, Any]], names_an_area: bool, areas: frozenset[str]
) -> tuple[dict, dict] | None:
    """(problem intent, mood) when NLU's top intent is a mood but the message also
    names a problem: "toll, ich zahl für 100 mbit und bekomm gefühlt 2. echt ne
    frechheit" is slow internet and anger, not only anger. The area must be named
    (knowledge/vocabulary.yml) and be a real runner-up in NLU's ranking; the
    reading is as sure as the two together. None: leave the message as it is."""
    mood = INTENT_MOODS.get(str(intent.get("name")))
    if mood is None or not names_an_area:
        return None
    candidates = [r for r in ranking if r.get("name") in areas]
    if not candidates:
        return None
    best = max(candidates, key=lambda r: float(r.get("confidence") or 0.0))
    behind = float(best.get("confidence") or 0.0)
    if behind < MIN_AREA_BEHIND_MOOD:
        return None
    top = float(intent.get("confidence") or 0.0)
    return (
        {"name": str(best["name"]), "confidence": min(1.0, top + behind)},
        {"name": mood, "confidence": top},
    )
