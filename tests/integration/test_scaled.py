"""Two Rasa processes behind HAProxy, as `make run-scaled` runs them: a PostgreSQL
tracker store, Rasa's Redis lock store and the web chat's shared Redis
socket.io manager (real PostgreSQL, Redis and HAProxy on this machine).

A customer's socket is on the first process; every agent message goes through
the second process's API and must reach the customer, and the conversation
goes on through the proxy with nothing lost."""

from __future__ import annotations

import asyncio
import time

import pytest
import requests
import socketio

from bot.devstack import BotStartError, Scale, local_bot
from bot.paths import PROJECT_ROOT
from bot.proxy import haproxy_binary
from bot.rasa_api import RasaClient
from tests.tickets.conftest import postgres_url  # noqa: F401 (pytest fixture)

pytestmark = pytest.mark.integration
MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
REDIS_TEST_DB = "redis://127.0.0.1:6379/7"  # not the one `make run-scaled` uses
AGENT_MESSAGES = 20


@pytest.fixture(scope="module")
def scaled(tmp_path_factory, postgres_url):  # noqa: F811 (the fixture imported above)
    if haproxy_binary() is None:
        pytest.fail("HAProxy is required for the scaled set-up test (apt-get install haproxy; .ci/run installs it)")
    try:
        with local_bot(
            MODEL, tmp_path_factory.mktemp("scaled"), scale=Scale(2, postgres_url, REDIS_TEST_DB)
        ) as running:
            yield running
    except BotStartError as error:
        pytest.fail(str(error))


async def _customer(url: str):
    # Long polling (aiohttp 3.9 is too old for python-socketio's websocket client):
    # every request goes straight to this one process, never through the proxy.
    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    heard: list[dict] = []

    @client.on("session_confirm")
    async def _confirm(data):
        if not confirmed.done():
            confirmed.set_result(data)

    @client.on("bot_uttered")
    async def _heard(data):
        heard.append(data)

    await client.connect(url, socketio_path="/socket.io", transports=["polling"])
    await client.emit("session_request", {"session_secret": None})
    return client, (await asyncio.wait_for(confirmed, 10))["session_id"], heard


async def _until(predicate, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not in time")


def test_agent_messages_through_the_other_process_reach_the_customer(scaled):
    first, second = scaled.rasa_urls
    other = RasaClient(second, scaled.rasa_token)

    async def scenario():
        customer, conversation, heard = await _customer(first)
        await customer.emit("user_uttered", {"message": "Mein Internet geht seit heute früh nicht mehr"})
        await _until(lambda: heard)
        before = len(heard)
        sent = [f"Nachricht {i} von Mia aus dem Kundenservice" for i in range(AGENT_MESSAGES)]
        for text in sent:
            await asyncio.to_thread(other.say, conversation, text, "Mia")
        await _until(lambda: len(heard) >= before + AGENT_MESSAGES)
        await asyncio.sleep(0.5)  # and nothing twice
        agent_lines = [h["text"] for h in heard[before:]]
        await customer.eio.disconnect(abort=True)
        return conversation, sent, agent_lines

    conversation, sent, agent_lines = asyncio.run(scenario())
    assert agent_lines == sent  # every one, once, in order
    # Both processes read the same conversation from PostgreSQL.
    for url in scaled.rasa_urls:
        tracker = RasaClient(url, scaled.rasa_token).conversation(conversation)
        assert sum(1 for line in tracker.lines if line.text in sent) == AGENT_MESSAGES


def test_a_conversation_spread_over_both_processes_by_the_proxy_loses_nothing(scaled):
    sender = "scaled-rest-customer"
    said = ["Mein Internet geht seit heute früh nicht mehr", "nein, auf keinem Gerät", "4711000001", "10115"]
    answers = [scaled.send(sender, text) for text in said]  # one at a time: the proxy alternates
    assert all(answers) and "Leitung geprüft" in " ".join(m.get("text") or "" for m in answers[-1])
    events = requests.get(
        f"{scaled.rasa_urls[1]}/conversations/{sender}/tracker", params={"token": scaled.rasa_token}, timeout=10
    ).json()["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == said
