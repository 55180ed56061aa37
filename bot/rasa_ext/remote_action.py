"""Rasa's RemoteAction, never silent when the action server is away.

What it replaces: when the action server cannot be reached, answers with an
error or hangs, Rasa 3.6 logs "Bot will continue, but the actions events are
lost" and the customer usually gets no answer at all; a hanging action server
holds the conversation for up to 300 s (DEFAULT_REQUEST_TIMEOUT).

This subclass
- waits briefly for an action server that is restarting (connection refused,
  502/503/504): up to RESTART_BUDGET_S in total, only while the outage is
  young, so a long outage does not slow every message down;
- bounds each call to CALL_TIMEOUT_S;
- when the call still fails, says so in plain German (knowledge/system.yml)
  and makes the bot listen again. Within one customer message the notice is
  said once, however many actions fail (bot/rasa_ext/processor.py opens the
  turn).

The customer's message itself is never lost: Rasa has stored it in the tracker
before any action runs.

It keeps one HTTP session (and its open connections) to the action server per
process: Rasa's EndpointConfig.request opens a new aiohttp session, and so a
new connection, for every action call.

It also validates the action server's answer with one compiled validator.
Rasa 3.6 calls `jsonschema.validate` for every answer, which checks the large
event schema against the meta-schema and builds a new validator each time:
under load that was 60 % of the Rasa server's CPU time (py-spy, 10 users).
The schema and the error are the same as Rasa's.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import weakref
from typing import Any, Dict, List

import aiohttp
from aiohttp import ClientResponseError
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import BotUttered, Event, FollowupAction
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot.system_texts import load_system_texts

logger = logging.getLogger(__name__)

RESTART_BUDGET_S = 6.0  # a supervised action server is back in about 2.5 s
RETRY_PAUSE_S = 0.3
YOUNG_OUTAGE_S = 15.0  # after this long, fail at once instead of waiting each time
CALL_TIMEOUT_S = 30.0  # the slowest action (line check with retries) takes about 5 s
UNREACHABLE_STATUS = {502, 503, 504}

#: One dict per customer message: whether the notice was said (see Turn).
_turn: contextvars.ContextVar[Dict[str, bool] | None] = contextvars.ContextVar("action_notice_turn", default=None)


class _Outage:
    """When the action server was first found unreachable (process-wide)."""

    since: float | None = None

    @classmethod
    def young(cls, now: float) -> bool:
        return cls.since is None or now - cls.since < YOUNG_OUTAGE_S


def start_turn() -> None:
    """A new customer message: the next failure may say the notice again."""
    _turn.set({"noticed": False})


def _unreachable(error: BaseException) -> bool:
    """Connection refused or reset, or a proxy saying the server is gone."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, aiohttp.ClientConnectionError):
        return True
    return isinstance(cause, ClientResponseError) and cause.status in UNREACHABLE_STATUS


class ResponseValidator:
    """Rasa's schema for action server answers, compiled once.

    Rasa's event schema is a `oneOf` over 23 event types that differ only in
    their `event` name, so every event is tried against all of them. Here each
    event is checked against the one schema of its own type (the same schema
    parts), and only an answer that fails is run through Rasa's whole schema,
    which raises Rasa's own error."""

    def __init__(self) -> None:
        from rasa.shared.utils.schemas.events import EVENT_SCHEMA

        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        self.full = cls(schema)
        base = {key: value for key, value in EVENT_SCHEMA.items() if key != "oneOf"}
        self.by_type = {
            sub["properties"]["event"]["const"]: cls({"allOf": [base, sub]}) for sub in EVENT_SCHEMA["oneOf"]
        }
        self.outer = cls({**schema, "properties": {**schema["properties"], "events": {"type": "array"}}})

    def validate(self, result: Dict) -> None:
        if not (self.outer.is_valid(result) and all(map(self._valid_event, result.get("events") or []))):
            self.full.validate(result)  # raises Rasa's ValidationError

    def _valid_event(self, event: Any) -> bool:
        typed = self.by_type.get(event.get("event")) if isinstance(event, dict) else None
        return typed is not None and typed.is_valid(event)


_validator: ResponseValidator | None = None


def response_validator() -> ResponseValidator:
    global _validator
    if _validator is None:
        _validator = ResponseValidator()
    return _validator


class _Borrowed:
    """`async with endpoint.session()` over a session that stays open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc_info: Any) -> bool:
        return False


class PooledEndpointConfig(EndpointConfig):
    """Rasa's EndpointConfig with one long-lived session per event loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def session(self) -> Any:
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            session = self._sessions[loop] = super().session()
        return _Borrowed(session)


_pooled: Dict[int, PooledEndpointConfig] = {}


def pooled(endpoint: EndpointConfig | None) -> EndpointConfig | None:
    """The same endpoint, with a shared session (one per configured endpoint)."""
    if endpoint is None or isinstance(endpoint, PooledEndpointConfig):
        return endpoint
    known = _pooled.get(id(endpoint))
    if known is None or known._source is not endpoint:  # type: ignore[attr-defined]
        known = PooledEndpointConfig(
            endpoint.url, endpoint.params, endpoint.headers, endpoint.basic_auth, endpoint.token,
            endpoint.token_name, endpoint.cafile, type=endpoint.type, **endpoint.kwargs,
        )
        known._source = endpoint  # type: ignore[attr-defined]
        _pooled[id(endpoint)] = known
    return known


class ResilientRemoteAction(RemoteAction):
    def __init__(self, name: str, action_endpoint: EndpointConfig | None) -> None:
        super().__init__(name, pooled(action_endpoint))

    def _validate_action_result(self, result: Dict) -> bool:
        try:
            response_validator().validate(result)
            return True
        except ValidationError as e:  # Rasa's own message
            e.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise e

    async def run(self, output_channel, nlg, tracker, domain) -> List[Event]:
        deadline = time.monotonic() + RESTART_BUDGET_S
        while True:
            try:
                events = await asyncio.wait_for(
                    super().run(output_channel, nlg, tracker, domain), timeout=CALL_TIMEOUT_S
                )
            except ActionExecutionRejection:
                raise  # a form rejecting the input: Rasa's own flow
            except asyncio.TimeoutError:
                logger.error("action '%s' took longer than %.0f s", self.name(), CALL_TIMEOUT_S)
                return self._notice("action_slow")
            except RasaException as error:
                now = time.monotonic()
                if not _unreachable(error):
                    logger.error("action '%s' failed on the action server: %s", self.name(), error)
                    return self._notice("action_failed")
                _Outage.since = _Outage.since or now
                if now + RETRY_PAUSE_S < deadline and _Outage.young(now):
                    await asyncio.sleep(RETRY_PAUSE_S)
                    continue
                logger.error("action server unreachable; action '%s' not run", self.name())
                return self._notice("action_server_down")
            _Outage.since = None
            return events

    def _notice(self, key: str) -> List[Event]:
        """The German notice (once per customer message), then listen."""
        turn = _turn.get()
        events: List[Event] = []
        if turn is None or not turn["noticed"]:
            text = getattr(load_system_texts(), key)
            events.append(BotUttered(text, data={}, metadata={"notice": key}))
            if turn is not None:
                turn["noticed"] = True
        events.append(FollowupAction("action_listen"))
        return events

