"""`make run`: starts the Procfile processes with honcho and stops them all reliably.

Honcho stops its processes on Ctrl-C and SIGTERM. When the terminal window is
closed, though, honcho either dies alone or hangs writing to the vanished
terminal, and the servers keep running and holding their ports. So this launcher
runs honcho in its own session, relays its output (and stops relaying once the
terminal is gone), and turns Ctrl-C, hang-up and SIGTERM into an orderly honcho
shutdown. It also refuses to start when a port is taken, and says what to do.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.endpoints import LocalEndpoints
from bot.paths import PROJECT_ROOT


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def watch_parent(on_gone, getppid=os.getppid, poll_seconds: float = 1.0, rounds: int | None = None) -> bool:
    """Call on_gone once the parent process is gone (the launcher was re-parented)."""
    parent = getppid()
    while rounds is None or rounds > 0:
        if getppid() != parent:
            on_gone()
            return True
        time.sleep(poll_seconds)
        rounds = None if rounds is None else rounds - 1
    return False


def stack_environment(environ, endpoints: LocalEndpoints) -> dict[str, str]:
    """The processes' environment (the Procfile and endpoints.yml read it).

    The Rasa HTTP API only runs with a token (the agent console is its only
    user), and the action server only answers the Rasa server, which sends a
    shared secret. Tokens not set in the environment are made fresh and random
    for this run, and never written anywhere."""
    env = {**environ, "PYTHONUNBUFFERED": "1"}  # lines through the pipe at once
    for name in ("RASA_API_TOKEN", "ACTION_SERVER_TOKEN"):
        if not env.get(name):
            env[name] = secrets.token_urlsafe(32)
    env.setdefault("RASA_URL", endpoints.rasa_url)
    env.update(
        RASA_PORT=str(endpoints.rasa_port),
        ACTION_PORT=str(endpoints.action_port),
        LINE_SIMULATOR_PORT=str(endpoints.line_simulator_port),
        CONSOLE_PORT=str(endpoints.console_port),
    )
    env.setdefault("TRACKER_DB", str(PROJECT_ROOT / "var" / "tracker.db"))
    return env


def main() -> int:
    endpoints = LocalEndpoints.from_env()
    ports = (endpoints.rasa_port, endpoints.action_port, endpoints.line_simulator_port, endpoints.console_port)
    busy = [port for port in ports if port_in_use(port, endpoints.host)]
    if busy:
        print(
            f"Port {', '.join(map(str, busy))} is already in use: the bot may already be running "
            "(chat with it via `make shell`), or old processes are left over "
            "(`pkill -f 'rasa run'; pkill -f bot.linecheck.simulator`). "
            "Other ports: RASA_PORT=... ACTION_PORT=... LINE_SIMULATOR_PORT=... CONSOLE_PORT=... make run",
            file=sys.stderr,
        )
        return 1
    honcho = Path(sys.executable).with_name("honcho")
    process = subprocess.Popen(
        [str(honcho), "start", "-f", "Procfile"],
        cwd=PROJECT_ROOT,
        env=stack_environment(os.environ, endpoints),
        start_new_session=True,  # terminal signals reach this launcher, not honcho
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    terminal_gone = False
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal terminal_gone, stopping
        stopping = True
        terminal_gone = terminal_gone or signum == signal.SIGHUP
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)

    for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    # `make run` does not pass a SIGTERM on to its children: when make is killed,
    # this launcher is orphaned. Then stop everything, as if asked to.
    threading.Thread(target=watch_parent, args=(lambda: stop(signal.SIGTERM, None),), daemon=True).start()
    assert process.stdout is not None
    for line in iter(process.stdout.readline, b""):
        if terminal_gone:
            continue  # keep draining so honcho never blocks on a full pipe
        try:
            sys.stdout.buffer.write(line)
            sys.stdout.flush()
        except OSError:
            terminal_gone = True
    code = process.wait()
    return 0 if stopping else code  # an asked-for stop is not a failure


if __name__ == "__main__":
    sys.exit(main())
