"""The website chat in a real browser (Playwright with Debian's Chromium).

The page, the widget and the socket.io client are served by the Rasa server
itself (bot.channels.webchat); the bot answers with the trained model.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, bot):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(f"{bot.rasa_url}/webhooks/webchat/demo")
    yield page
    context.close()


def _bot_messages(page):
    return page.locator(".msg.bot .bubble")


def test_customer_reports_a_problem_taps_an_answer_and_keeps_the_chat_on_reload(page):
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    expect(_bot_messages(page).first).to_contain_text("digitale Assistent")
    page.get_by_label("Ihre Nachricht").fill("Mein Internet geht seit heute früh nicht mehr")
    page.get_by_label("Ihre Nachricht").press("Enter")
    expect(page.get_by_role("button", name="Nein, auf keinem Gerät")).to_be_visible()
    page.get_by_role("button", name="Nein, auf keinem Gerät").click()
    expect(page.locator(".msg.user .bubble").last).to_have_text("Nein, auf keinem Gerät")
    expect(_bot_messages(page).last).to_contain_text("Kundennummer")  # line first
    count = _bot_messages(page).count()

    page.reload()
    expect(_bot_messages(page)).to_have_count(count)  # the transcript survived the reload
    page.get_by_label("Ihre Nachricht").fill("habe ich nicht")
    page.get_by_label("Ihre Nachricht").press("Enter")
    # Same conversation, the bot goes on: without the number, the home checks.
    expect(_bot_messages(page).last).to_contain_text("Router")


def test_html_in_messages_is_shown_as_text(page):
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    hostile = "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>"
    page.get_by_label("Ihre Nachricht").fill(hostile)
    page.get_by_label("Ihre Nachricht").press("Enter")
    expect(page.locator(".msg.user .bubble").last).to_have_text(hostile)
    expect(_bot_messages(page).last).to_be_visible()
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".chat-log script, .chat-log img").count() == 0


def test_keyboard_only_and_phone_width(browser, bot):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="de-DE")
    page = context.new_page()
    page.goto(f"{bot.rasa_url}/webhooks/webchat/demo")
    page.get_by_role("button", name="Hilfe-Chat öffnen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Ihre Nachricht")).to_be_focused()
    assert page.locator(".chat-panel").bounding_box()["width"] == 375  # full width on a phone
    page.keyboard.type("Telefon geht nicht")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Ja, das Internet geht")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Hilfe-Chat öffnen")).to_be_focused()
    context.close()
