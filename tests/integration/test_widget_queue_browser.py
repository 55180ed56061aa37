"""The web chat while a customer waits for a person, is served by one, and is back
with the bot (Playwright with Debian's Chromium; real Rasa, action server, console).

The agent acts through the console's HTTP API (tests/integration/test_console_browser.py
drives the console pages themselves).
"""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import expect, sync_playwright

from bot.devstack import ConsoleSession
from bot.diagnosis.engine import DiagnosisEngine
from bot.handoff.agents import AgentDirectory
from bot.handoff.models import HandoffStatus
from bot.handoff.queue import HandoffQueue
from bot.handoff.texts import load_handoff_texts
from bot.rasa_api import RasaClient
from bot.tickets.store import TicketStore

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "widget-geheim-42"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def agent(bot) -> ConsoleSession:
    username = f"w{uuid.uuid4().hex[:6]}"
    directory = AgentDirectory(TicketStore(bot.tickets_url))
    directory.add(username, "Mia", PASSWORD)
    return ConsoleSession(bot.console_url, username, PASSWORD)  # logged in: an agent is online


def _customer(browser, bot, **options):
    context = browser.new_context(locale="de-DE", **options)
    page = context.new_page()
    page.goto(f"{bot.rasa_url}/webhooks/webchat/demo")
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    expect(page.locator(".msg.bot .bubble").first).to_contain_text("digitale Assistent")
    return context, page


def _say(page, text: str) -> None:
    page.get_by_label("Ihre Nachricht").fill(text)
    page.get_by_label("Ihre Nachricht").press("Enter")


def _queued(page) -> None:
    _say(page, "Mein Internet geht seit heute früh nicht mehr")
    expect(page.get_by_role("button", name="Nein, auf keinem Gerät")).to_be_visible()
    page.get_by_role("button", name="Nein, auf keinem Gerät").click()
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("Kundennummer")
    _say(page, "Ich möchte bitte mit einem Menschen sprechen")
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("Bitte lassen Sie dieses Fenster offen")


def _conversation_id(page) -> str:
    secret = page.evaluate("JSON.parse(localStorage.getItem('stoerungschat.secret'))")
    from bot.channels.webchat import sender_for

    return sender_for(secret)


def _handoff(bot, conversation_id: str):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        handoff = HandoffQueue(TicketStore(bot.tickets_url)).open_for(conversation_id)
        if handoff is not None:
            return handoff
        time.sleep(0.2)
    raise AssertionError("the customer was not queued")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_way_out_of_the_queue_stays_after_other_messages_and_a_reload(browser, bot, agent, viewport):
    texts = load_handoff_texts()
    context, page = _customer(browser, bot, **({"viewport": viewport, "has_touch": True} if viewport else {}))
    _queued(page)
    leave = page.locator(".queue-bar").get_by_role("button", name=texts.leave_queue)
    expect(leave).to_be_visible()
    expect(page.locator(".chat-state")).to_contain_text("Sie warten auf unseren Kundenservice")
    expect(page.locator(".chat-state")).to_contain_text("etwa")
    expect(page.locator(".replies button")).to_have_count(0)  # not a button in the message flow

    _say(page, "Hallo? Ist da jemand?")  # answered by the queue watcher ...
    ack = texts.still_waiting_eta.split("{wait}")[0]
    expect(page.locator(".msg.bot .bubble").last).to_contain_text(ack, timeout=15000)
    expect(leave).to_be_visible()  # ... and the way out is still there
    page.reload()
    expect(leave).to_be_visible()
    expect(page.locator(".chat-state")).to_contain_text("Sie warten")
    box = leave.bounding_box()
    assert box["height"] >= 44 and box["y"] + box["height"] <= page.viewport_size["height"]

    leave.click()
    expect(page.locator(".msg.bot .bubble").last).to_have_text(texts.left_queue, timeout=15000)
    expect(page.locator(".queue-bar")).to_be_hidden()
    expect(page.locator(".chat-state")).to_have_text("Digitaler Assistent")
    assert HandoffQueue(TicketStore(bot.tickets_url)).open_for(_conversation_id(page)) is None
    _say(page, "ja")  # yes to "Kann ich sonst noch etwas für Sie tun?"
    expect(page.get_by_role("button", name="Telefon geht nicht")).to_be_visible()  # the topics, not "durcheinander"
    expect(page.locator(".msg.bot .bubble").filter(has_text="durcheinandergekommen")).to_have_count(0)
    context.close()


