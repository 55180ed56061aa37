"""The agent console in the browser (Playwright, Debian's Chromium), against the
real Rasa server, action server, console and SQLite database.

What an agent sees and can do: the label of a button the customer tapped, the
greeting that went out automatically at the takeover, focus that stays on
"Übernehmen" while the queue updates, transcript lines added in place, the reply
box focused after a takeover, the customer's first words in the queue, an alert
(title and beep, sound switchable) for a new chat, on the queue and inside a
chat, customer messages pushed to
the page (and a fallback poll when the stream is blocked), the typing signal,
the plain login hint, and accessibility (axe-core, 44 px targets, 14 px text,
3:1 focus rings).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from bot.devstack import ConsoleSession
from bot.handoff.agents import AgentDirectory
from bot.handoff.models import HandoffStatus
from bot.handoff.queue import HandoffQueue
from bot.handoff.texts import load_handoff_texts
from bot.tickets.store import TicketStore
from tests.integration.axe import serious_violations

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "konsole-geheim-42"
NEW_TITLE = "(1) Neue Anfrage – Kundenservice-Konsole"
# Counts the beeps the page plays (two oscillators each) without changing the page.
COUNT_BEEPS = """
window.__oscillators = 0;
for (const C of [window.AudioContext, window.webkitAudioContext]) {
  if (!C || C.prototype.__counted) continue;
  const original = C.prototype.createOscillator;
  C.prototype.createOscillator = function () { window.__oscillators += 1; return original.call(this); };
  C.prototype.__counted = true;
}
"""
SIZES = """() => {
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
    && getComputedStyle(e).visibility !== 'hidden' && !e.closest('[hidden]') && !e.closest('.visually-hidden'); };
  const small = [];
  for (const e of document.querySelectorAll('button, a, input:not([type=hidden]), select, textarea')) {
    if (!visible(e)) continue;
    const target = e.type === 'checkbox' ? e.closest('label') : e;
    const h = target.getBoundingClientRect().height;
    if (h < 44) small.push(`${e.tagName} "${(e.textContent || e.id).trim().slice(0, 30)}" ${h.toFixed(0)} px tall`);
  }
  for (const e of document.querySelectorAll('body *')) {
    if (!visible(e) || ['SCRIPT', 'STYLE'].includes(e.tagName)) continue;
    const ownText = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (ownText && size < 14) small.push(`${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${size} px`);
  }
  return small;
}"""
FOCUS_RING = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b]
    .map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const inside = parseFloat(style.outlineOffset) < 0;
  let background = [255, 255, 255];
  for (let n = inside ? e : e.parentElement; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) { background = c; break; }
  }
  const a = lum(rgb(style.outlineColor)), b = lum(background);
  return { name: `${e.tagName} "${(e.textContent || e.id || '').trim().slice(0, 30)}"`, style: style.outlineStyle,
           width: parseFloat(style.outlineWidth), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
}"""


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def agents(bot):
    directory = AgentDirectory(TicketStore(bot.tickets_url))
    for username, name in (("konsole-lea", "Lea"), ("konsole-ben", "Ben")):
        if directory.get(username) is None:
            directory.add(username, name, PASSWORD)
    return directory


@pytest.fixture(autouse=True)
def nobody_left_waiting(bot):
    """Chats a test leaves in the queue are taken out afterwards (the stack is
    shared: other tests expect their own chat to be the newest one waiting)."""
    queue = HandoffQueue(TicketStore(bot.tickets_url))
    before = {h.id for h in queue.listing((HandoffStatus.WAITING,))}
    yield
    for handoff in queue.listing((HandoffStatus.WAITING,)):
        if handoff.id not in before:
            queue.abandon(handoff.id, "test", "test finished")


# -- helpers ----------------------------------------------------------------------------


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


def _queue_after_a_tap(page) -> None:
    """Typed first words, a tap on an answer button, then the wish for a person."""
    _say(page, "Mein Internet geht seit heute früh nicht mehr")
    page.get_by_role("button", name="Nein, auf keinem Gerät").click()
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("Kundennummer")
    _say(page, "Ich möchte bitte mit einem Menschen sprechen")
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("Bitte lassen Sie dieses Fenster offen")


def _queue_at_once(page) -> None:
    _say(page, "Ich möchte bitte mit einem Menschen sprechen")
    expect(page.locator(".msg.bot .bubble").last).to_contain_text("Bitte lassen Sie dieses Fenster offen")


def _agent(browser, bot, username: str, **context_options):
    context = browser.new_context(locale="de-DE", **context_options)
    context.add_init_script(COUNT_BEEPS)
    page = context.new_page()
    page.goto(f"{bot.console_url}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Wartende Chats")).to_be_visible()
    expect(page.locator("#status-line")).to_contain_text("wartend")
    return context, page


