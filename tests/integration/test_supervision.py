"""`make run` keeps serving when one of its processes dies (bot/supervise.py).

Starts the real launcher (`python -m bot.run_stack`, as `make run` does) on free
ports with its own state directory, then kills (SIGKILL, as the out-of-memory
killer would) each server in turn: the line simulator, the ticket worker, the
agent console, the action server and the Rasa server. Each time:
- the killed process is back within 30 s (a new process answers its health check);
- a customer message sent while it is away gets a German answer (for the Rasa
  server itself: typed into the real web chat in Chromium while the server is
  down, it is sent and answered once the server is back);
- the other processes kept serving.
The API token starts with "-" on purpose (it once broke the start).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from bot.devstack import free_port
from bot.paths import PROJECT_ROOT

pytestmark = pytest.mark.integration
BACK_WITHIN_S = 30
# The Rasa server needs longer: on 2 cores its imports take about 6 s and loading the
# model about 16 s (TED, the CRF extractor, the intent classifier, spaCy), so a message
# typed meanwhile was answered after 23-34 s (34 s right after the action server's own
# restarts). A 30 s limit failed a CI run and one of five local runs; 60 s leaves room
# for a busy machine and still catches a restart that hangs (the supervisor gives a
# starting server 240 s).
RASA_BACK_WITHIN_S = 60
GERMAN = {"sie", "ihnen", "ihre", "ihren", "ich", "bitte", "nicht", "das", "die", "der", "und", "danke", "moment"}


def _descendants(root: int) -> dict[int, str]:
    """pid -> command line of every process below root (from /proc)."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = {}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = commands.get(child, "")
            todo.append(child)
    return found


def _server_pid(root: int, marker: str) -> int:
    """The server process itself (not its supervisor) whose command line has marker."""
    matches = [pid for pid, cmd in _descendants(root).items() if marker in cmd and "bot.supervise" not in cmd]
    assert len(matches) == 1, (marker, _descendants(root))
    return matches[0]


