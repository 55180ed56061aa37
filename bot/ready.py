"""Waits until the Rasa server and the action server answer, then prints where to go.

Runs as the `ready` process of the Procfile; it stays alive afterwards because
honcho stops all processes as soon as one of them exits.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import requests

from bot.endpoints import LocalEndpoints

STARTUP_TIMEOUT_S = 600


def is_up(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def wait_until_up(endpoints: LocalEndpoints, timeout_s: float = STARTUP_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        urls = (
            endpoints.rasa_url + "/",
            endpoints.action_health,
            endpoints.line_simulator_health,
            endpoints.console_url + "/health",
        )
        if all(is_up(url) for url in urls):
            return True
        time.sleep(1)
    return False


def banner(endpoints: LocalEndpoints, demo_account: str | None = None) -> str:
    line = "=" * 72
    console = [f"   Agent console:         {endpoints.console_url}/"]
    if demo_account:
        console.append(f"                          demo account: {demo_account}")
    return "\n".join(
        [
            line,
            " The assistant is ready.",
            f"   Website chat (demo):   {endpoints.rasa_url}/webhooks/webchat/demo",
            *console,
            "   Chat in the terminal:  make shell   (in a second terminal)",
            f"   REST channel:          POST {endpoints.rest_webhook}",
            '                          {"sender": "demo", "message": "Mein Internet geht nicht"}',
            f"   Rasa server:           {endpoints.rasa_url}/",
            f"   Action server:         {endpoints.action_health}",
            f"   Line simulator:        {endpoints.line_simulator_health}   (demo customers: README)",
            " Stop everything with Ctrl-C.",
            line,
        ]
    )


def demo_account() -> str | None:
    from bot.console.__main__ import DEMO_PASSWORD_FILE, DEMO_USER

    if os.environ.get("CONSOLE_DEMO_PASSWORD"):
        return f"{DEMO_USER} / {os.environ['CONSOLE_DEMO_PASSWORD']}"
    if DEMO_PASSWORD_FILE.exists():
        return f"{DEMO_USER} / {DEMO_PASSWORD_FILE.read_text(encoding='utf-8').strip()}"
    return None


def main() -> int:
    endpoints = LocalEndpoints.from_env()
    print("Waiting for the Rasa server and the action server (loading the model takes ~30 s) ...", flush=True)
    if wait_until_up(endpoints):
        print(banner(endpoints, demo_account()), flush=True)
    else:
        print(f"The servers did not answer within {STARTUP_TIMEOUT_S} s; see the log lines above.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
