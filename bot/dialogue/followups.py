"""Questions around an outcome: "wie lange dauert das?", "ist der Rückruf jetzt
angemeldet?", "muss ich zu Hause sein?".

After a fault report, a callback or an explained outage the customer asks about
it, and a new diagnosis or a topic menu is the wrong answer. knowledge/followups.yml
has the topics with the customers' words and an answer per situation; the
situation comes from what the assistant already did in this conversation
(OutcomeContext, built from the slots by the Rasa side).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

from bot.diagnosis.engine import leading_yes_no, names_new_topic
from bot.dialogue.answer_words import score_text
from bot.dialogue.context import REREAD_KEY, reread_as
from bot.nlu.domain_vocabulary import Pattern, clause_words, compile_entry, entry_problems, normalise_words
from bot.paths import knowledge_dir

FOLLOWUPS_FILE = "followups.yml"
# What the assistant may have done in this conversation (OutcomeContext.holds).
SITUATIONS = ("ticket", "offer", "outage", "callback", "contact", "solved", "any")
PLACEHOLDERS = frozenset({"ticket_number", "phone_end", "contact_end", "service_hours"})
# Questions about a callback or a contact that NLU reads as a wish for a person.
ABOUT_A_CALL = frozenset({"callback_booked", "callback_when", "contact", "missed_call"})
OUTAGE_VERDICTS = frozenset({"area_outage", "outage"})
WORKS_NOW = "works_now"  # the topic for "es geht ja wieder"
FOLLOWUP_INTENT = "outcome_question"  # in domain.yml; rules: action_outcome_question


@dataclass(frozen=True)
class OutcomeContext:
    """What the assistant did so far in this conversation."""

    ticket_number: str | None = None
    ticket_offered: bool = False
    callback_phone: str | None = None
    line_verdict: str | None = None  # verdict id of the line check, e.g. line_fault, area_outage
    outcome: str | None = None  # the diagnosis outcome: resolved, info, ticket, handoff, ...
    contact_phone: str | None = None  # the technician's number stored with the report

    def holds(self, situation: str) -> bool:
        return {
            "ticket": bool(self.ticket_number),
            "offer": self.ticket_offered and not self.ticket_number,
            "outage": self.line_verdict in OUTAGE_VERDICTS,
            "callback": bool(self.callback_phone),
            "contact": bool(self.ticket_number and self.contact_phone),
            "solved": self.outcome == "resolved",
            "any": True,
        }[situation]

    @property
    def has_outcome(self) -> bool:
        return any(self.holds(s) for s in SITUATIONS[:-1]) or self.outcome is not None


@dataclass(frozen=True)
class Topic:
    name: str
    patterns: tuple[Pattern, ...]
    answers: Mapping[str, str]
    # A how-to question ("wo stecke ich ein zweites Telefon ein?"): answered also when
    # it opens with "noch was" or "übrigens", since it names nothing that is broken.
    how_to: bool = False


QUESTION_WORDS = frozenset(
    {"wie", "was", "wann", "warum", "wieso", "weshalb", "wo", "wohin", "welche", "welcher", "welches", "kann",
     "koennen", "darf", "muss", "soll", "sollte", "habe", "hab", "bleibt", "brauche", "gibt", "ist", "sind", "geht"}
)
OPEN_QUESTION = "open_question"


@dataclass(frozen=True)
class FollowupBook:
    topics: tuple[Topic, ...]
    service_hours: str = ""
    open_answers: Mapping[str, str] = field(default_factory=dict)

    def is_open_question(self, text: str, names_a_fault: bool) -> bool:
        """A question in form ("?" at the end, or a question word first) that names
        no fault: asked about what was just done, not a new problem."""
        words = normalise_words(text or "")
        if not words or names_a_fault:
            return False
        return (text or "").strip().endswith("?") or words[0] in QUESTION_WORDS

    def topic_of(self, text: str) -> str | None:
        """The topic the customer asks about, or None."""
        return next(iter(self.topics_of(text)), None)

    def topics_of(self, text: str) -> list[str]:
        """Every topic the message asks about, in the book's order ("woran lag das? und
        was mache ich, wenn es wieder passiert?" asks two)."""
        clauses = clause_words(text or "")
        return [t.name for t in self.topics if clauses and score_text(t.patterns, clauses) > 0]

    def topics_to_answer(self, text: str, context: OutcomeContext, limit: int = 2) -> list[str]:
        """The topics to answer, at most `limit`: those with an answer in this situation;
        else the first asked (answered openly), else the open question."""
        asked = self.topics_of(text)
        answerable = [t for t in asked if self.applies(t, context)]
        return answerable[:limit] or asked[:1] or [OPEN_QUESTION]

    def is_how_to(self, topic: str) -> bool:
        return any(t.how_to for t in self.topics if t.name == topic)

    def applies(self, topic: str, context: OutcomeContext) -> bool:
        """Is there an answer for this topic in this situation?"""
        if topic == OPEN_QUESTION:
            return True
        return any(context.holds(s) for s in next(t for t in self.topics if t.name == topic).answers)

    def answer(self, topic: str, context: OutcomeContext) -> str:
        if topic == OPEN_QUESTION:
            answers = self.open_answers
        else:
            answers = next(t for t in self.topics if t.name == topic).answers
        # In the order written: a topic puts first what matters most for it.
        situation = next((s for s in answers if context.holds(s)), None)
        if situation is None:  # a topic only for some situations, asked in another
            answers, situation = self.open_answers, "any"
        phone = "".join(ch for ch in (context.callback_phone or "") if ch.isdigit())
        contact = "".join(ch for ch in (context.contact_phone or "") if ch.isdigit())
        return answers[situation].format(
            ticket_number=context.ticket_number or "",
            phone_end=phone[-3:],
            contact_end=contact[-3:],
            service_hours=self.service_hours,
        )