def _handoff_of(bot, customer):
    """The customer's handoff, from the conversation id their widget's secret stands for."""
    from bot.channels.webchat import sender_for

    secret = customer.evaluate("JSON.parse(localStorage.getItem('stoerungschat.secret'))")
    handoff = HandoffQueue(TicketStore(bot.tickets_url)).open_for(sender_for(secret))
    assert handoff is not None
    return handoff


def _row(console, bot, customer):
    """This customer's row in the waiting list (earlier tests leave chats waiting)."""
    return console.locator(f'#waiting tr[data-handoff="{_handoff_of(bot, customer).id}"]')


def _check_sizes(page) -> None:
    assert page.evaluate(SIZES) == []


def _check_focus_rings(page, steps: int = 25) -> None:
    page.locator("body").focus()
    problems, seen = [], set()
    for _ in range(steps):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring["name"] in seen:
            continue
        seen.add(ring["name"])
        if ring["name"].startswith("BODY"):
            continue
        if ring["style"] == "none" or ring["width"] < 2 or ring["ratio"] < 3:
            problems.append(ring)
    assert len(seen) > 2
    assert problems == []


def _axe(page) -> None:
    assert serious_violations(page) == []


# -- tests ------------------------------------------------------------------------------


def test_login_page_speaks_to_agents_and_is_accessible(browser, bot, agents):
    context = browser.new_context(locale="de-DE", bypass_csp=True)  # axe is injected as a script tag
    page = context.new_page()
    page.goto(f"{bot.console_url}/login")
    expect(page.locator(".hint")).to_have_text("Noch kein Konto? Ihre Teamleitung richtet es ein.")
    assert "python" not in page.content() and "add-agent" not in page.content()
    _axe(page)
    _check_sizes(page)
    _check_focus_rings(page, 6)
    context.close()


def test_a_new_chat_alerts_once_shows_its_first_words_and_focus_stays_on_the_row(browser, bot, agents):
    agent_context, console = _agent(browser, bot, "konsole-lea", bypass_csp=True)
    customer_context, customer = _customer(browser, bot)
    _queue_after_a_tap(customer)

    row = _row(console, bot, customer)
    expect(row.locator(".first-words")).to_have_text("Mein Internet geht seit heute früh nicht mehr")
    expect(row.locator(".reason")).to_have_text("Wollte einen Menschen sprechen")
    expect(console).to_have_title(NEW_TITLE)
    assert console.evaluate("window.__oscillators") >= 1  # the beep

    # Keyboard focus on "Übernehmen" survives several queue updates (1.5 s each).
    claim = row.locator("button.claim")
    claim.evaluate("b => { b.dataset.mark = 'kept'; b.closest('tr').dataset.mark = 'kept'; b.focus(); }")
    time.sleep(4)
    assert console.evaluate("document.activeElement.dataset.mark") == "kept"
    assert row.evaluate("tr => tr.dataset.mark") == "kept"  # the same row, updated in place
    expect(console.locator("#waiting tr[data-mark=kept]")).to_have_count(1)

    _axe(console)
    _check_sizes(console)
    _check_focus_rings(console)

    console.keyboard.press("Shift+Tab")  # the agent is back: the title is plain again
    expect(console).to_have_title("Kundenservice-Konsole")
    console.reload()  # chats already seen do not alert again
    expect(console.locator("#waiting tr").filter(has_text="Mein Internet geht seit")).not_to_have_count(0)
    time.sleep(2)
    expect(console).to_have_title("Kundenservice-Konsole")
    assert console.evaluate("window.__oscillators") == 0

    # The sound can be switched off; the page remembers it.
    toggle = console.get_by_label("Ton bei neuer Anfrage")
    expect(toggle).to_be_checked()
    toggle.uncheck()
    console.reload()
    expect(console.get_by_label("Ton bei neuer Anfrage")).not_to_be_checked()
    second_context, second = _customer(browser, bot)
    _queue_at_once(second)
    words = _row(console, bot, second).locator(".first-words")
    expect(words).to_have_text("Ich möchte bitte mit einem Menschen sprechen")
    expect(console).to_have_title(NEW_TITLE)
    assert console.evaluate("window.__oscillators") == 0  # a new chat, but no sound
    for context in (second_context, customer_context, agent_context):
        context.close()