def _up(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _wait_until(check, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.25)
    raise AssertionError(f"not back within {timeout} s")


def _german(messages: list[dict]) -> str:
    text = " ".join(m.get("text") or "" for m in messages)
    assert text and GERMAN & set(re.findall(r"\w+", text.lower())), messages
    return text


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    work = tmp_path_factory.mktemp("stack")
    ports = {name: free_port() for name in ("RASA_PORT", "ACTION_PORT", "LINE_SIMULATOR_PORT", "CONSOLE_PORT")}
    env = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "RASA_API_TOKEN": "-" + "x" * 31,  # starts with "-": must not be read as an option
        "TRACKER_DB": str(work / "tracker.db"),
        "DATABASE_URL": f"sqlite:///{work / 'tickets.db'}",
        "TICKET_SPOOL_DIR": str(work / "spool"),
        "PYTHONWARNINGS": "ignore",
    }
    from bot.tickets.store import migrate

    migrate(env["DATABASE_URL"])
    log = work / "stack.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.run_stack"], cwd=PROJECT_ROOT, env=env, stdout=log.open("w"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    urls = {
        "rasa": f"http://127.0.0.1:{ports['RASA_PORT']}",
        "actions": f"http://127.0.0.1:{ports['ACTION_PORT']}/health",
        "linesim": f"http://127.0.0.1:{ports['LINE_SIMULATOR_PORT']}/health",
        "console": f"http://127.0.0.1:{ports['CONSOLE_PORT']}/health",
    }
    try:
        _wait_until(lambda: all(_up(url if name != "rasa" else url + "/") for name, url in urls.items()), 240)
        yield {"pid": process.pid, "urls": urls, "log": log, "env": env}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    leftovers = [pid for pid, cmd in _descendants(process.pid).items()]
    assert not leftovers, leftovers


def _say(stack, sender: str, text: str, timeout: float = 30) -> list[dict]:
    response = requests.post(
        f"{stack['urls']['rasa']}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
    )
    assert response.status_code == 200, response.text
    return response.json()


def _kill(stack, marker: str) -> int:
    pid = _server_pid(stack["pid"], marker)
    os.kill(pid, signal.SIGKILL)
    return pid


def _back(stack, marker: str, old_pid: int, health: str | None, within: float = BACK_WITHIN_S) -> float:
    def back() -> bool:
        pids = [p for p, cmd in _descendants(stack["pid"]).items() if marker in cmd and "bot.supervise" not in cmd]
        return bool(pids) and old_pid not in pids and (health is None or _up(health))

    seconds = _wait_until(back, within)
    print(f"{marker}: back after {seconds:.1f} s")  # README reports these (pytest -s)
    return seconds


@pytest.mark.parametrize(
    ("marker", "health"),
    [("bot.linecheck.simulator", "linesim"), ("bot.tickets worker", None), ("bot.console serve", "console")],
)
def test_a_killed_helper_process_comes_back_and_customers_are_answered_meanwhile(stack, marker, health):
    old = _kill(stack, marker)
    # The customer does not notice: the bot answers as usual.
    _german(_say(stack, f"meanwhile-{old}", "Mein Internet geht nicht"))
    seconds = _back(stack, marker, old, stack["urls"][health] if health else None)
    assert seconds < BACK_WITHIN_S
    _german(_say(stack, f"after-{old}", "hallo"))
    assert "exited with code -9" in stack["log"].read_text()


def test_a_killed_action_server_comes_back_and_the_customer_is_never_left_in_silence(stack):
    sender = "during-actions-restart"
    _german(_say(stack, sender, "Mein Internet geht nicht"))
    old = _kill(stack, "bot.action_server")
    answer = _german(_say(stack, sender, "nein, auf keinem Gerät"))
    # Either the restarted action server answered in time, or the customer is told to wait a moment.
    # (line first: the next question is the customer number)
    assert "Kundennummer" in answer or "Einen Moment bitte" in answer, answer
    seconds = _back(stack, "bot.action_server", old, stack["urls"]["actions"])
    assert seconds < BACK_WITHIN_S
    _german(_say(stack, sender, "habe ich nicht"))


def test_a_killed_action_server_that_stays_away_gets_a_german_notice(stack):
    """The supervisor is stopped first (SIGSTOP), so the action server stays away."""
    sender = "actions-away"
    _german(_say(stack, sender, "Mein Internet geht nicht"))
    # The supervisor process itself, not the shell honcho started it from.
    processes = _descendants(stack["pid"]).items()
    [supervisor] = [p for p, c in processes if "-m bot.supervise actions" in c and not c.startswith("/bin/")]
    os.kill(supervisor, signal.SIGSTOP)
    old = _kill(stack, "bot.action_server")
    try:
        started = time.monotonic()
        answer = _german(_say(stack, sender, "nein, auf keinem Gerät"))
        assert "Einen Moment bitte" in answer and time.monotonic() - started < 15
        # The second message while still away: told again, at once (no second wait).
        started = time.monotonic()
        assert "Einen Moment bitte" in _german(_say(stack, sender, "hallo?"))
    finally:
        os.kill(supervisor, signal.SIGCONT)
    _back(stack, "bot.action_server", old, stack["urls"]["actions"])
    # Nothing was lost: the customer's messages are in the conversation, and it goes on.
    assert "Kundennummer" in _german(_say(stack, sender, "nein, auf keinem Gerät"))  # line first


def test_a_server_that_hangs_is_restarted(stack):
    """Alive but deaf (SIGSTOP, as a server spinning at 100 % CPU): the supervisor's
    health probe notices after about half a minute and starts it again."""
    old = _server_pid(stack["pid"], "bot.action_server")
    # The previous test has just restarted it. Its supervisor counts misses only after
    # it has seen the server answer once (a starting server has STARTUP_LIMIT_S), and it
    # looks once a second while it waits for that first answer: give it that look.
    time.sleep(3)
    os.kill(old, signal.SIGSTOP)
    try:
        seconds = _back(stack, "bot.action_server", old, stack["urls"]["actions"], within=75)
    finally:
        try:
            os.kill(old, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert seconds < 75
    assert "did not answer" in stack["log"].read_text()
    _german(_say(stack, "after-hang", "Mein Internet geht nicht"))


def test_a_killed_rasa_server_comes_back_and_a_message_typed_meanwhile_is_answered(stack):
    rasa = stack["urls"]["rasa"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        page = browser.new_context(locale="de-DE").new_page()
        page.goto(f"{rasa}/webhooks/webchat/demo")
        page.get_by_role("button", name="Hilfe-Chat öffnen").click()
        bot_lines = page.locator(".msg.bot .bubble")
        expect(bot_lines.first).to_contain_text("digitale Assistent")
        # The greeting is two messages; the topic menu comes from the action server.
        expect(bot_lines.last).to_contain_text("Wobei kann ich Ihnen helfen")
        before = bot_lines.count()
        old = _kill(stack, "bot.rasa_server")
        expect(page.locator(".chat-notice")).to_contain_text("Verbindung", timeout=10_000)
        # The other processes keep serving while the Rasa server is away.
        assert _up(stack["urls"]["console"]) and _up(stack["urls"]["linesim"]) and _up(stack["urls"]["actions"])
        page.get_by_label("Ihre Nachricht").fill("Mein Internet geht seit heute früh nicht mehr")
        page.get_by_label("Ihre Nachricht").press("Enter")
        started = time.monotonic()
        try:
            expect(bot_lines).to_have_count(before + 1, timeout=RASA_BACK_WITHIN_S * 1000)
        except AssertionError:
            # What the supervisor saw, so that a CI failure says whether it was slow or lost.
            print("\n".join(line for line in stack["log"].read_text().splitlines()
                            if "rasa.1" in line and ("supervise" in line or "up and running" in line
                                                     or "Starting Rasa" in line)))
            raise
        waited = time.monotonic() - started
        expect(bot_lines.last).to_contain_text("Internet")
        browser.close()
    print(f"bot.rasa_server: the message typed meanwhile was answered after {waited:.1f} s")
    assert waited < RASA_BACK_WITHIN_S
    assert old not in _descendants(stack["pid"])
