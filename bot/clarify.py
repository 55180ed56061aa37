"""What to say when the assistant did not understand the customer.

Never silence, never an English default: an empty message, a message in another
language and a merely unclear message each get their own plain-German answer. An
unclear message first gets suggestions built from the classifier's best guesses;
a second miss in a row gets the full topic menu, because guessing again would
only frustrate the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Mapping, Sequence

from bot.nlu.language import guess_language
from bot.topics import TopicCatalog

NLU_FALLBACK = "nlu_fallback"
MIN_SUGGESTION_CONFIDENCE = 0.08
MAX_SUGGESTIONS = 3


class ClarificationKind(str, Enum):
    """Names match the prompts in knowledge/topics.yml."""

    EMPTY = "empty"
    LANGUAGE = "language"
    SUGGEST = "suggest"
    CHOOSE = "choose"  # two problem areas compete: both as buttons (bot/nlu/routing.py)
    REPHRASE = "rephrase"
    AGAIN = "again"  # second miss in a row: topic menu
    LOST = "lost"  # understood, but the dialogue could not go on: topic menu


@dataclass(frozen=True)
class Clarification:
    kind: ClarificationKind
    suggestions: tuple[str, ...] = ()


def consecutive_misses(user_intents: Sequence[str | None]) -> int:
    """How many not-understood messages came right before the latest one."""
    count = 0
    for intent in reversed(list(user_intents)[:-1]):
        if intent != NLU_FALLBACK:
            break
        count += 1
    return count


def plan_clarification(
    text: str | None,
    intent: str | None,
    intent_ranking: Iterable[Mapping],
    previous_misses: int,
    topics: TopicCatalog,
    empty: bool = False,
    competing: Sequence[str] = (),
) -> Clarification:
    """Decide how to answer a message the assistant could not act on.

    intent is the NLU result: nlu_fallback when NLU was unsure, anything else when
    NLU understood but the dialogue policy found no fitting next step. empty is
    the NLU sanitiser's verdict that the raw message had no words at all;
    competing the two problem areas NLU could not decide between.
    """
    text = text or ""
    if empty or not any(ch.isalnum() for ch in text):
        return Clarification(ClarificationKind.EMPTY)
    if not guess_language(text).is_german:
        return Clarification(ClarificationKind.LANGUAGE)
    if intent and intent != NLU_FALLBACK:
        return Clarification(ClarificationKind.LOST)
    pair = tuple(name for name in competing if topics.get(name) is not None)
    if len(pair) == 2:
        # Asked even after a miss: two areas to choose from help more than the menu.
        return Clarification(ClarificationKind.CHOOSE, pair)
    if previous_misses >= 1:
        return Clarification(ClarificationKind.AGAIN)
    suggestions: list[str] = []
    for entry in intent_ranking:
        name = entry.get("name")
        if name == NLU_FALLBACK or topics.get(name or "") is None:
            continue
        if float(entry.get("confidence") or 0.0) < MIN_SUGGESTION_CONFIDENCE:
            continue
        suggestions.append(name)
        if len(suggestions) == MAX_SUGGESTIONS:
            break
    if suggestions:
        return Clarification(ClarificationKind.SUGGEST, tuple(suggestions))
    return Clarification(ClarificationKind.REPHRASE)


def open_choice(events: Sequence[Mapping], choice_texts: Iterable[str]) -> Mapping | None:
    """The topic choice the bot asked right before the latest customer message
    ({"text", "buttons"}), or None. A customer number typed in answer to "Worum
    geht es Ihnen genau?" is noted, and the same two buttons come again, not the
    whole menu."""
    texts = set(choice_texts)
    seen_latest = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                return None
            seen_latest = True
        elif kind == "bot" and seen_latest:
            buttons = (event.get("data") or {}).get("buttons") or []
            if event.get("text") in texts and buttons:
                return {"text": event["text"], "buttons": buttons}
            return None
    return None


def inform_note(entities: Iterable[str], callback_phone: str | None) -> str | None:
    """What to say about a fact given without a question: a text key of
    knowledge/diagnosis.yml, or None. Honest about what is kept: a customer number
    is (Rasa's slots take it), a phone number is not (only the callback form takes one)."""
    found = set(entities)
    if "phone_number" in found:
        return "phone_with_callback" if callback_phone else "phone_without_callback"
    if found & {"customer_number", "postal_code"}:
        return "numbers_kept"
    return None