def test_takeover_focus_greeting_tapped_label_push_and_typing(browser, bot, agents):
    texts = load_handoff_texts()
    agent_context, console = _agent(browser, bot, "konsole-ben", bypass_csp=True)
    customer_context, customer = _customer(browser, bot)
    _queue_after_a_tap(customer)

    _row(console, bot, customer).locator("button.claim").click()
    expect(console).to_have_url(re.compile(r"/chats/\d+$"))
    reply = console.get_by_label("Ihre Antwort an die Kundin / den Kunden")
    expect(reply).to_be_focused()  # straight to writing

    greeting = texts.joined("Ben")
    auto = console.locator("#transcript .line.agent.auto")
    expect(auto).to_have_count(1)
    expect(auto.locator(".text")).to_have_text(greeting)
    expect(auto.locator(".meta")).to_contain_text("automatisch gesendet")
    expect(console.locator("#auto-greeting")).to_be_visible()
    expect(console.locator("#auto-greeting")).to_contain_text(greeting)

    tapped = console.locator("#transcript .line.customer.action").filter(has_text="Nein, auf keinem Gerät")
    expect(tapped).to_have_count(1)
    expect(tapped.locator(".meta")).to_contain_text("hat auf einen Knopf gedrückt")
    expect(console.locator("#transcript")).not_to_contain_text("inform")

    # A customer message arrives by the stream: no poll, fast, and only appended.
    console.locator("#transcript li").evaluate_all("items => items.forEach(li => li.dataset.mark = 'old')")
    before = console.locator("#transcript li").count()
    polls = []
    console.on("request", lambda r: polls.append(r.url) if re.search(r"/api/chats/\d+$", r.url) else None)
    started = time.monotonic()
    _say(customer, "Die Lampe blinkt jetzt orange")
    expect(console.locator("#transcript .line.customer .text").last).to_have_text("Die Lampe blinkt jetzt orange")
    assert time.monotonic() - started < 1.5
    assert polls == []
    expect(console.locator("#transcript li")).to_have_count(before + 1)
    expect(console.locator("#transcript li[data-mark=old]")).to_have_count(before)  # nothing rebuilt

    # Typing: at most one signal every 3 s, and the customer sees "Ben schreibt …".
    signals = []
    console.on("request", lambda r: signals.append(time.monotonic()) if r.url.endswith("/typing") else None)
    for char in "Haben Sie":
        reply.press_sequentially(char)
        time.sleep(0.3)
    expect(customer.locator(".typing")).to_contain_text("Ben")
    expect(customer.locator(".typing")).to_contain_text("schreibt …")
    time.sleep(0.6)
    reply.press_sequentially(" den Router neu gestartet?", delay=100)
    assert 2 <= len(signals) <= 3
    assert all(b - a >= 2.9 for a, b in zip(signals, signals[1:], strict=False))

    _axe(console)
    _check_sizes(console)
    _check_focus_rings(console, 30)

    reply.press("Enter")
    expect(customer.locator(".msg.agent .bubble").last).to_have_text("Haben Sie den Router neu gestartet?")
    expect(console.locator("#auto-greeting")).to_be_hidden()  # the agent has written now
    expect(console.locator("#transcript .line.agent.auto")).to_have_count(1)

    # Inside a chat, a new request is not missed: title, beep, and a link to the queue.
    beeps = console.evaluate("window.__oscillators")
    second_context, second = _customer(browser, bot)
    _queue_at_once(second)
    alert = console.locator("#queue-alert")
    expect(alert).to_be_visible(timeout=10_000)
    expect(alert).to_have_text(re.compile(r"^\d+ Anfragen? warte[nt] – zur Warteschlange$"))
    expect(console).to_have_title(re.compile(r"^\(\d+\) Neue Anfrage"))
    assert console.evaluate("window.__oscillators") > beeps
    expect(console.locator("#transcript .line.agent.auto")).to_have_count(1)  # the chat itself unchanged
    second_context.close()
    customer_context.close()
    agent_context.close()


def test_without_the_stream_the_page_polls(browser, bot, agents):
    agent_context, console = _agent(browser, bot, "konsole-lea")
    customer_context, customer = _customer(browser, bot)
    _queue_at_once(customer)
    link = _row(console, bot, customer).get_by_role("link", name="Ansehen").get_attribute("href")
    console.route("**/stream", lambda route: route.abort())
    console.goto(f"{bot.console_url}{link}")
    expect(console.locator("#transcript")).to_contain_text("Ich möchte bitte mit einem Menschen sprechen")
    _say(customer, "Hallo, ist da jemand?")
    expect(console.locator("#transcript .line.customer .text").last).to_have_text("Hallo, ist da jemand?")
    customer_context.close()
    agent_context.close()


def test_typing_is_only_for_the_agent_who_holds_the_chat(browser, bot, agents):
    customer_context, customer = _customer(browser, bot)
    lea = ConsoleSession(bot.console_url, "konsole-lea", PASSWORD)
    ben = ConsoleSession(bot.console_url, "konsole-ben", PASSWORD)
    _queue_at_once(customer)
    handoff = _handoff_of(bot, customer)
    assert lea.post(f"/api/chats/{handoff.id}/typing").status_code == 409  # nobody holds it yet
    assert lea.post(f"/api/chats/{handoff.id}/claim").status_code == 200
    assert lea.post(f"/api/chats/{handoff.id}/typing", csrf=False).status_code == 403
    assert ben.post(f"/api/chats/{handoff.id}/typing").status_code == 409
    assert lea.post(f"/api/chats/{handoff.id}/typing").status_code == 200
    expect(customer.locator(".typing")).to_contain_text("Lea")
    assert lea.post(f"/api/chats/{handoff.id}/close").status_code == 200
    customer_context.close()