def parse(data: Mapping, service_hours: str = "") -> FollowupBook:
    topics = tuple(
        Topic(
            name=str(name),
            patterns=tuple(compile_entry(str(w)) for w in raw.get("words") or []),
            answers={str(k): str(v).strip() for k, v in (raw.get("answers") or {}).items()},
            how_to=bool(raw.get("how_to", False)),
        )
        for name, raw in (data.get("topics") or {}).items()
    )
    open_answers = {str(k): str(v).strip() for k, v in ((data.get(OPEN_QUESTION) or {}).get("answers") or {}).items()}
    return FollowupBook(topics, service_hours, open_answers)


def check_followups(data: object) -> list[str]:
    """Problems for `make validate`."""
    if not isinstance(data, dict) or not isinstance(data.get("topics"), dict) or not data["topics"]:
        return ["must be a mapping with a non-empty 'topics' mapping"]
    problems = []
    unknown_sections = set(data) - {"topics", OPEN_QUESTION}
    if unknown_sections:
        problems.append(f"unknown sections {sorted(unknown_sections)}")
    open_answers = (data.get(OPEN_QUESTION) or {}).get("answers") if isinstance(data.get(OPEN_QUESTION), dict) else None
    if not isinstance(open_answers, dict) or not str(open_answers.get("any") or "").strip():
        problems.append(f"'{OPEN_QUESTION}' needs answers with 'any'")
    for name, raw in data["topics"].items():
        if not isinstance(raw, dict):
            problems.append(f"topic '{name}': must be a mapping with 'words' and 'answers'")
            continue
        unknown_keys = set(raw) - {"words", "answers", "how_to"}
        if unknown_keys:
            problems.append(f"topic '{name}': unknown keys {sorted(unknown_keys)}")
        words = raw.get("words") or []
        if not words:
            problems.append(f"topic '{name}': no words")
        for word in words:
            for problem in entry_problems(str(word)):
                problems.append(f"topic '{name}': '{word}': {problem}")
        answers = raw.get("answers") or {}
        if not answers:
            problems.append(f"topic '{name}': no answers")
        for situation, text in answers.items():
            if situation not in SITUATIONS:
                problems.append(f"topic '{name}': unknown situation '{situation}' (known: {', '.join(SITUATIONS)})")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"topic '{name}': the answer for '{situation}' is empty")
                continue
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            for unknown in sorted(fields - PLACEHOLDERS):
                problems.append(f"topic '{name}' ({situation}): unknown placeholder {{{unknown}}}")
            if "ticket_number" in fields and situation not in ("ticket", "contact"):
                problems.append(f"topic '{name}' ({situation}): {{ticket_number}} only where a ticket exists")
            if "phone_end" in fields and situation != "callback":
                problems.append(f"topic '{name}' ({situation}): {{phone_end}} only where a callback is booked")
            if "contact_end" in fields and situation != "contact":
                problems.append(f"topic '{name}' ({situation}): {{contact_end}} only where a contact is stored")
    return problems


