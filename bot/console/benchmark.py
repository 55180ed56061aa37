"""Handoff latency benchmark (`make bench`): real Rasa, action server, console, SQLite.

A customer on the website chat (a socket.io client, as the widget) asks for a
person; an agent logged into the console takes over. Measured:
- ask -> queued: from the customer's message to the bot's "Sie sind ... an der Reihe";
- agent -> customer: from the agent's reply (console API) to its arrival in the
  customer's socket;
- customer -> agent: from the customer's message to its appearance in the
  console's chat API. The console page polls every 1.5 s on top of that.
- takeover and handback: console API call to the customer's socket message.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import socketio

from bot.devstack import ConsoleSession, local_bot
from bot.handoff.agents import AgentDirectory
from bot.handoff.queue import HandoffQueue
from bot.handoff.texts import load_handoff_texts
from bot.paths import PROJECT_ROOT
from bot.tickets.store import TicketStore

PASSWORD = "benchmark-passwort"


class Customer:
    """The website widget's side of the socket.io protocol."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session_id = uuid.uuid4().hex
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue = asyncio.Queue()

    async def connect(self) -> None:
        confirmed = asyncio.Event()
        self.client.on("session_confirm", lambda *_: confirmed.set())
        self.client.on("bot_uttered", lambda message: self.inbox.put_nowait((time.perf_counter(), message)))
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["websocket"])
        await self.client.emit("session_request", {"session_id": self.session_id})
        await asyncio.wait_for(confirmed.wait(), 10)

    async def say(self, text: str) -> float:
        started = time.perf_counter()
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        return started

    async def until(self, predicate, timeout: float = 20.0) -> tuple[float, dict]:
        deadline = time.perf_counter() + timeout
        while True:
            at, message = await asyncio.wait_for(self.inbox.get(), max(0.01, deadline - time.perf_counter()))
            if predicate(message):
                return at, message


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, n={len(ordered)}"


async def _run(rounds: int, bot) -> dict[str, list[float]]:
    texts = load_handoff_texts()
    store = TicketStore(bot.tickets_url)
    directory = AgentDirectory(store)
    if directory.get("bench") is None:
        directory.add("bench", "Bea", PASSWORD)
    agent = ConsoleSession(bot.console_url, "bench", PASSWORD)
    queue = HandoffQueue(store)
    results: dict[str, list[float]] = {
        k: [] for k in ("queued", "takeover", "agent_to_customer", "customer_to_agent", "handback")
    }
    for _ in range(rounds):
        customer = Customer(bot.rasa_url)
        await customer.connect()
        started = await customer.say("Ich möchte bitte mit einem Menschen sprechen")
        at, _ = await customer.until(
            lambda m: "an der Reihe" in (m.get("text") or "") or "Vor Ihnen" in (m.get("text") or "")
        )
        results["queued"].append(at - started)
        handoff = queue.open_for(customer.session_id)
        started = time.perf_counter()
        await asyncio.to_thread(agent.post, f"/api/chats/{handoff.id}/claim")
        at, _ = await customer.until(lambda m: (m.get("metadata") or {}).get("sender_name"))
        results["takeover"].append(at - started)
        for n in range(5):
            started = time.perf_counter()
            reply = f"Antwort {n} {uuid.uuid4().hex[:6]}"
            await asyncio.to_thread(agent.post, f"/api/chats/{handoff.id}/reply", {"text": reply})
            at, _ = await customer.until(lambda m, reply=reply: m.get("text") == reply)
            results["agent_to_customer"].append(at - started)
            question = f"Frage {n} {uuid.uuid4().hex[:6]}"
            started = await customer.say(question)
            while True:
                chat = (await asyncio.to_thread(agent.get, f"/api/chats/{handoff.id}")).json()
                if any(line["text"] == question for line in chat["lines"]):
                    results["customer_to_agent"].append(time.perf_counter() - started)
                    break
                await asyncio.sleep(0.02)
        started = time.perf_counter()
        await asyncio.to_thread(agent.post, f"/api/chats/{handoff.id}/handback")
        at, _ = await customer.until(lambda m: m.get("text") == texts.handed_back)
        results["handback"].append(at - started)
        await customer.client.disconnect()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--max-p95-ms", type=float, default=2000, help="fail above this for both directions")
    args = parser.parse_args(argv)
    model = PROJECT_ROOT / "models" / "current.tar.gz"
    with tempfile.TemporaryDirectory() as work, local_bot(model, Path(work)) as bot:
        results = asyncio.run(_run(args.rounds, bot))
    labels = {
        "queued": "ask for a person -> queued answer",
        "takeover": "agent takes over -> greeting in the chat",
        "agent_to_customer": "agent reply -> customer's socket",
        "customer_to_agent": "customer message -> console API (page polls +1.5 s)",
        "handback": "hand back -> bot asks 'anything else?'",
    }
    print("Handoff latency (real Rasa, action server, console, socket.io client):")
    for key, label in labels.items():
        print(f"  {label:55} {_ms(results[key])}")
    worst = max(
        sorted(results[k])[round(0.95 * (len(results[k]) - 1))] for k in ("agent_to_customer", "customer_to_agent")
    )
    if worst * 1000 > args.max_p95_ms:
        print(f"FAIL: p95 {worst * 1000:.0f} ms > {args.max_p95_ms:.0f} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
