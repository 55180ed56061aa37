"""Website chat: Rasa's socket.io channel, fixed, plus the demo page that uses it.

Referenced from credentials.yml as bot.channels.webchat.WebChatInput.

Why a subclass: see WebChatInput (Rasa 3.6's socket.io input has a missing
await, no Origin check, and no binding between a socket and its conversation).
- The demo page, the widget and the socket.io client (from the npm registry, built
  into var/webchat by `make`) are served by the same server: no CDN, same origin,
  strict Content-Security-Policy.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer, packet
from socketio.packet import Packet

from bot.buttons import CHANNEL_COMMAND
from bot.channels.edge import clean_metadata, clean_text
from bot.paths import PROJECT_ROOT
from bot.server_keys import issue, issued, server_key
from bot.system_texts import load_system_texts

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "webchat" / "static"
VENDOR_DIR = PROJECT_ROOT / "var" / "webchat"  # socket.io.min.js from npm (Makefile)
#: Socket.io frames up to this size are read (and answered); larger ones close the
#: connection. Texts are cut to 5,000 characters anyway (bot/channels/edge.py).
MAX_FRAME_BYTES = 1024 * 1024
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


UNREADABLE_EVENT = "unreadable_frame"


class ReadablePacket(Packet):
    """python-socketio's packet, for frames it cannot decode.

    What it replaces: a frame that is not valid socket.io (truncated JSON, an
    unknown packet type, JSON nested too deep to parse) raised inside
    python-socketio, was logged as a traceback and dropped: the customer got
    no answer. Here it becomes the event UNREADABLE_EVENT, which the web chat
    answers in plain German."""

    KNOWN = {packet.CONNECT, packet.DISCONNECT, packet.EVENT, packet.ACK}

    def decode(self, encoded_packet):
        try:
            attachments = super().decode(encoded_packet)
            named = isinstance(self.data, list) and bool(self.data) and isinstance(self.data[0], str)
            if self.packet_type in self.KNOWN and not attachments and (self.packet_type != packet.EVENT or named):
                return 0
        except (ValueError, TypeError, RecursionError, IndexError):
            pass
        self.packet_type, self.namespace, self.id, self.data = packet.EVENT, None, None, [UNREADABLE_EVENT]
        return 0


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output plus who is writing: an agent's messages carry
    `sender_name` in their metadata (added through the Rasa API by the agent
    console), and messages to a customer waiting for a person carry
    `chat_state: waiting` (the widget then shows no "Assistent schreibt"). Rasa
    merges message metadata into the keyword arguments."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    #: Passed on to the widget: who writes, and the queue state it shows in its header.
    METADATA_KEYS = ("sender_name", "chat_state", "queue_position", "queue_wait")

    @classmethod
    def _metadata(cls, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        metadata = {key: str(kwargs[key])[:80] for key in cls.METADATA_KEYS if kwargs.get(key)}
        return {"metadata": metadata} if metadata else {}

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, **self._metadata(kwargs)})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons, **kwargs: Any) -> None:
        replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_message(recipient_id, {"text": text, "quick_replies": replies, **self._metadata(kwargs)})


def client_manager(environ=os.environ) -> AsyncRedisManager | None:
    """With several Rasa processes, WEBCHAT_REDIS_URL names the Redis server their
    socket.io servers share: a message emitted in one process (an agent's reply
    through the Rasa API) reaches a customer whose socket is on another. None:
    one process, python-socketio's in-memory manager."""
    url = environ.get("WEBCHAT_REDIS_URL", "").strip()
    return AsyncRedisManager(url, channel="stoerungschat-webchat") if url else None


def allowed_origins(environ=os.environ) -> list[str] | None:
    """Origins whose pages may open the chat socket. None: only the bot's own
    (python-engineio compares the Origin header with the request's own scheme
    and host, X-Forwarded-* included). An empty list would switch the check off,
    so it is never returned."""
    configured = [o.strip().rstrip("/") for o in environ.get("WEBCHAT_ALLOWED_ORIGINS", "").split(",") if o.strip()]
    return configured or None


def _session_key() -> bytes:
    return server_key("webchat-session", "WEBCHAT_SESSION_KEY")


def new_session_secret() -> str:
    """A secret for one browser, signed by the server (bot/server_keys.py)."""
    return issue(_session_key())


def sender_for(secret: Any) -> str | None:
    """The conversation id of a browser's session secret, or None if the secret
    is not one this server handed out (a client cannot choose its own). The id
    is a hash of the secret: knowing the id (from a log line or the console)
    does not let anyone into the conversation."""
    if not issued(_session_key(), secret):
        return None
    return hashlib.sha256(b"webchat-session:" + secret.encode("ascii")).hexdigest()[:32]