@lru_cache(maxsize=4)
def _load(path: Path) -> FollowupBook:
    from bot.handoff.queue import ServiceHours

    return parse(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, ServiceHours.load().describe())


def load_followups(root: Path | None = None) -> FollowupBook:
    return _load((root or knowledge_dir()) / FOLLOWUPS_FILE)


def _line_verdict(diagnosis: object) -> str | None:
    steps = diagnosis.get("steps") if isinstance(diagnosis, Mapping) else None
    for step in reversed(steps or []):
        if isinstance(step, Mapping) and step.get("kind") == "line_check":
            return (step.get("details") or {}).get("verdict") or step.get("answer")
    return None


def context_from_slots(slots: Mapping, outcome: str | None = None, line_verdict: str | None = None) -> OutcomeContext:
    """The situation from the conversation's slots. outcome comes from the diagnosis
    state, which the caller reads with the engine; the line verdict from its steps."""
    from bot.tickets.parsing import parse_contact

    line_verdict = line_verdict or _line_verdict(slots.get("diagnosis"))
    contact = parse_contact(str(slots.get("contact") or "")) or {}
    return OutcomeContext(
        contact_phone=contact.get("phone"),
        ticket_number=slots.get("ticket_number") or None,
        ticket_offered=bool(slots.get("ticket_offer")),
        callback_phone=slots.get("callback_booked") or None,
        line_verdict=line_verdict,
        outcome=outcome,
    )


def after_an_outcome(slots: Mapping) -> bool:
    """Has the conversation reached something to ask about (a report, an offer, a
    callback, a finished diagnosis)? Only then is a question read as one about it."""
    finished = bool(slots.get("diagnosis")) and not slots.get("diagnosis_active")
    return bool(slots.get("ticket_number") or slots.get("ticket_offer") or slots.get("callback_booked") or finished)


def names_a_fault(text: str) -> bool:
    """Does the message describe something not working (knowledge/vocabulary.yml)?"""
    from bot.nlu.domain_vocabulary import load_vocabulary

    return "symptom" in load_vocabulary().kinds_mentioned(text or "")


def reread_as_followup(parse_data: Mapping, slots: Mapping, active_loop: str | None, book: FollowupBook) -> dict:
    """parse_data, read as a question around the outcome when the conversation has
    one, no form is asking, no diagnosis question is open, and the words say so.
    A new problem ("und das Telefon geht auch nicht") has no follow-up words."""
    result = dict(parse_data)
    if active_loop or slots.get("diagnosis_active") or not after_an_outcome(slots):
        return result
    text = str(parse_data.get("text") or "")
    intent = (parse_data.get("intent") or {}).get("name")
    if REREAD_KEY in parse_data or (
        slots.get("ticket_offer") and (intent == "affirm" or leading_yes_no(text) == "affirm")
    ):
        # Already read in context: "Ja bitte. Kostet mich das was?" to the report offer is the yes.
        return result
    topic = book.topic_of(text)
    if topic is not None and not book.applies(topic, context_from_slots(slots)):
        return result  # "und das Telefon?" without an outage: a new problem
    if (parse_data.get("intent") or {}).get("name") == "request_human" and topic not in ABOUT_A_CALL:
        return result  # what the customer plainly asks for
    if topic is None and book.is_open_question(text, names_a_fault(text)) and not names_new_topic(text):
        topic = OPEN_QUESTION
    # "ach, jetzt geht es ja wieder" opens nothing new, whatever its first word.
    opens_something = names_new_topic(text) and topic != WORKS_NOW
    if topic is None or (opens_something and not (book.is_how_to(topic) and not names_a_fault(text))):
        return result
    return reread_as(parse_data, FOLLOWUP_INTENT)
