"""Reading a message in the context of what the bot just asked.

NLU reads a message on its own. But "habe ich gerade nicht zur hand" right after
"Wie lautet Ihre Kundennummer?" means "I don't have it", whatever NLU guessed
(it guessed nothing: nlu_fallback). The Rasa side (bot/rasa_ext/processor.py)
knows which form slot is being asked for and calls this.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Mapping, Sequence

from bot.dialogue.answer_words import AnswerWords

IDENTIFICATION_SLOTS = frozenset({"customer_number", "postal_code"})
NOT_AT_HAND_INTENT = "dont_know"  # the rules go on without the line check on it
REREAD_KEY = "reread_from"
_DIGIT = re.compile(r"\d")


def reread_as(parse_data: Mapping[str, Any], intent: str) -> dict[str, Any]:
    """parse_data, read in context as `intent`; what NLU read is kept under REREAD_KEY."""
    result = dict(parse_data)
    result[REREAD_KEY] = copy.deepcopy(parse_data.get("intent"))
    result["intent"] = {"name": intent, "confidence": 1.0}
    return result


def reread_for_form(parse_data: Mapping[str, Any], requested_slot: str | None, words: AnswerWords) -> dict[str, Any]:
    """parse_data, read as "weiß ich nicht" when a customer number or postal code
    is asked for and the message says the customer does not have it."""
    result = dict(parse_data)
    if requested_slot not in IDENTIFICATION_SLOTS:
        return result
    text = str(parse_data.get("text") or "")
    intent = (parse_data.get("intent") or {}).get("name")
    if _DIGIT.search(text) or intent in ("dont_know", "deny") or not words.says_not_at_hand(text):
        return result
    return reread_as(parse_data, NOT_AT_HAND_INTENT)


def reread_for_offer(
    parse_data: Mapping[str, Any], slots: Mapping[str, Any], active_loop: str | None
) -> dict[str, Any]:
    """parse_data, read as the yes it starts with while a fault report is offered:
    "Ja bitte melden, anrufen nur aufs Handy" is consent (the contact is asked next),
    not a wish for a callback, whatever NLU read in the rest."""
    from bot.diagnosis.engine import leading_yes_no

    result = dict(parse_data)
    if active_loop or not slots.get("ticket_offer") or slots.get("diagnosis_active"):
        return result
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == "affirm" or leading_yes_no(str(parse_data.get("text") or "")) != "affirm":
        return result
    return reread_as(parse_data, "affirm")


_NO_CALLBACK = re.compile(
    r"\b(kein(en)?\s+(r(ü|ue)ckruf|anruf)|nicht\s+(zur(ü|ue)ckrufen|anrufen)|ohne\s+r(ü|ue)ckruf)\b", re.IGNORECASE
)


def reread_for_callback(
    parse_data: Mapping[str, Any], offered_titles: Sequence[str], yes_title: str, asking_for_callback: bool = False
) -> dict[str, Any]:
    """parse_data, read as yes when a callback is offered and the customer answers
    with the number right away ("ja, 0171 2345678, aber nur aufs Handy"): the
    callback form then takes the number from this message. "kein Rückruf" while
    a callback is offered or its number asked for (asking_for_callback) is a no."""
    from bot.nlu.numbers import PHONE_NUMBER, find_numbers

    result = dict(parse_data)
    intent = (parse_data.get("intent") or {}).get("name")
    text = str(parse_data.get("text") or "")
    if (yes_title in offered_titles or asking_for_callback) and _NO_CALLBACK.search(text) and intent != "deny":
        # "nee warte, kein Rückruf": a no, however NLU read the word "Rückruf"
        return reread_as(parse_data, "deny")
    if yes_title not in offered_titles or intent in ("affirm", "deny"):
        return result
    if not any(n.entity == PHONE_NUMBER for n in find_numbers(text)):
        return result
    return reread_as(parse_data, "affirm")


_GOODBYE = re.compile(
    r"\b(tsch(ü|ue|u)ss?|auf wiedersehen|auf wiederh(ö|oe)ren|ciao|bye|sch(ö|oe)nen tag noch)\b", re.IGNORECASE
)
# What a goodbye may come with: "nein danke, tschüss" is a goodbye, not a "no" to the open question.
_WITH_GOODBYE = frozenset({"deny", "thank", "affirm", "inform", "nlu_fallback", "goodbye", "outcome_question"})


def reread_goodbye(parse_data: Mapping[str, Any]) -> dict[str, Any]:
    """parse_data, read as goodbye when the message says one ("Nein danke, das war's.
    Tschüss!"), whatever else NLU read in it."""
    result = dict(parse_data)
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == "goodbye" or intent not in _WITH_GOODBYE or not _GOODBYE.search(str(parse_data.get("text") or "")):
        return result
    return reread_as(parse_data, "goodbye")


PROBLEM_TEXT_MESSAGES = 4
_DIAGNOSIS_BOUNDARIES = frozenset({"restart", "session_started"})


def problem_texts(events: Sequence[Mapping[str, Any]], limit: int = PROBLEM_TEXT_MESSAGES) -> str:
    """What the customer wrote about the problem before its diagnosis starts: the
    typed messages since the last diagnosis (its slot) or the start of the session,
    at most `limit`, oldest first. "Internet geht nicht, auch nicht am Handy", then
    a number, then a tap on "Internet geht gar nicht": the first one still counts,
    and its facts are not asked again. Tapped buttons ("/intent") say nothing new."""
    texts: list[str] = []
    for event in reversed(events):
        kind = event.get("event")
        if kind in _DIAGNOSIS_BOUNDARIES or (kind == "slot" and event.get("name") == "diagnosis"):
            break
        text = str(event.get("text") or "") if kind == "user" else ""
        if text and not text.startswith("/"):
            texts.append(text)
    return " . ".join(reversed(texts[:limit]))


def diagnosed_this_session(events: Sequence[Mapping[str, Any]]) -> bool:
    """A diagnosis ran in this session (its slot was set since the session started).
    Slots are carried over into a new session (domain.yml); yesterday's diagnosis
    must not answer today's questions."""
    for event in reversed(events):
        kind = event.get("event")
        if kind == "session_started":
            return False
        if kind == "slot" and event.get("name") == "diagnosis" and event.get("value"):
            return True
    return False


def reread_for_status_number(
    parse_data: Mapping[str, Any], slots: Mapping[str, Any], active_loop: str | None
) -> dict[str, Any]:
    """parse_data, read as "inform" when the bot asked for the number of a fault
    report (or the customer number) to tell its status, and the message holds a
    report number ("ST-CW82B4"): the rules then look the report up, instead of the
    form reading its digits as a customer number with letters in it."""
    from bot.tickets.parsing import looks_like_ticket_number, ticket_number_in

    result = dict(parse_data)
    if active_loop != "identification_form" or slots.get("identify_for") != "status":
        return result
    text = str(parse_data.get("text") or "")
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == "inform" or not (ticket_number_in(text) or looks_like_ticket_number(text)):
        return result
    return reread_as(parse_data, "inform")


def reread_for_queued_topic(
    parse_data: Mapping[str, Any], pending_topic: str | None, offered_payloads: Sequence[str]
) -> dict[str, Any]:
    """parse_data, read as the queued problem when the bot just offered it ("Sie hatten
    vorhin auch geschrieben, dass Ihr Telefon nicht geht. Sollen wir uns das jetzt
    ansehen?") and the customer types a yes ("ja gerne"): that problem's diagnosis."""
    from bot.diagnosis.engine import leading_yes_no

    result = dict(parse_data)
    if not pending_topic or f"/{pending_topic}" not in offered_payloads:
        return result
    intent = (parse_data.get("intent") or {}).get("name")
    if intent != "affirm" and leading_yes_no(str(parse_data.get("text") or "")) != "affirm":
        return result
    return reread_as(parse_data, pending_topic)


def reread_while_paused(parse_data: Mapping[str, Any], paused: bool, wants_out: bool) -> dict[str, Any]:
    """parse_data, read as leaving the queue (the intent of the button "Nicht mehr
    warten", bot.handoff.texts.LEAVE_QUEUE_INTENT) when the chat is paused for a
    person and the words say the customer no longer wants to wait. The queue watcher
    acts on it; other messages go to the agent as they are."""
    from bot.handoff.texts import LEAVE_QUEUE_INTENT

    result = dict(parse_data)
    if not paused or not wants_out:
        return result
    return reread_as(parse_data, LEAVE_QUEUE_INTENT)
