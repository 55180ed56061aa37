"""Chat with the assistant in the terminal (`make shell`).

Talks to the running bot over Rasa's REST channel. When no bot is running it
starts them in the background (bot/run_stack.py, as `make run` does) and stops them on exit. Buttons
are shown numbered; type the number to press one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid

import requests

from bot.endpoints import LocalEndpoints
from bot.paths import PROJECT_ROOT
from bot.ready import is_up, wait_until_up

EXIT_COMMANDS = {"/exit", "/quit"}


def _start_stack() -> subprocess.Popen:
    log_path = PROJECT_ROOT / "var" / "shell-stack.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Starting the bot in the background (log: {log_path.relative_to(PROJECT_ROOT)}) ...", flush=True)
    # The same launcher as `make run`: tokens, ports, supervised processes.
    return subprocess.Popen(
        [sys.executable, "-m", "bot.run_stack"],
        cwd=PROJECT_ROOT,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop_stack(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass


def render(messages: list[dict]) -> list[dict]:
    """Print bot messages; returns the buttons of the last message that has any."""
    buttons: list[dict] = []
    for message in messages:
        if message.get("text"):
            print(f"Bot: {message['text']}")
        if message.get("buttons"):
            buttons = message["buttons"]
            for number, button in enumerate(buttons, start=1):
                print(f"     [{number}] {button.get('title')}")
    return buttons


def chat(endpoints: LocalEndpoints) -> None:
    sender = f"terminal-{uuid.uuid4().hex[:12]}"
    buttons: list[dict] = []
    print("Schreiben Sie Ihre Nachricht und drücken Sie Enter. Beenden: /exit oder Strg-D.\n")
    while True:
        try:
            text = input("Sie: ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if text.strip().lower() in EXIT_COMMANDS:
            return
        if text.strip().isdigit() and 1 <= int(text.strip()) <= len(buttons):
            button = buttons[int(text.strip()) - 1]
            print(f"     -> {button.get('title')}")
            text = button.get("payload") or button.get("title")
        try:
            reply = requests.post(endpoints.rest_webhook, json={"sender": sender, "message": text}, timeout=60)
            reply.raise_for_status()
            buttons = render(reply.json()) or []
        except requests.RequestException as error:
            print(f"(Der Bot antwortet gerade nicht: {error})")


def main() -> int:
    endpoints = LocalEndpoints.from_env()
    stack = None
    if not is_up(endpoints.rasa_url + "/"):
        stack = _start_stack()
        if not wait_until_up(endpoints, timeout_s=300):
            print("The bot did not start; see var/shell-stack.log.")
            _stop_stack(stack)
            return 1
    try:
        chat(endpoints)
    finally:
        if stack is not None:
            _stop_stack(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
