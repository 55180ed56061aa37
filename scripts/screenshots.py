"""Screenshots for README (docs/screenshots/): the web chat on a desktop and on a
phone, waiting for a person, and the agent console with the chat taken over.

Runs the real stack (bot.devstack.local_bot) and Debian's Chromium:
    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from bot.devstack import local_bot
from bot.handoff.agents import AgentDirectory
from bot.paths import PROJECT_ROOT
from bot.tickets.store import TicketStore

OUT = PROJECT_ROOT / "docs" / "screenshots"
PASSWORD = "screenshot-geheim-1"


def _say(page, text: str) -> None:
    page.get_by_label("Ihre Nachricht").fill(text)
    page.get_by_label("Ihre Nachricht").press("Enter")


def _customer(browser, bot, **options):
    context = browser.new_context(locale="de-DE", **options)
    page = context.new_page()
    page.goto(f"{bot.rasa_url}/webhooks/webchat/demo")
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    expect(page.locator(".msg.bot .bubble").first).to_be_visible()
    _say(page, "Mein Internet geht seit heute früh nicht mehr")
    expect(page.get_by_role("button", name="Nein, auf keinem Gerät")).to_be_visible()
    return context, page


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    model = PROJECT_ROOT / "models" / "current.tar.gz"
    with tempfile.TemporaryDirectory() as work, local_bot(model, Path(work)) as bot, sync_playwright() as pw:
        AgentDirectory(TicketStore(bot.tickets_url)).add("mia", "Mia", PASSWORD)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        context, desktop = _customer(browser, bot, viewport={"width": 1100, "height": 760})
        desktop.screenshot(path=str(OUT / "widget-desktop.png"))
        context.close()

        agent_context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 860})
        console = agent_context.new_page()
        console.goto(f"{bot.console_url}/login")
        console.screenshot(path=str(OUT / "console-login.png"))
        console.get_by_label("Benutzername").fill("mia")
        console.get_by_label("Passwort").fill(PASSWORD)
        console.get_by_role("button", name="Anmelden").click()
        expect(console.get_by_role("heading", name="Wartende Chats")).to_be_visible()

        context, phone = _customer(browser, bot, viewport={"width": 390, "height": 844}, has_touch=True)
        phone.get_by_role("button", name="Nein, auf keinem Gerät").click()
        expect(phone.locator(".msg.bot .bubble").last).to_contain_text("Kundennummer")
        _say(phone, "Ich möchte lieber mit einem Menschen sprechen")
        expect(phone.locator(".queue-bar")).to_be_visible()
        time.sleep(0.5)
        phone.screenshot(path=str(OUT / "widget-phone-waiting.png"))

        expect(console.locator("#waiting tr").last).to_be_visible()
        time.sleep(1)
        console.screenshot(path=str(OUT / "console-queue.png"), full_page=True)
        console.locator("#waiting tr").last.get_by_role("link").first.click()
        console.get_by_role("button", name="Chat übernehmen").click()
        box = console.get_by_label("Ihre Antwort an die Kundin / den Kunden")
        expect(box).to_be_visible()
        box.fill("Ich sehe, Ihre Leitung hat ein Problem. Ich melde die Störung gleich für Sie.")
        box.press("Enter")
        expect(phone.locator(".msg.agent").last).to_contain_text("Ich melde die Störung")
        _say(phone, "Danke, das ist nett!")
        expect(console.locator("#transcript")).to_contain_text("Danke, das ist nett!")
        time.sleep(0.5)
        console.screenshot(path=str(OUT / "console-chat.png"), full_page=True)
        phone.screenshot(path=str(OUT / "widget-phone-agent.png"))
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(PROJECT_ROOT))


if __name__ == "__main__":
    main()
