"""Hostile input over REST and the web chat's socket.io, against the real servers.

Requirement: at least 200 distinct hostile inputs (tests/integration/hostile_inputs.py)
over REST and socket.io. Each one must get a German answer or a refusal: HTTP 4xx with
a German JSON "error" (413 above 64 KB), and for socket.io a closed connection for an
oversized frame or a refused connection for a foreign Origin. Never a 5xx, silence,
an English-only answer, raw HTML, a stack trace or raw intent syntax in an answer, and
no unhandled traceback in the servers' logs. Afterwards the bot must still answer a plain
"hallo": in the same conversation when the input was taken, in a new one otherwise.

Packets that are not valid socket.io (raw-*: truncated JSON, unknown packet types,
JSON nested too deep) get the web chat's German "nicht lesen" answer too; only a
frame for a namespace the client never joined is ignored. A frame that carries a
message must get a reply or a closed connection, never silence. The module ends with a new REST sender and a new socket
saying "hallo", and the Rasa process still serving.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import aiohttp
import pytest
import requests
import socketio

from tests.integration.hostile_inputs import (
    ANSWER,
    CLOSED,
    CONFIRM,
    IGNORED,
    NO_DATA,
    ORIGIN_REFUSED,
    OTHER_SESSION,
    REPLY,
    REST_CASES,
    SAME_HOST_HTTPS,
    SAME_ORIGIN,
    SOCKET_CASES,
    TOO_LARGE,
    UNREADABLE,
    RestCase,
    SocketCase,
    rest_fingerprint,
    socket_fingerprint,
)

pytestmark = pytest.mark.integration

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio 4.15's client builds aiohttp.ClientWSTimeout (aiohttp >= 3.10) for
    # ws_connect(timeout=...); Rasa pins aiohttp 3.9, whose ws_connect takes seconds there.
    aiohttp.ClientWSTimeout = lambda ws_close=None, **_: ws_close

GERMAN = re.compile(
    r"\b(sie|ihnen|ihre?|ich|bitte|nicht|das|die|der|und|mit|kann|gern|entschuldigung|danke|guten)\b", re.I
)
ENGLISH = re.compile(r"\b(sorry|please|error|exception|the|your|didn't|can't|rephrase|understand)\b", re.I)
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
CRASH = re.compile(r"Traceback|File \"|Internal Server Error|\w+(Error|Exception)\b")
INTENT_SYNTAX = re.compile(r"(?:^|\s)/[A-Za-z_]{2,}")
SECRET = re.compile(r"[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{22}")  # nonce.signature (bot/server_keys.py)
SESSION_ID = re.compile(r"[0-9a-f]{32}")
UNREADABLE_TEXT = "Diese Nachricht konnte ich leider nicht lesen"
#: No answer within this time is silence (answers take well under a second here).
SILENCE_S = 5


# --------------------------------------------------------------------------- checks


def assert_german(texts: list[str], what: str) -> None:
    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    assert texts, f"silence: no bot text for {what}"
    assert GERMAN.search(" ".join(texts)), f"not German for {what}: {texts}"
    for text in texts:
        assert GERMAN.search(text) or not ENGLISH.search(text), f"English answer for {what}: {text!r}"
        assert not HTML_TAG.search(text), f"raw HTML in an answer for {what}: {text!r}"
        assert not CRASH.search(text), f"crash text in an answer for {what}: {text!r}"
        assert not INTENT_SYNTAX.search(text), f"intent syntax in an answer for {what}: {text!r}"


class LogMark:
    """The servers' logs from now on: unhandled tracebacks written since the mark."""

    def __init__(self, *paths: Path) -> None:
        self.offsets = {path: path.stat().st_size for path in paths}

    def tracebacks(self) -> list[str]:
        found = []
        for path, offset in self.offsets.items():
            with path.open("rb") as log:
                log.seek(offset)
                lines = log.read().decode("utf-8", "replace").splitlines()
            for i, line in enumerate(lines):
                if "Traceback (most recent call last)" not in line:
                    continue
                before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
                if "During handling" in before or "direct cause" in before:
                    continue
                end = next((k for k in range(i + 1, len(lines)) if lines[k][:1] not in (" ", "")), i)
                found.append(f"{path.name}: {before}\n" + "\n".join(lines[i : end + 1][-4:]))
        return found

    def assert_clean(self) -> None:
        tracebacks = self.tracebacks()
        assert not tracebacks, "unhandled traceback in the server logs:\n" + "\n---\n".join(tracebacks)


@pytest.fixture(scope="module", autouse=True)
def module_log(bot) -> LogMark:
    return LogMark(bot.rasa_log, bot.action_log)


@pytest.fixture
def log(bot) -> LogMark:
    return LogMark(bot.rasa_log, bot.action_log)


def first_user_event(bot, sender: str) -> dict:
    events = bot.user_events(sender)
    assert events, f"nothing stored for {sender}"
    return events[0]


