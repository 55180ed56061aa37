"""How the assistant reads a message when it has not asked anything.

"ja das internet geht gar nich mehr" starts with "ja", and NLU alone may read a
yes in it. But a yes needs a question: when the bot has none open, a message
that NLU reads as a short answer (ja, nein, weiß nicht, schon gemacht, a bare
fact) and that names an area from knowledge/vocabulary.yml is read as the
problem that NLU ranks best among the problem areas, if that one is not far
behind. Everything else stays as NLU read it.

The Rasa side (bot/rasa_ext/processor.py) says whether a question is open.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Mapping

from bot.diagnosis.model import PROBLEM_AREAS
from bot.nlu.domain_vocabulary import DomainVocabulary, load_vocabulary

ANSWER_INTENTS = frozenset({"affirm", "deny", "dont_know", "already_done", "inform"})
ANSWER_PAYLOADS = tuple(f"/{intent}" for intent in ANSWER_INTENTS) + ("/diagnosis_answer",)
MIN_PROBLEM_CONFIDENCE = 0.1  # the problem area must be a real runner-up, not noise
REREAD_KEY = "reread_from"  # parse data: what NLU had said before


def expecting_answer(slots: Mapping[str, Any], active_loop: str | None, button_payloads: Iterable[str]) -> bool:
    """Is a question of the bot open that a yes, no or fact would answer?"""
    if active_loop or slots.get("diagnosis_active") or slots.get("ticket_offer"):
        return True
    return any(payload.startswith(ANSWER_PAYLOADS) for payload in button_payloads)


def reread_opening(
    parse_data: Mapping[str, Any], expecting: bool, vocabulary: DomainVocabulary | None = None
) -> dict[str, Any]:
    """parse_data, with an answer intent replaced by the best problem area when no
    question is open and the message names an area."""
    result = dict(parse_data)
    intent = (parse_data.get("intent") or {}).get("name")
    if expecting or intent not in ANSWER_INTENTS:
        return result
    vocabulary = vocabulary or load_vocabulary()
    if "area" not in vocabulary.kinds_mentioned(parse_data.get("text") or ""):
        return result
    ranking = [r for r in parse_data.get("intent_ranking") or [] if r.get("name") in PROBLEM_AREAS]
    if not ranking:
        return result
    best = max(ranking, key=lambda r: float(r.get("confidence") or 0.0))
    if float(best.get("confidence") or 0.0) < MIN_PROBLEM_CONFIDENCE:
        return result
    result[REREAD_KEY] = copy.deepcopy(parse_data.get("intent"))
    result["intent"] = {"name": best["name"], "confidence": float(best["confidence"])}
    return result