class WebChatInput(SocketIOInput):
    """Rasa's socket.io input with the edge checks of bot/channels/edge.py.

    What it replaces in Rasa 3.6's SocketIOInput:
    - `enter_room` is awaited (Rasa forgets it, so no bot message arrived);
    - the Origin check is on (Rasa passes cors_allowed_origins=[], which
      switches it off: any website could chat in a customer's name);
    - the conversation is bound to a secret only the customer's browser holds:
      `session_request {session_secret}` answers `session_confirm
      {session_id, session_secret}`, and messages go to the conversation of
      the socket's own session, never to a session id the client names;
    - texts, metadata and frame sizes are bounded, and a frame that is not a
      message gets a German answer instead of silence;
    - the greeting when the chat is opened is made by the server
      (`chat_opened`), not typed as "/greet" by the page."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def get_output_channel(self) -> WebChatOutput | None:
        # Used for messages that do not answer a customer message: the agent's
        # (Rasa API, output_channel=latest). With several Rasa processes they
        # reach the customer's socket through the shared Redis manager.
        sio = getattr(self, "sio", None)
        return WebChatOutput(sio, self.bot_message_evt) if sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=allowed_origins(),
            max_http_buffer_size=MAX_FRAME_BYTES,
            serializer=ReadablePacket,
            client_manager=client_manager(),
        )
        webhook = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        self.sio = sio
        output = WebChatOutput(sio, self.bot_message_evt)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/typing", methods=["POST"])
        async def agent_typing(request: Request) -> HTTPResponse:
            # "Mia schreibt …" in the customer's widget, from the agent console
            # (RasaClient.agent_typing), with the Rasa API token.
            token = os.environ.get("RASA_API_TOKEN", "")
            given = request.args.get("token") or ""
            if not token or not hmac.compare_digest(given.encode(), token.encode()):
                return response.json({"error": "unauthorized"}, status=401)
            data = request.json if isinstance(request.json, dict) else {}
            conversation_id, name = data.get("conversation_id"), data.get("name")
            if not isinstance(conversation_id, str) or not isinstance(name, str) or not name.strip():
                return response.json({"error": "conversation_id and name needed"}, status=400)
            await sio.emit("agent_typing", {"name": name.strip()[:40]}, room=conversation_id, namespace=self.namespace)
            return response.json({"status": "ok"})

        @webhook.route("/demo/<name:path>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            return _static_file(name)

        @webhook.route("/demo", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            # Into the folder, so the page's relative links (widget.js, ...) resolve.
            return response.redirect(request.path.rstrip("/") + "/index.html")

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Any = None, auth: Any = None, *_: Any) -> bool:
            # Also runs when a client sends an event it calls "connect": then the
            # arguments are whatever it sent (python-socketio does not refuse the name).
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        async def start_session(sid: str, secret: Any) -> str:
            sender = sender_for(secret)
            if sender is None:
                secret = new_session_secret()
                sender = sender_for(secret)
            await sio.save_session(sid, {"sender_id": sender}, namespace=self.namespace)
            await sio.enter_room(sid, sender, namespace=self.namespace)  # the fix: Rasa 3.6 forgets the await
            await sio.emit(
                "session_confirm", {"session_id": sender, "session_secret": secret}, room=sid, namespace=self.namespace
            )
            return sender

        async def sender_of(sid: str) -> str:
            session = await sio.get_session(sid, namespace=self.namespace)
            sender = session.get("sender_id") if isinstance(session, dict) else None
            return sender or await start_session(sid, None)  # a client that never asked: a new conversation

        async def say(sid: str, key: str) -> None:
            await sio.emit(
                self.bot_message_evt, {"text": getattr(load_system_texts(), key)}, room=sid, namespace=self.namespace
            )

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            await start_session(sid, data.get("session_secret") if isinstance(data, dict) else None)

        async def handle(sid: str, message: UserMessage) -> None:
            try:
                await on_new_message(message)
            except Exception as error:  # noqa: BLE001 - the customer still gets an answer
                logger.exception("web chat message failed: %s", type(error).__name__)
                await say(sid, "action_failed")

        @sio.on("chat_opened", namespace=self.namespace)
        async def chat_opened(sid: str, *_: Any) -> None:
            sender = await sender_of(sid)
            message = UserMessage("/greet", output, sender, input_channel=self.name(), metadata={})
            setattr(message, CHANNEL_COMMAND, True)  # made by the server, not typed (bot/buttons.py)
            await handle(sid, message)

        @sio.on(UNREADABLE_EVENT, namespace=self.namespace)
        async def unreadable(sid: str, *_: Any) -> None:
            await say(sid, "unreadable")

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, *args: Any) -> None:
            data = args[0] if len(args) == 1 else None  # one object, nothing else
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str):
                await say(sid, "unreadable")
                return
            sender = await sender_of(sid)
            metadata = clean_metadata(data.get(self.metadata_key))
            message = UserMessage(clean_text(text), output, sender, input_channel=self.name(), metadata=metadata)
            await handle(sid, message)

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
    body = path.read_bytes()
    if name == "index.html":
        body = demo_page(body.decode("utf-8")).encode("utf-8")
    content_type = _TYPES.get(path.suffix, "application/octet-stream")
    return response.raw(body, content_type=content_type, headers=_SECURITY_HEADERS)


def demo_page(html: str) -> str:
    """The demo page with the service hours of knowledge/service.yml, so the page
    and the bot never disagree."""
    from bot.handoff.queue import ServiceHours

    return html.replace("{{service_hours}}", ServiceHours.load().describe(long=True))
