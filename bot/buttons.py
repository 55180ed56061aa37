"""Button presses versus typed text: only payloads the bot itself offered count.

Rasa reads any message that starts with "/" as intent syntax: "/affirm" is a
"yes", '/ticket_status{"customer_number": "…"}' sets entities and with them
slots. Customers cannot press buttons the bot never showed, so a message counts
as a button press only when its text is exactly the payload of a button in the
bot's latest turn (the bot messages since the customer's previous message).
Everything else is what the customer typed: NLU reads it as words, without the
slash syntax, and the tracker keeps it as typed.

Plain Python over tracker event dicts; bot/rasa_processor.py applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

INTENT_PREFIX = "/"
#: Attribute a channel sets on a message it created itself (the web chat's
#: greeting); it is never read from client data.
CHANNEL_COMMAND = "channel_command"
#: Metadata key that only the server sets (bot/channels/edge.py drops a client's).
INPUT_KEY = "input"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class ResolvedInput:
    """How to read one customer message.

    kind: "button", "typed" or "command"; nlu_text: what NLU reads (None: the
    text as Rasa got it, a verified payload included); stored_text: what the
    tracker keeps when it is not the text as sent (a stale button's label);
    title: the label of the pressed button."""

    kind: str
    nlu_text: str | None = None
    title: str | None = None
    stored_text: str | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.title:
            data["title"] = self.title
        return data


def _buttons_of(event: Mapping[str, Any]) -> list[Button]:
    data = event.get("data") or {}
    found = []
    for key in ("buttons", "quick_replies"):
        for button in data.get(key) or []:
            if isinstance(button, Mapping) and isinstance(button.get("payload"), str):
                found.append(Button(str(button.get("title") or ""), button["payload"]))
    return found


def offered_buttons(events: Iterable[Mapping[str, Any]]) -> list[Button]:
    """Buttons of the bot messages after the customer's latest message."""
    turn: list[Button] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            turn = []
        elif kind == "bot":
            turn.extend(_buttons_of(event))
    return turn


def strip_intent_syntax(text: str) -> str:
    """ "/affirm{"x": 1}" -> 'affirm{"x": 1}': the words, no command. Leading
    slashes and blanks go; what is left is read like any typed text."""
    return text.lstrip("/ \t\r\n") or "?"


def resolve(text: str | None, offered: Iterable[Button], label: str | None = None,
            trusted_command: bool = False) -> ResolvedInput:
    """Decide how NLU reads a message.

    label: the title a client says the button had (the web chat sends it along);
    it is only ever read as words. trusted_command: the channel itself created
    the message (the web chat's greeting when the chat is opened)."""
    raw = (text or "").strip()
    if not raw.startswith(INTENT_PREFIX):
        return ResolvedInput("typed")
    if trusted_command:
        return ResolvedInput("command")
    for button in offered:
        if button.payload.strip() == raw:
            return ResolvedInput("button", title=button.title or None)
    # A payload nobody offered: a stale button (read its label as words) or text
    # typed to look like a command (read the words, never the command).
    if label and label.strip() and not label.strip().startswith(INTENT_PREFIX):
        words = label.strip()[:200]
        return ResolvedInput("typed", nlu_text=words, stored_text=words)
    return ResolvedInput("typed", nlu_text=strip_intent_syntax(raw))
