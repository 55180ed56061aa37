"""Website chat: Rasa's socket.io channel, fixed, plus the demo page that uses it.

Referenced from credentials.yml as bot.channels.webchat.WebChatInput.

Why a subclass:
- Rasa 3.6 calls `sio.enter_room(...)` without `await`; with python-socketio 5.x
  that is a coroutine, so with session_persistence the browser never joined its
  session room and never received a bot message. Awaiting it fixes the chat.
- The demo page, the widget and the socket.io client (from the npm registry, built
  into var/webchat by `make`) are served by the same server: no CDN, same origin,
  strict Content-Security-Policy.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.paths import PROJECT_ROOT

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "webchat" / "static"
VENDOR_DIR = PROJECT_ROOT / "var" / "webchat"  # socket.io.min.js from npm (Makefile)
MAX_MESSAGE_CHARS = 5000  # the NLU sanitiser cuts further; this bounds what enters the tracker
_TYPES = {".html": "text/html; charset=utf-8", ".js": "application/javascript", ".css": "text/css"}
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output plus who is writing: an agent's messages carry
    `sender_name` in their metadata (added through the Rasa API by the agent
    console), and messages to a customer waiting for a person carry
    `chat_state: waiting` (the widget then shows no "Assistent schreibt"). Rasa
    merges message metadata into the keyword arguments."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @staticmethod
    def _metadata(kwargs: Dict[str, Any]) -> Dict[str, Any]:
        metadata = {key: str(kwargs[key])[:80] for key in ("sender_name", "chat_state") if kwargs.get(key)}
        return {"metadata": metadata} if metadata else {}

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, **self._metadata(kwargs)})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons, **kwargs: Any) -> None:
        replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_message(recipient_id, {"text": text, "quick_replies": replies, **self._metadata(kwargs)})


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "webchat"

    def get_output_channel(self) -> WebChatOutput | None:
        # Used for messages that do not answer a customer message: the agent's
        # (Rasa API, output_channel=latest). Needs one Rasa process (README).
        sio = getattr(self, "sio", None)
        return WebChatOutput(sio, self.bot_message_evt) if sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        webhook = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        self.sio = sio

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/demo/<name:path>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            return _static_file(name)

        @webhook.route("/demo", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            # Into the folder, so the page's relative links (widget.js, ...) resolve.
            return response.redirect(request.path.rstrip("/") + "/index.html")

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Dict | None) -> bool:
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not 8 <= len(session_id) <= 64 or not session_id.isalnum():
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id)  # the fix: Rasa 3.6 forgets the await
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Dict) -> None:
            if not isinstance(data, dict):
                return
            sender_id = data.get("session_id") if self.session_persistence else sid
            if not isinstance(sender_id, str) or not sender_id:
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            text = data.get("message")
            text = text[:MAX_MESSAGE_CHARS] if isinstance(text, str) else ""
            await on_new_message(
                UserMessage(
                    text,
                    WebChatOutput(sio, self.bot_message_evt),
                    sender_id,
                    input_channel=self.name(),
                    metadata=metadata if isinstance(metadata, dict) else {},
                )
            )

        return webhook


def _static_file(name: str) -> HTTPResponse:
    candidates = {
        "index.html": STATIC_DIR / "index.html",
        "widget.js": STATIC_DIR / "widget.js",
        "widget.css": STATIC_DIR / "widget.css",
        "socket.io.min.js": VENDOR_DIR / "socket.io.min.js",
    }
    path = candidates.get(name)  # a fixed list: no path traversal possible
    if path is None or not path.exists():
        return response.text("Nicht gefunden", status=404, headers=_SECURITY_HEADERS)
    return response.raw(
        path.read_bytes(), content_type=_TYPES.get(path.suffix, "application/octet-stream"), headers=_SECURITY_HEADERS
    )
