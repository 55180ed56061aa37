"""Texts of the human handoff, from knowledge/handoff.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from bot.paths import knowledge_dir

LEAVE_QUEUE_INTENT = "start_over"


class HandoffTexts(BaseModel):
    offer: str
    offer_yes: str
    offer_no: str
    declined: str
    queued: str
    next_in_line: str
    waiting_behind: str
    waiting_behind_one: str
    leave_queue: str
    left_queue: str
    still_waiting: str
    still_waiting_eta: str  # the same with how long it still takes, {wait}
    already_waiting: str
    with_agent: str
    requeued: str
    closed: str
    nobody_online: str
    callback_offer: str
    callback_yes: str
    callback_no: str
    callback_ask: str
    callback_invalid: str
    callback_done: str
    callback_done_plain: str  # nothing was discussed yet: no "we know what we talked about"
    callback_time_noted: str
    callback_when_open: str  # a callback booked outside service hours: when, {hours}
    callback_declined: str
    unavailable: str
    estimate_late: str  # the estimate told has passed: the new one, {wait}
    nobody_now: str  # every agent went offline while the customer waits: how long the bot waits, {wait}
    gave_up: str
    agent_joined: str
    handed_back: str
    handed_back_open: str  # after a handback with a diagnosis left open: go on there? {topic}
    more_yes: str  # buttons under "Kann ich sonst noch etwas für Sie tun?"
    more_no: str
    resume_yes: str
    resume_no: str
    ticket_kept: str  # after a handback: the chat's fault report, {number}
    report_still_open: str  # back with the bot, the report offered before the handoff was not opened
    closed_by_agent: str

    class Config:
        extra = "forbid"

    @staticmethod
    def yes_no(yes: str, no: str) -> list[dict[str, str]]:
        return [{"title": yes, "payload": "/affirm"}, {"title": no, "payload": "/deny"}]

    def joined(self, name: str) -> str:
        """The greeting an agent's takeover sends, for the hour ("Guten Abend, hier ist Mia ...")."""
        return daytime(self.agent_joined).replace("{name}", name)

    def leave_button(self) -> list[dict[str, str]]:
        """Under every queue message: the customer can stop waiting (the queue
        watcher sees the button's intent and takes them out of the queue)."""
        return [{"title": self.leave_queue, "payload": f"/{LEAVE_QUEUE_INTENT}"}]

    @staticmethod
    def wait_words(minutes: int) -> str:
        """ "eine Minute", "12 Minuten": the estimate as the texts and the widget's header say it."""
        return "eine Minute" if minutes <= 1 else f"{minutes} Minuten"

    def queue_state(self, position: int, minutes: int) -> dict[str, str]:
        """Metadata of a queue message: the web chat shows position and estimate in its header."""
        return {"chat_state": "waiting", "queue_position": str(position), "queue_wait": self.wait_words(minutes)}

    def position(self, position: int, minutes: int) -> str:
        """The queue position in plain words: "Vor Ihnen warten noch 2 Personen."."""
        wait = self.wait_words(minutes)
        if position <= 1:
            return self.next_in_line.format(wait=wait)
        if position == 2:
            return self.waiting_behind_one.format(wait=wait)
        return self.waiting_behind.format(ahead=position - 1, wait=wait)


def daytime(text: str) -> str:
    """{greeting} and {farewell} filled by the hour ("Guten Abend", "einen schönen
    Abend"), as in the bot's own responses (bot/rasa_ext/nlg.py)."""
    from bot.german_time import daytime_words

    for key, words in daytime_words().items():
        text = text.replace("{" + key + "}", words)
    return text


@lru_cache(maxsize=4)
def _load(path: Path) -> HandoffTexts:
    return HandoffTexts.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8"))["texts"])


def load_handoff_texts(path: Path | None = None) -> HandoffTexts:
    return _load(path or knowledge_dir() / "handoff.yml")


@lru_cache(maxsize=4)
def _leave_words(path: Path) -> tuple:
    from bot.nlu.domain_vocabulary import compile_entry

    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(compile_entry(str(entry)) for entry in raw.get("leave_words") or [])


def says_leave_queue(text: str, path: Path | None = None) -> bool:
    """ "Ich will nicht mehr warten", "abbrechen", "lieber wieder mit dem Bot": the
    customer who waits for a person wants out (knowledge/handoff.yml leave_words).
    The phrases carry their own negation, so "nicht" inside them is meant."""
    from bot.dialogue.answer_words import score_text
    from bot.nlu.domain_vocabulary import clause_words

    return score_text(_leave_words(path or knowledge_dir() / "handoff.yml"), clause_words(text)) > 0