def check_stored(event: dict, case: RestCase | SocketCase) -> None:
    text = event.get("text") or ""
    if case.stored_text is not None:
        assert text == case.stored_text
    if case.stored_has is not None:
        assert case.stored_has in text, f"stored text {text!r} lacks {case.stored_has!r}"
    if case.stored_len is not None:
        assert len(text) == case.stored_len
    assert not any("\ud800" <= ch <= "\udfff" or ch == "\x00" for ch in text), "surrogate or NUL stored"
    if case.typed:
        assert (event.get("metadata") or {}).get("input", {}).get("kind") == "typed", event.get("metadata")


def test_the_catalogue_has_at_least_200_distinct_inputs():
    assert len({c.id for c in REST_CASES}) == len(REST_CASES)
    assert len({c.id for c in SOCKET_CASES}) == len(SOCKET_CASES)
    assert len({rest_fingerprint(c) for c in REST_CASES}) == len(REST_CASES)
    assert len({socket_fingerprint(c) for c in SOCKET_CASES}) == len(SOCKET_CASES)
    assert len(REST_CASES) + len(SOCKET_CASES) >= 200


# --------------------------------------------------------------------------- REST


def _chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 65_536):
        yield body[start : start + 65_536]


def post(bot, case: RestCase) -> requests.Response:
    headers = {"Content-Type": case.content_type} if case.content_type else {}
    data = _chunks(case.body or b"") if case.chunked else case.body
    return requests.request(case.method, f"{bot.rasa_url}/webhooks/rest/webhook", data=data, headers=headers,
                            timeout=30)


def say_hallo_over_rest(bot, sender: str) -> None:
    response = requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": "hallo"},
                             timeout=30)
    assert response.status_code == 200, f"'hallo' afterwards: HTTP {response.status_code} {response.text[:300]}"
    assert_german([m.get("text") for m in response.json()], f"'hallo' from {sender} afterwards")


def check_rest_response(response: requests.Response, case: RestCase) -> None:
    status = response.status_code
    assert status < 500, f"HTTP {status}: {response.text[:300]}"
    if case.expect == ANSWER:
        assert status == 200, f"HTTP {status}: {response.text[:300]}"
        messages = response.json()
        assert isinstance(messages, list)
        assert all(m.get("recipient_id") == case.sender for m in messages), messages
        assert_german([m.get("text") for m in messages], case.id)
        return
    expected = range(413, 414) if case.expect == TOO_LARGE else range(400, 500)
    assert status in expected, f"HTTP {status}, expected {case.expect}: {response.text[:300]}"
    body = response.json()
    assert GERMAN.search(body.get("error") or ""), body
    if case.code:
        assert body.get("code") == case.code, body


@pytest.mark.parametrize("case", REST_CASES, ids=[c.id for c in REST_CASES])
def test_rest_input_gets_a_german_answer_or_a_4xx_and_hallo_works_afterwards(bot, log, case: RestCase):
    check_rest_response(post(bot, case), case)
    if case.expect == ANSWER:
        check_stored(first_user_event(bot, case.sender), case)
        say_hallo_over_rest(bot, case.sender)  # the conversation goes on
    else:
        say_hallo_over_rest(bot, f"after-{case.id}"[:64])
    log.assert_clean()


# --------------------------------------------------------------------------- socket.io


class Chat:
    """One web chat socket, as widget.js uses it."""

    def __init__(self, bot) -> None:
        self.bot = bot
        self.client = socketio.AsyncClient(reconnection=False)
        self.messages: list[dict] = []
        self.confirms: list[dict] = []
        self.closed = asyncio.Event()
        self.client.on("bot_uttered", self.messages.append)
        self.client.on("session_confirm", self.confirms.append)
        self.client.on("disconnect", lambda *_: self.closed.set())

    async def open(self, headers: dict[str, str] | None = None) -> Chat:
        await self.client.connect(self.bot.rasa_url, socketio_path="/socket.io", transports=["websocket"],
                                  headers=headers or {}, wait_timeout=5)
        return self

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()
        http = getattr(self.client.eio, "http", None)
        if http is not None and not http.closed:
            await http.close()

    @property
    def sender(self) -> str | None:
        return self.confirms[-1]["session_id"] if self.confirms else None

    @property
    def usable(self) -> bool:
        return self.client.connected and not self.closed.is_set()

    def stored(self) -> int:
        return len(self.bot.user_events(self.sender)) if self.sender else 0

    async def emit(self, event: str, data: Any) -> None:
        if data is NO_DATA:
            await self.client.emit(event)
        else:
            await self.client.emit(event, data)  # a tuple: several arguments

    async def session(self, data: Any = None) -> dict:
        count = len(self.confirms)
        await self.emit("session_request", {"session_secret": None} if data is None else data)
        await until(lambda: len(self.confirms) > count, 5)
        assert len(self.confirms) > count, "no session_confirm"
        return self.confirms[-1]

    async def exchange(self, send: Callable, through_rasa: bool = True, timeout: float = SILENCE_S) -> list[dict]:
        """What the bot sent for one frame. Through Rasa the answer is complete when
        the tracker holds the message (Rasa stores it after sending the answer)."""
        start, before = len(self.messages), self.stored()
        await send()
        if through_rasa:
            await until(lambda: self.stored() > before or self.closed.is_set(), timeout)
        else:
            await until(lambda: len(self.messages) > start or self.closed.is_set(), timeout)
        await asyncio.sleep(0.05)  # bot_uttered events still on the wire
        return self.messages[start:]

    async def say(self, text: str) -> list[dict]:
        return await self.exchange(lambda: self.emit("user_uttered", {"message": text, "metadata": {}}))


