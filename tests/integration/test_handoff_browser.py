"""Customer and agent in two real browser contexts (Playwright, Debian's Chromium).

The customer chats on the demo page and asks for a person; an agent logs into
the console, sees the chat with the bot's summary, takes it over, both write,
and the agent hands back to the bot. Also: two agents racing for one chat, and
HTML in messages shown as text on both sides.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from bot.handoff.agents import AgentDirectory
from bot.handoff.texts import daytime, load_handoff_texts
from bot.tickets.store import TicketStore

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser-geheim-42"
CLAIM_BUTTON = "'#waiting tr:last-child button.claim'"  # the newest waiting chat


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def agents(bot):
    directory = AgentDirectory(TicketStore(bot.tickets_url))
    for username, name in (("mia", "Mia"), ("tom", "Tom")):
        if directory.get(username) is None:
            directory.add(username, name, PASSWORD)
    return directory


def _customer(browser, bot):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(f"{bot.rasa_url}/webhooks/webchat/demo")
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    expect(page.locator(".msg.bot .bubble").first).to_contain_text("digitale Assistent")
    return context, page


def _say(page, text: str) -> None:
    page.get_by_label("Ihre Nachricht").fill(text)
    page.get_by_label("Ihre Nachricht").press("Enter")


def _agent(browser, bot, username: str):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(f"{bot.console_url}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Wartende Chats")).to_be_visible()
    return context, page


def _ask_for_a_person(browser, bot):
    texts = load_handoff_texts()
    context, page = _customer(browser, bot)
    _say(page, "Mein Internet geht seit heute früh nicht mehr")
    expect(page.get_by_role("button", name="Nein, auf keinem Gerät")).to_be_visible()
    _say(page, "Ich möchte bitte mit einem Menschen sprechen")
    expect(page.locator(".msg.bot .bubble").filter(has_text=texts.queued)).to_be_visible()
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("Bitte lassen Sie dieses Fenster offen")
    return context, page


def test_agent_takes_over_both_write_and_the_bot_answers_again(browser, bot, agents):
    texts = load_handoff_texts()
    agent_context, console = _agent(browser, bot, "mia")  # online before the customer asks
    customer_context, customer = _ask_for_a_person(browser, bot)

    _say(customer, "Hallo, ist da jemand?")  # waiting for a person: no "Assistent schreibt" ...
    expect(customer.locator(".msg.user .bubble").last).to_have_text("Hallo, ist da jemand?")
    expect(customer.locator(".typing")).to_be_hidden()

    row = console.locator("#waiting tr").last
    expect(row).to_contain_text("Internet")
    expect(row).to_contain_text("Wollte einen Menschen sprechen")
    row.get_by_role("link", name="Ansehen").click()
    expect(console.locator("#summary")).to_contain_text("Thema:")
    expect(console.locator("#transcript")).to_contain_text("Ich möchte bitte mit einem Menschen sprechen")
    expect(console.locator("#transcript")).to_contain_text("Hallo, ist da jemand?")  # written while waiting
    console.get_by_role("button", name="Chat übernehmen").click()
    expect(console.get_by_label("Ihre Antwort an die Kundin / den Kunden")).to_be_visible()

    joined = customer.locator(".msg.agent").filter(has_text=texts.joined("Mia"))
    expect(joined).to_be_visible()
    expect(joined.locator(".who .name")).to_have_text("Mia, Kundenservice")

    hostile = "<script>window.__pwned = 1</script><b>fett</b>"
    console.get_by_label("Ihre Antwort an die Kundin / den Kunden").fill("Guten Tag! " + hostile)
    console.get_by_role("button", name="Senden").click()
    expect(customer.locator(".msg.agent .bubble").last).to_have_text("Guten Tag! " + hostile)

    _say(customer, "Danke. <img src=x onerror=window.__pwned=2> Die Lampe blinkt rot.")
    expect(console.locator("#transcript .line.customer .text").last).to_have_text(
        "Danke. <img src=x onerror=window.__pwned=2> Die Lampe blinkt rot."
    )
    for page in (customer, console):
        assert page.evaluate("window.__pwned") is None
    assert console.locator("#transcript script, #transcript img, #transcript b").count() == 0
    assert customer.locator(".chat-log script, .chat-log img, .chat-log b").count() == 0

    customer.reload()  # the customer's chat survives a reload, and the agent still reaches it
    expect(customer.locator(".msg.agent .bubble").last).to_have_text("Guten Tag! " + hostile)
    console.get_by_label("Ihre Antwort an die Kundin / den Kunden").fill("Ich gebe Sie an den Assistenten zurück.")
    console.get_by_label("Ihre Antwort an die Kundin / den Kunden").press("Enter")
    expect(customer.locator(".msg.agent .bubble").last).to_have_text("Ich gebe Sie an den Assistenten zurück.")

    console.get_by_role("button", name="Zurück an den Bot").click()
    # The internet diagnosis was left open: the bot offers to go on there.
    offer = texts.handed_back_open.format(topic="Internet geht gar nicht")
    expect(customer.locator(".msg.bot .bubble").last).to_have_text(offer)
    expect(customer.get_by_role("button", name=texts.resume_yes)).to_be_visible()
    expect(console.locator("#chat-status")).to_contain_text("an den Bot zurückgegeben")
    _say(customer, "nein danke, das war alles")
    expect(customer.locator(".msg.bot .bubble").last).to_contain_text("Auf Wiedersehen")
    customer_context.close()
    agent_context.close()


def test_two_agents_racing_for_one_chat_only_one_gets_it(browser, bot, agents):
    first_context, first = _agent(browser, bot, "mia")
    second_context, second = _agent(browser, bot, "tom")
    customer_context, customer = _ask_for_a_person(browser, bot)
    for page in (first, second):  # the newest waiting chat is the last row
        expect(page.locator("#waiting tr").last.locator("button.claim")).to_be_visible()
    # Both click at the same moment (scheduled in both pages for one wall-clock time).
    at = int(time.time() * 1000) + 800
    for page in (first, second):
        page.evaluate(
            "at => setTimeout(() => document.querySelector(" + CLAIM_BUTTON + ").click(), at - Date.now())", at
        )
    winners, losers = [], []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(winners) + len(losers) < 2:
        winners = [p for p in (first, second) if re.search(r"/chats/\d+$", p.url)]
        losers = [p for p in (first, second) if p.locator("#notice.error").is_visible()]
        time.sleep(0.1)
    assert len(winners) == 1 and len(losers) == 1, (first.url, second.url)
    expect(losers[0].locator("#notice")).to_contain_text("übernommen")
    expect(winners[0].get_by_role("button", name="Chat beenden")).to_be_visible()
    expect(customer.locator(".msg.agent")).to_have_count(1)  # greeted once, by the winner

    winners[0].once("dialog", lambda dialog: dialog.accept())
    winners[0].get_by_role("button", name="Chat beenden").click()
    expect(customer.locator(".msg.bot .bubble").last).to_have_text(daytime(load_handoff_texts().closed_by_agent))
    for context in (first_context, second_context, customer_context):
        context.close()


def test_the_customer_can_stop_waiting_and_the_bot_is_back(browser, bot, agents):
    texts = load_handoff_texts()
    agent_context, console = _agent(browser, bot, "tom")
    customer_context, customer = _ask_for_a_person(browser, bot)
    expect(console.locator("#waiting tr")).not_to_have_count(0)
    waiting_before = console.locator("#waiting tr").count()
    customer.get_by_role("button", name=texts.leave_queue).click()
    expect(customer.locator(".msg.bot .bubble").last).to_have_text(texts.left_queue, timeout=10000)
    expect(console.locator("#waiting tr")).to_have_count(waiting_before - 1)  # gone from the queue
    _say(customer, "Mein Telefon geht nicht")
    # The bot answers again, and knows the internet is down too (said before): the line first.
    expect(customer.locator(".msg.bot .bubble").last).to_contain_text("Kundennummer")
    customer_context.close()
    agent_context.close()
