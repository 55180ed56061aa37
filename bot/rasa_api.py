"""The Rasa server's HTTP API, as the agent console uses it.

The API is enabled with a token (`rasa run --enable-api --auth-token ...`, token
from RASA_API_TOKEN) and only this client holds it. Agent messages are bot
events added with `output_channel=latest` and `execute_side_effects=true`, so
Rasa delivers them to the channel the customer is chatting on, right away.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

DEFAULT_URL = "http://127.0.0.1:5005"
TIMEOUT = (2.0, 5.0)  # connect, read: the console must not hang on a stuck Rasa
MAX_TRANSCRIPT_LINES = 300


class RasaError(Exception):
    pass


class RasaUnavailable(RasaError):
    """The Rasa server cannot be reached or answered with an error."""


class RasaRefused(RasaError):
    """The Rasa server refused the token (401/403)."""


@dataclass(frozen=True)
class TranscriptLine:
    who: str  # "customer", "bot", "agent", "note"
    text: str
    at: datetime
    name: str | None = None  # the agent's name
    intent: str | None = None  # what NLU understood (customer lines)
    input: str = "typed"  # customer lines: "typed", "button" (pressed) or "command" (made by the chat)


@dataclass(frozen=True)
class ConversationState:
    conversation_id: str
    paused: bool
    slots: dict[str, Any]
    lines: tuple[TranscriptLine, ...]
    latest_channel: str | None
    # When the bot last took the conversation back: a resume, a restart or a new
    # session. The watcher compares it with a handoff's creation (a handoff is
    # stored a moment before Rasa saves the pause that goes with it).
    resumed_at: datetime | None = None


def _at(event: dict) -> datetime:
    try:
        return datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return datetime.fromtimestamp(0, tz=timezone.utc)


def _customer_line(event: dict, intent: str | None, offered: dict[str, str] | None = None) -> tuple[str, str]:
    """(text, input kind) of what the customer did, as the agent should read it.
    A button press is known from the metadata the Rasa server set
    (bot/rasa_ext/processor.py), never from the text: a typed "[Knopf: affirm]"
    or "/affirm" stays typed text, and the console shows the kinds differently.

    What the customer read on the button is shown, not the intent: the title the
    server recorded; else the title of the button with this payload in the bot's
    turn before (offered: payload -> title); else the label the widget sent
    (`button_label`); the intent only when nothing else is known. A message stored before the server marked presses (no
    `input` at all) that is exactly the payload of a button the bot had just
    offered was such a press too (Rasa read it as one)."""
    metadata = event.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    source = metadata.get("input")
    kind = source.get("kind") if isinstance(source, dict) else None
    text = str(event.get("text") or "")
    offered = offered or {}
    if kind == "button":
        sent = metadata.get("button_label")
        label = source.get("title") or offered.get(text.strip()) or (sent if isinstance(sent, str) else None)
        label = str(label or "").strip()[:200]
        return label or str(intent or "?"), "button"
    if kind == "command":
        return ("hat den Chat geöffnet" if intent == "greet" else str(intent or "?")), "command"
    if source is None and offered.get(text.strip()):
        return offered[text.strip()], "button"
    return text, "typed"


RESUMING_EVENTS = {"resume", "restart", "session_started"}


def resumed_at(events: list[dict]) -> datetime | None:
    """Time of the last event that gave the conversation back to the bot."""
    times = [_at(e) for e in events if e.get("event") in RESUMING_EVENTS]
    return max(times) if times else None


def transcript(events: list[dict]) -> tuple[TranscriptLine, ...]:
    """Customer and bot/agent messages, in order."""
    lines: list[TranscriptLine] = []
    offered: dict[str, str] = {}  # payload -> title, of the bot's messages since the customer's last one
    for event in events:
        kind = event.get("event")
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            text, source = _customer_line(event, intent, offered)
            lines.append(TranscriptLine("customer", text, _at(event), intent=intent, input=source))
            offered = {}
        elif kind == "bot":
            metadata = event.get("metadata") or {}
            name = metadata.get("sender_name") if isinstance(metadata, dict) else None
            text = str(event.get("text") or "")
            data = event.get("data") if isinstance(event.get("data"), dict) else {}
            buttons = data.get("buttons") or data.get("quick_replies") or []
            for button in buttons:
                if isinstance(button, dict) and isinstance(button.get("payload"), str) and button.get("title"):
                    offered[button["payload"].strip()] = str(button["title"])
            if buttons:
                text += "\n" + " | ".join(f"[{b.get('title', '')}]" for b in buttons if isinstance(b, dict))
            lines.append(TranscriptLine("agent" if name else "bot", text, _at(event), name if name else None))
    return tuple(lines[-MAX_TRANSCRIPT_LINES:])


class RasaClient:
    def __init__(self, url: str | None = None, token: str | None = None, session: requests.Session | None = None):
        self.url = (url or os.environ.get("RASA_URL") or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else os.environ.get("RASA_API_TOKEN", "")
        if not self.token:
            raise RasaError("RASA_API_TOKEN is not set: the Rasa API must never run without a token")
        self.http = session or requests.Session()
        # Connection errors only: a retried POST of events could deliver a message twice.
        retry = Retry(total=2, connect=2, read=0, status=0, backoff_factor=0.2, allowed_methods=None)
        self.http.mount("http://", HTTPAdapter(max_retries=retry))
        self.http.mount("https://", HTTPAdapter(max_retries=retry))

    def _call(self, method: str, path: str, params: dict | None = None, body: Any = None) -> Any:
        try:
            response = self.http.request(
                method,
                f"{self.url}{path}",
                params={**(params or {}), "token": self.token},
                json=body,
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise RasaUnavailable(type(error).__name__) from None
        if response.status_code in (401, 403):
            raise RasaRefused(str(response.status_code))
        if response.status_code >= 400:
            raise RasaUnavailable(f"HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise RasaUnavailable("invalid JSON") from None

    @staticmethod
    def _path(conversation_id: str, tail: str) -> str:
        return f"/conversations/{quote(conversation_id, safe='')}/{tail}"

    def conversation(self, conversation_id: str) -> ConversationState:
        data = self._call("GET", self._path(conversation_id, "tracker"), {"include_events": "ALL"})
        events = data.get("events") or []
        return ConversationState(
            conversation_id=conversation_id,
            paused=bool(data.get("paused")),
            slots=data.get("slots") or {},
            lines=transcript(events),
            latest_channel=data.get("latest_input_channel"),
            resumed_at=resumed_at(events),
        )

    def say(
        self,
        conversation_id: str,
        text: str,
        sender_name: str | None = None,
        chat_state: str | None = None,
        buttons: list[dict[str, str]] | None = None,
        state: dict[str, str] | None = None,
    ) -> None:
        """A message into the customer's open chat: as the agent when sender_name is
        set; chat_state "waiting" tells the widget the customer waits for a person,
        `state` adds what its header shows (HandoffTexts.queue_state)."""
        event: dict[str, Any] = {"event": "bot", "text": text}
        metadata = {k: v for k, v in (("sender_name", sender_name), ("chat_state", chat_state)) if v}
        metadata.update(state or {})
        if metadata:
            event["metadata"] = metadata
        if buttons:
            event["data"] = {"buttons": buttons}
        self._add_events(conversation_id, [event])

    def back_to_bot(
        self,
        conversation_id: str,
        action: str,
        messages: list[dict[str, Any]],
        slots: dict[str, Any],
    ) -> None:
        """The bot takes the conversation again, in one request (all or nothing):
        resume, record `action` as the bot's last action (its rules decide what a
        "ja" or "nein" means next), say `messages` ({"text", "buttons"?}), set
        `slots`, then listen. Nothing runs on the action server, so a handback
        cannot get lost there."""
        events: list[dict[str, Any]] = [{"event": "resume"}, {"event": "action", "name": action}]
        for message in messages:
            event: dict[str, Any] = {"event": "bot", "text": message["text"]}
            if message.get("buttons"):
                event["data"] = {"buttons": message["buttons"]}
            events.append(event)
        events += [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
        events.append({"event": "action", "name": "action_listen"})
        self._add_events(conversation_id, events)

    def agent_typing(self, conversation_id: str, name: str) -> None:
        """ "Mia schreibt …" in the customer's web chat (bot/channels/webchat.py).
        Only the web chat shows it; a failure is not worth an error for the agent."""
        try:
            self.http.post(
                f"{self.url}/webhooks/webchat/typing",
                params={"token": self.token},
                json={"conversation_id": conversation_id, "name": name},
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise RasaUnavailable(type(error).__name__) from None

    def pause(self, conversation_id: str) -> None:
        self._add_events(conversation_id, [{"event": "pause"}])

    def _add_events(self, conversation_id: str, events: list[dict]) -> None:
        self._call(
            "POST",
            self._path(conversation_id, "tracker/events"),
            {"output_channel": "latest", "execute_side_effects": "true"},
            events,
        )