async def until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.03)


def assert_german_socket(messages: list[dict], what: str) -> None:
    assert_german([m.get("text") for m in messages if isinstance(m, dict)], what)
    for message in messages:  # no agent is logged in: nothing may claim to come from one
        assert "sender_name" not in (message.get("metadata") or {}), message


def resolve(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {resolve(k, names): resolve(v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(resolve(v, names) for v in value)
    return value


async def new_session_id(bot) -> str:
    other = await Chat(bot).open()
    try:
        return (await other.session())["session_id"]
    finally:
        await other.close()


async def hallo_on_a_new_socket(bot, what: str) -> None:
    chat = await Chat(bot).open()
    try:
        await chat.session()
        assert_german_socket(await chat.say("hallo"), f"'hallo' on a new socket after {what}")
    finally:
        await chat.close()


def check_confirm(confirm: dict, sent: Any, other_session: str | None) -> None:
    assert SESSION_ID.fullmatch(str(confirm.get("session_id"))), confirm
    secret = confirm.get("session_secret")
    assert isinstance(secret, str) and SECRET.fullmatch(secret), confirm
    offered = sent.get("session_secret") if isinstance(sent, dict) else None
    assert secret != offered  # only secrets the server signed are taken; these never are
    assert confirm["session_id"] != other_session, "joined another socket's conversation"


async def run_socket_case(bot, case: SocketCase) -> None:
    origin = bot.rasa_url
    names = {SAME_ORIGIN: origin, SAME_HOST_HTTPS: origin.replace("http:", "https:", 1)}
    other_session = await new_session_id(bot) if OTHER_SESSION in repr(case.data) else None
    if other_session:
        names[OTHER_SESSION] = other_session
    data = resolve(case.data, names)
    chat = Chat(bot)
    try:
        if case.expect == ORIGIN_REFUSED:
            with pytest.raises(socketio.exceptions.ConnectionError):
                await chat.open(resolve(case.headers, names))
            await hallo_on_a_new_socket(bot, case.id)
            return
        await chat.open(resolve(case.headers, names))
        if case.session_first:
            await chat.session()

        async def send() -> None:
            if case.raw is not None:
                await chat.client.eio.send(case.raw)
            else:
                await chat.emit(case.event, data)

        if case.expect == ANSWER:
            messages = await chat.exchange(send)
            assert_german_socket(messages, case.id)
            check_stored(bot.user_events(chat.sender)[-1], case)
        elif case.expect == UNREADABLE:
            messages = await chat.exchange(send, through_rasa=False)
            assert_german_socket(messages, case.id)
            assert UNREADABLE_TEXT in messages[0].get("text", ""), messages
        elif case.expect == REPLY:
            messages = await chat.exchange(send, through_rasa=False)
            if not chat.closed.is_set():  # closing the connection is the 4xx of socket.io
                assert_german_socket(messages, case.id)
        elif case.expect == CONFIRM:
            count = len(chat.confirms)
            await send()
            await until(lambda: len(chat.confirms) > count, 3)
            assert len(chat.confirms) > count, "no session_confirm"
            check_confirm(chat.confirms[-1], data, other_session)
        elif case.expect == CLOSED:
            await send()
            await until(chat.closed.is_set, 5)
            assert chat.closed.is_set(), "an oversized frame was not refused"
        elif case.expect == IGNORED:
            start = len(chat.messages)
            await send()
            await asyncio.sleep(0.2)
            if chat.messages[start:]:
                assert_german_socket(chat.messages[start:], case.id)
        else:
            raise AssertionError(f"unknown expectation {case.expect}")
        if chat.usable:
            if chat.sender is None:
                await chat.session()
            assert_german_socket(await chat.say("hallo"), f"'hallo' on the same socket after {case.id}")
        else:
            await hallo_on_a_new_socket(bot, case.id)
    finally:
        await chat.close()


@pytest.mark.parametrize("case", SOCKET_CASES, ids=[c.id for c in SOCKET_CASES])
def test_socket_input_gets_a_german_answer_or_is_refused_and_hallo_works_afterwards(bot, log, case: SocketCase):
    asyncio.run(run_socket_case(bot, case))
    log.assert_clean()


# --------------------------------------------------------------------------- the whole suite


def test_after_all_hostile_input_the_bot_still_answers_hallo_and_logged_no_unhandled_traceback(bot, module_log):
    assert requests.get(f"{bot.rasa_url}/", timeout=10).status_code == 200  # the Rasa process still serves
    say_hallo_over_rest(bot, "hostile-final-check")
    asyncio.run(hallo_on_a_new_socket(bot, "the whole suite"))
    module_log.assert_clean()