def test_with_an_agent_the_header_says_who_writes_and_shows_the_agent_typing(browser, bot, agent):
    context, page = _customer(browser, bot)
    _queued(page)
    conversation_id = _conversation_id(page)
    handoff = _handoff(bot, conversation_id)
    page.get_by_role("button", name="Chat schließen").click()  # closed while waiting ...
    assert agent.post(f"/api/chats/{handoff.id}/claim").ok
    # ... the agent's greeting shows on the open button and in the tab title.
    expect(page.get_by_role("button", name="Hilfe-Chat öffnen (1 neue Nachricht)")).to_be_visible()
    assert page.title().startswith("(1) ")
    page.get_by_role("button", name="Hilfe-Chat öffnen (1 neue Nachricht)").click()
    assert not page.title().startswith("(")
    expect(page.locator(".msg.agent")).to_have_count(1)
    expect(page.locator(".chat-state")).to_have_text("Sie schreiben mit Mia, Kundenservice")
    expect(page.locator(".queue-bar")).to_be_hidden()
    RasaClient(bot.rasa_url, bot.rasa_token).agent_typing(conversation_id, "Mia")
    expect(page.locator(".typing")).to_have_text("Mia schreibt …")
    assert agent.post(f"/api/chats/{handoff.id}/reply", {"text": "Ich sehe mir das an."}).ok
    expect(page.locator(".msg.agent .bubble").last).to_have_text("Ich sehe mir das an.")
    expect(page.locator(".typing")).to_be_hidden()
    page.reload()
    expect(page.locator(".chat-state")).to_have_text("Sie schreiben mit Mia, Kundenservice")
    assert agent.post(f"/api/chats/{handoff.id}/handback").ok
    expect(page.locator(".chat-state")).to_have_text("Digitaler Assistent")
    context.close()


def _handed_back(browser, bot, agent):
    texts = load_handoff_texts()
    context, page = _customer(browser, bot)
    _queued(page)
    handoff = _handoff(bot, _conversation_id(page))
    assert agent.post(f"/api/chats/{handoff.id}/claim").ok
    assert agent.post(f"/api/chats/{handoff.id}/handback").ok
    # The internet diagnosis was left open at the line check: go on there?
    offer = texts.handed_back_open.format(topic="Internet geht gar nicht")
    expect(page.locator(".msg.bot .bubble").last).to_have_text(offer)
    expect(page.locator(".chat-state")).to_have_text("Digitaler Assistent")
    return context, page, handoff


def test_yes_after_a_handback_goes_on_with_the_open_diagnosis(browser, bot, agent):
    texts = load_handoff_texts()
    context, page, _ = _handed_back(browser, bot, agent)
    asked = page.locator(".msg.bot .bubble").filter(has_text="Kundennummer").count()
    page.get_by_role("button", name=texts.resume_yes).click()
    expect(page.locator(".msg.bot .bubble").filter(has_text="Dann machen wir weiter")).to_be_visible()
    expect(page.locator(".msg.bot .bubble").filter(has_text="Kundennummer")).to_have_count(asked + 1)
    _say(page, "4711000001 10115")  # and the diagnosis really goes on: the line check
    expect(page.locator(".msg.bot .bubble").filter(has_text="Leitung geprüft").last).to_be_visible(timeout=15000)
    context.close()


def test_yes_with_another_problem_after_a_handback_goes_on_from_what_was_found(browser, bot, agent):
    context, page, handoff = _handed_back(browser, bot, agent)
    _say(page, "ja, das Telefon geht auch nicht")
    # The internet is down everywhere (said before the handoff): the phone goes
    # straight on with the line, as the internet diagnosis did.
    line_first = DiagnosisEngine.load().tree("phone_down").nodes["line_check_internet"].text
    expect(page.locator(".msg.bot .bubble").filter(has_text=line_first[:40])).to_be_visible()
    asked = page.locator(".msg.bot .bubble").filter(has_text="Funktioniert Ihr Internet gerade")
    assert asked.count() == 0
    assert page.locator(".msg.bot .bubble").filter(has_text="durcheinandergekommen").count() == 0
    assert HandoffQueue(TicketStore(bot.tickets_url)).get(handoff.id).status is HandoffStatus.RETURNED
    context.close()
