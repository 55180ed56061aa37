"""Rasa's REST channel, with the edge checks of bot/channels/edge.py.

Referenced from credentials.yml as bot.channels.rest.GuardedRestInput; the URL
stays /webhooks/rest/webhook.

What it replaces: Rasa 3.6's RestInput reads `request.json` as it comes. A JSON
array, a string, `null` or an empty body got HTTP 500; a missing sender landed
in one shared "default" conversation; a sender with a lone surrogate made the
SQL tracker store call sys.exit; a 20 MB message was stored whole; and the
client could name its own `input_channel` (the console trusts that to decide
whether an agent's message reaches the customer live). Here:

- the body must be a JSON object in UTF-8 (Content-Type application/json),
  at most 64 KB (Sanic refuses more with 413 before reading it);
- `sender` must be a valid sender id, `message` a text; both are refused with
  400 and a short German reason otherwise;
- the text is cleaned and bounded, metadata is a small object or nothing, and
  the channel is always "rest"; a conversation of another channel (the web
  chat) cannot be continued here (409).

Streaming (`?stream=true`) is not offered: nothing here uses it.
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.edge import InputRefused, check_sender_id, check_text, clean_metadata, parse_json_body, refuse
from bot.system_texts import load_system_texts

logger = logging.getLogger(__name__)


def refusal(error: InputRefused) -> HTTPResponse:
    return response.json({"error": error.reason, "code": error.code}, status=error.status)


def read_rest_request(body: bytes | None) -> tuple[str, str, dict[str, Any]]:
    """(sender id, text, metadata) of a REST request, or InputRefused."""
    data = parse_json_body(body)
    sender = check_sender_id(data.get("sender"))
    text = check_text(data.get("message"))
    return sender, text, clean_metadata(data.get("metadata"))


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                # JSON only: a page on another site cannot send that without the
                # browser asking first (CORS), so it cannot post in a user's name.
                if not (request.content_type or "").lower().startswith("application/json"):
                    raise refuse("not_json_type", 415)
                sender, text, metadata = read_rest_request(request.body)
            except InputRefused as error:
                return refusal(error)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
                )
            except InputRefused as error:  # e.g. a web chat conversation (bot/rasa_ext/processor.py)
                return refusal(error)
            except (CancelledError, Exception) as error:  # noqa: BLE001 - the customer still gets an answer
                logger.exception("REST message failed: %s", type(error).__name__)
                if not collector.messages:
                    collector.messages.append({"recipient_id": sender, "text": load_system_texts().action_failed})
            return response.json(collector.messages)

        return webhook
