"""Another problem named while a diagnosis question is open: answer, stay, or switch?

Customers tell stories while answering ("nein, nur übers WLAN, das Handy geht ja"),
and a story can sound like another problem to NLU. The rule: lamp, router or button
facts and a leading ja/nein answer the open question and never start another topic;
a story that answers the question switches only with words that open a new topic
("ach, und das Telefon geht auch nicht"); a short message that NLU is sure about
switches; the same problem again, a weak guess at another, or a long story that
does not answer: the open question stays.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

# A message read as another problem switches the diagnosis only when NLU is this sure.
SWITCH_CONFIDENCE = 0.8
# Real topic switches are short; a long message mid-diagnosis is nearly always an answer.
SWITCH_MAX_WORDS = 10


class SwitchDecision(str, enum.Enum):
    ANSWER = "answer"  # it answers the open question: go on
    STAY = "stay"  # not understood as an answer, no switch: ask the open question again
    SWITCH = "switch"  # start the other problem's diagnosis


@dataclass(frozen=True)
class MidDiagnosisMessage:
    same_area: bool  # NLU read the problem being diagnosed
    answered: bool  # the message answers the open question
    facts: bool  # lamp, router or button entities
    yes_no: bool  # starts with ja or nein
    confidence: float  # NLU's confidence in the problem it read
    new_topic_words: bool  # "ach", "außerdem", "noch etwas", ...
    words: int


def decide(message: MidDiagnosisMessage) -> SwitchDecision:
    confident = message.confidence >= SWITCH_CONFIDENCE
    if message.answered and (
        message.same_area or message.facts or message.yes_no or not (confident and message.new_topic_words)
    ):
        return SwitchDecision.ANSWER
    short = message.words <= SWITCH_MAX_WORDS
    if message.same_area or not (message.new_topic_words or (confident and short)):
        return SwitchDecision.STAY
    return SwitchDecision.SWITCH


_ALSO_BROKEN = re.compile(r"\bauch\b(\s+\w+){0,3}\s+(nicht|nich|kein\w*|kaputt|tot|weg|gestört|gestoert)\b")


def says_also_broken(text: str) -> bool:
    """ "und das Telefon geht auch nicht": something else is broken as well."""
    return bool(_ALSO_BROKEN.search((text or "").lower()))


def queues_other_problem(message: MidDiagnosisMessage, decision: SwitchDecision, also_broken: bool) -> bool:
    """Another problem named on the way ("nein, und übrigens geht das Telefon auch nicht")
    that does not switch the diagnosis now: it is offered when this one is done, so it
    is not lost. A story that only sounds like another area ("nur übers WLAN, das Handy
    geht ja") names nothing broken and queues nothing."""
    return not message.same_area and decision is not SwitchDecision.SWITCH and (message.new_topic_words or also_broken)
