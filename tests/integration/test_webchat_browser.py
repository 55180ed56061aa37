"""The website chat in a real browser (Playwright with Debian's Chromium).

The page, the widget and the socket.io client are served by the Rasa server
itself (bot.channels.webchat); the bot answers with the trained model.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from bot.handoff.queue import ServiceHours
from tests.integration.axe import serious_violations

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


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


def _open_and_ask(page):
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    expect(_bot_messages(page).first).to_contain_text("digitale Assistent")
    for _ in range(6):  # enough messages that the log has to scroll
        page.get_by_label("Ihre Nachricht").fill("Mein Internet geht seit heute früh nicht mehr")
        page.get_by_label("Ihre Nachricht").press("Enter")
        expect(page.get_by_role("button", name="Nein, auf keinem Gerät")).to_be_visible()


def _scrolled_to_the_end(page) -> bool:
    return page.evaluate(
        "() => { const log = document.querySelector('.chat-log');"
        " return log.scrollHeight > log.clientHeight && log.scrollTop + log.clientHeight >= log.scrollHeight - 2; }"
    )


def test_after_a_reload_the_chat_opens_at_the_latest_message_with_its_answer_buttons(page):
    _open_and_ask(page)
    assert _scrolled_to_the_end(page)
    page.reload()
    expect(page.get_by_role("button", name="Nein, auf keinem Gerät")).to_be_visible()  # the buttons are back
    assert _scrolled_to_the_end(page)  # not at the greeting
    expect(page.locator(".msg .who time").first).to_have_text(re.compile(r"^\d\d:\d\d$"))  # message times
    # Closed and opened again: still at the end.
    page.get_by_role("button", name="Chat schließen").click()
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    assert _scrolled_to_the_end(page)


def test_keyboard_tab_from_the_input_reaches_the_answers_and_enter_keeps_the_focus_in_the_chat(page):
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    page.get_by_label("Ihre Nachricht").fill("Telefon geht nicht")
    page.get_by_label("Ihre Nachricht").press("Enter")
    answer = page.get_by_role("button", name="Ja, das Internet geht")
    expect(answer).to_be_visible()
    page.get_by_label("Ihre Nachricht").focus()
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Ja, das Internet geht":
            break
    expect(answer).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".msg.user .bubble").last).to_have_text("Ja, das Internet geht")
    expect(page.get_by_label("Ihre Nachricht")).to_be_focused()  # not <body>
    assert page.evaluate("document.activeElement !== document.body")


def test_targets_labels_and_names_for_older_eyes_fingers_and_screen_readers(page):
    opener = page.get_by_role("button", name="Hilfe-Chat öffnen")
    expect(opener).to_have_attribute("aria-expanded", "false")
    opener.click()
    page.get_by_label("Ihre Nachricht").fill("Telefon geht nicht")
    page.get_by_label("Ihre Nachricht").press("Enter")
    expect(page.get_by_role("button", name="Ja, das Internet geht")).to_be_visible()
    for target in page.locator(".replies button, .chat-head button, .chat-form button, .chat-form input").all():
        assert target.bounding_box()["height"] >= 44, target.text_content()
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('.msg .who, .replies button, .chat-state, .chat-head button')]"
        ".map(n => parseFloat(getComputedStyle(n).fontSize))"
    )
    assert min(sizes) >= 14
    assert page.get_by_role("button", name="Chat schließen").is_visible()  # not "Schließen ✕"
    assert page.locator(".chat-log ol > li.msg").count() >= 2  # messages are a list
    expect(page.get_by_role("log")).to_be_visible()
    # Focus rings: 3:1 or more against what is behind them (WCAG 1.4.11).
    page.get_by_role("button", name="Ja, das Internet geht").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    assert ring in ("rgb(27, 27, 27)",), ring


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_demo_page_and_the_open_widget_have_no_serious_accessibility_violations(browser, bot, viewport):
    context = browser.new_context(locale="de-DE", **({"viewport": viewport} if viewport else {}))
    page = context.new_page()
    page.goto(f"{bot.rasa_url}/webhooks/webchat/demo")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    page.get_by_label("Ihre Nachricht").fill("Telefon geht nicht")
    page.get_by_label("Ihre Nachricht").press("Enter")
    expect(page.get_by_role("button", name="Ja, das Internet geht")).to_be_visible()
    assert serious_violations(page) == []
    if viewport:
        box = page.locator(".chat-form").bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"]  # the input is on screen
    context.close()


def test_the_demo_page_tells_the_service_hours_the_bot_uses(page):
    expect(page.locator("#kontakt + p")).to_contain_text(ServiceHours.load().describe(long=True))
    assert "{{" not in page.content()


def test_a_customer_on_a_shared_computer_can_clear_the_stored_chat(page):
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    page.get_by_label("Ihre Nachricht").fill("Mein Telefon geht nicht, Kundennummer 4711000001")
    page.get_by_label("Ihre Nachricht").press("Enter")
    expect(page.get_by_role("button", name="Ja, das Internet geht")).to_be_visible()
    secret = page.evaluate("localStorage.getItem('stoerungschat.secret')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Verlauf löschen").click()
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(_bot_messages(page).first).to_contain_text("digitale Assistent")  # a new conversation
    expect(page.get_by_role("button", name="Telefon geht nicht")).to_be_visible()
    page.wait_for_function(
        "old => { const now = localStorage.getItem('stoerungschat.secret'); return now && now !== old; }", arg=secret
    )
    page.reload()
    expect(page.locator(".msg.user")).to_have_count(0)
    assert "4711000001" not in page.evaluate("JSON.stringify(localStorage)")


def test_the_accessibility_check_does_find_violations(page):
    # The check itself must be able to fail: an image button without a name is one.
    page.evaluate("() => { const b = document.createElement('button'); b.innerHTML = '<svg></svg>';"
                  " document.body.appendChild(b); }")
    assert any(v.startswith("button-name") for v in serious_violations(page))


def test_several_answers_at_once_keep_the_first_in_view(page):
    page.get_by_role("button", name="Hilfe-Chat öffnen").click()
    page.get_by_label("Ihre Nachricht").fill("Mein Internet geht seit heute früh nicht mehr")
    page.get_by_label("Ihre Nachricht").press("Enter")
    page.get_by_role("button", name="Nein, auf keinem Gerät").click()
    expect(_bot_messages(page).last).to_contain_text("Kundennummer")
    page.get_by_label("Ihre Nachricht").fill("4711000001 10115")  # the healthy demo line
    page.get_by_label("Ihre Nachricht").press("Enter")
    result = _bot_messages(page).filter(has_text="Ich habe Ihre Leitung geprüft")
    expect(result).to_be_visible(timeout=15000)
    page.wait_for_timeout(1500)  # the questions after it have arrived
    expect(result).to_be_in_viewport()  # the line check's result, not only the last question
