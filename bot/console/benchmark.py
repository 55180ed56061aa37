"""Handoff latency benchmark (`make bench`): real Rasa, action server, console, SQLite.

A customer on the website chat (the real widget in Chromium) asks for a
person; an agent in the real console page (Chromium too) takes over. Measured,
always as what the other side's page shows:
- ask -> queued: from the customer's message to the bot's "Sie sind ... an der Reihe";
- agent -> customer: from the agent pressing Enter in the console's reply box to
  the message in the customer's widget;
- customer -> agent: from the customer pressing Enter to the line in the agent's
  chat page (pushed as server-sent events, bot/console/live.py);
- takeover and handback: console API call to the message in the widget.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

from bot.channels.webchat import sender_for
from bot.devstack import ConsoleSession, local_bot
from bot.handoff.agents import AgentDirectory
from bot.handoff.queue import HandoffQueue
from bot.handoff.texts import load_handoff_texts
from bot.paths import PROJECT_ROOT
from bot.tickets.store import TicketStore

PASSWORD = "benchmark-passwort"
# A line of the console's transcript (static/console.js) with exactly this text.
AGENT_SEES = "t => [...document.querySelectorAll('#transcript .line.customer .text')].some(e => e.textContent === t)"


class Customer:
    """The real website widget in Chromium (as in the browser tests)."""

    def __init__(self, browser, url: str) -> None:
        self.context = browser.new_context(locale="de-DE")
        self.page = self.context.new_page()
        self.page.goto(f"{url}/webhooks/webchat/demo")
        self.page.get_by_role("button", name="Hilfe-Chat öffnen").click()
        self.page.locator(".msg.bot .bubble").first.wait_for()
        secret = self.page.evaluate("() => JSON.parse(localStorage.getItem('stoerungschat.secret'))")
        self.session_id = sender_for(secret)

    def say(self, text: str) -> float:
        box = self.page.get_by_label("Ihre Nachricht")
        box.fill(text)
        started = time.perf_counter()
        box.press("Enter")
        return started

    def until_text(self, text: str, timeout_ms: float = 20000) -> float:
        self.page.wait_for_function(
            "t => [...document.querySelectorAll('.msg .bubble')].some(b => b.textContent.includes(t))",
            arg=text,
            timeout=timeout_ms,
            polling=10,
        )
        return time.perf_counter()


class AgentPage:
    """The agent's console chat page in Chromium."""

    def __init__(self, browser, url: str, username: str) -> None:
        self.url = url
        self.context = browser.new_context(locale="de-DE")
        self.page = self.context.new_page()
        self.page.goto(f"{url}/login")
        self.page.get_by_label("Benutzername").fill(username)
        self.page.get_by_label("Passwort").fill(PASSWORD)
        self.page.get_by_role("button", name="Anmelden").click()
        self.page.get_by_role("heading", name="Wartende Chats").wait_for()

    def open(self, handoff_id: int) -> None:
        self.page.goto(f"{self.url}/chats/{handoff_id}")
        self.page.get_by_label("Ihre Antwort an die Kundin / den Kunden").wait_for()

    def reply(self, text: str) -> float:
        box = self.page.get_by_label("Ihre Antwort an die Kundin / den Kunden")
        box.fill(text)
        started = time.perf_counter()
        box.press("Enter")
        return started

    def until_line(self, text: str, timeout_ms: float = 20000) -> float:
        self.page.wait_for_function(AGENT_SEES, arg=text, timeout=timeout_ms, polling="raf")
        return time.perf_counter()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _ms(values: list[float]) -> str:
    return f"p50 {statistics.median(values) * 1000:.0f} ms, p95 {_p95(values) * 1000:.0f} ms, n={len(values)}"


def _run(rounds: int, bot, browser) -> dict[str, list[float]]:
    texts = load_handoff_texts()
    store = TicketStore(bot.tickets_url)
    directory = AgentDirectory(store)
    if directory.get("bench") is None:
        directory.add("bench", "Bea", PASSWORD)
    agent = ConsoleSession(bot.console_url, "bench", PASSWORD)
    page = AgentPage(browser, bot.console_url, "bench")
    queue = HandoffQueue(store)
    results: dict[str, list[float]] = {k: [] for k in LABELS}
    for _ in range(rounds):
        customer = Customer(browser, bot.rasa_url)
        started = customer.say("Ich möchte bitte mit einem Menschen sprechen")
        results["queued"].append(customer.until_text("Bitte lassen Sie dieses Fenster offen") - started)
        handoff = queue.open_for(customer.session_id)
        started = time.perf_counter()
        agent.post(f"/api/chats/{handoff.id}/claim").raise_for_status()
        results["takeover"].append(customer.until_text("hier ist Bea") - started)
        page.open(handoff.id)
        for n in range(5):
            reply = f"Antwort {n} {uuid.uuid4().hex[:6]}"
            started = page.reply(reply)
            results["agent_to_customer"].append(customer.until_text(reply) - started)
            question = f"Frage {n} {uuid.uuid4().hex[:6]}"
            started = customer.say(question)
            results["customer_to_agent"].append(page.until_line(question) - started)
        started = time.perf_counter()
        agent.post(f"/api/chats/{handoff.id}/handback").raise_for_status()
        results["handback"].append(customer.until_text(texts.handed_back) - started)
        customer.context.close()
    page.context.close()
    return results


LABELS = {
    "queued": "ask for a person -> position shown in the widget",
    "takeover": "agent takes over -> greeting shown in the widget",
    "agent_to_customer": "agent presses Enter in the console -> shown in the widget",
    "customer_to_agent": "customer presses Enter -> shown in the agent's console page",
    "handback": "hand back -> bot's 'anything else?' in the widget",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument(
        "--max-p95-ms", type=float, default=300,
        help="fail when the p95 of either direction (customer <-> agent, as each page shows it) is above this",
    )
    args = parser.parse_args(argv)
    model = PROJECT_ROOT / "models" / "current.tar.gz"
    with tempfile.TemporaryDirectory() as work, local_bot(model, Path(work)) as bot, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        results = _run(args.rounds, bot, browser)
        browser.close()
    print("Handoff latency (real Rasa, action server, console; customer widget and console page in Chromium):")
    for key, label in LABELS.items():
        print(f"  {label:62} {_ms(results[key])}")
    to_customer = _p95(results["agent_to_customer"])
    to_agent = _p95(results["customer_to_agent"])
    if max(to_customer, to_agent) * 1000 > args.max_p95_ms:
        print(f"FAIL: above {args.max_p95_ms:.0f} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
