"""Keeps one process of `make run` alive: restarts it when it exits, with a growing pause.

Honcho (the Procfile runner) stops every process as soon as one of them exits.
Without this, one crash, or an out-of-memory kill of the action server, took
the web chat, the console and the ticket worker down for every customer and
agent. Each Procfile line therefore runs its server under this supervisor:

    python -m bot.supervise actions -- python -m bot.action_server ...

- When the server exits (crash, `kill -9`), it is started again after 1 s,
  then 2, 4, 8, 16 and at most 30 s while it keeps failing; after it has run
  for a minute the pause starts at 1 s again. Every exit and restart is logged.
- With --health URL, a server that is running but no longer answers is
  treated like one that exited: once it has answered the first time, the URL is
  asked every PROBE_EVERY_S; after PROBE_FAILURES failures in a row (each
  waiting PROBE_TIMEOUT_S) the server is stopped and started again. A server
  that never answers within STARTUP_LIMIT_S is restarted too. (A request with
  "Content-Length: -1" once left the Rasa server spinning at 100 % CPU,
  alive but deaf, bot/sanic_fix.py.)
- SIGTERM or SIGINT (Ctrl-C, honcho stopping) is passed on; then the supervisor
  waits for the server and exits itself, without a restart.

In production, systemd (Restart=always) or Kubernetes (restartPolicy) do this
job; README "Production deployment" says how.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field

FIRST_PAUSE_S = 1.0
MAX_PAUSE_S = 30.0
STABLE_AFTER_S = 60.0
STOP_GRACE_S = 20.0
# About half a minute of deafness before a restart: a busy server (a long
# prediction under load) answers late, a hung one never does.
PROBE_EVERY_S = 5.0
PROBE_TIMEOUT_S = 5.0
PROBE_FAILURES = 4
STARTUP_LIMIT_S = 240.0


@dataclass
class Backoff:
    """The pause before the next start: doubles while the process keeps failing,
    and starts small again once it ran for STABLE_AFTER_S."""

    first: float = FIRST_PAUSE_S
    maximum: float = MAX_PAUSE_S
    stable_after: float = STABLE_AFTER_S
    _next: float = field(default=0.0, init=False)

    def after_exit(self, ran_for: float) -> float:
        if ran_for >= self.stable_after or self._next == 0.0:
            self._next = self.first
        pause = self._next
        self._next = min(self._next * 2, self.maximum)
        return pause


def answers(url: str, timeout: float = PROBE_TIMEOUT_S) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our own local URL)
            return 200 <= response.status < 400
    except (OSError, ValueError):
        return False


class HealthProbe:
    """Asks a server's health URL and says when it stopped answering."""

    def __init__(self, url: str, every: float = PROBE_EVERY_S, failures: int = PROBE_FAILURES,
                 startup_limit: float = STARTUP_LIMIT_S, ask=answers) -> None:
        self.url, self.every, self.failures, self.startup_limit, self.ask = url, every, failures, startup_limit, ask

    def watch(self, child: subprocess.Popen, stopping: threading.Event, started: float) -> str | None:
        """Blocks while the child runs; returns why it should be restarted, or None
        when it exited by itself or a stop was asked for."""
        answered, missed = False, 0
        while child.poll() is None and not stopping.is_set():
            ok = self.ask(self.url)
            if ok:
                answered, missed = True, 0
            elif answered:
                missed += 1
                if missed >= self.failures:
                    return f"did not answer {self.url} {missed} times in a row"
            elif time.monotonic() - started > self.startup_limit:
                return f"did not answer {self.url} within {self.startup_limit:.0f} s of its start"
            if stopping.wait(self.every if answered else 1.0):
                return None
        return None


class Supervisor:
    def __init__(self, name: str, command: list[str], backoff: Backoff | None = None, log=None,
                 probe: HealthProbe | None = None) -> None:
        self.name = name
        self.command = command
        self.backoff = backoff or Backoff()
        self.log = log or (lambda text: print(f"[supervise] {text}", flush=True))
        self.probe = probe
        self.stopping = threading.Event()
        self.child: subprocess.Popen | None = None
        self.restarts = 0

    def stop(self, signum: int = signal.SIGTERM) -> None:
        self.stopping.set()
        child = self.child
        if child is not None and child.poll() is None:
            try:
                child.send_signal(signum)
            except ProcessLookupError:
                pass

    def run(self) -> int:
        while not self.stopping.is_set():
            started = time.monotonic()
            self.child = subprocess.Popen(self.command)
            if self.stopping.is_set():  # stopped while it was being started
                self.stop()
            deaf = self.probe.watch(self.child, self.stopping, started) if self.probe else None
            if deaf and not self.stopping.is_set():
                self.log(f"{self.name} {deaf}; stopping it")
                self.child.terminate()
                self.wait_for_child(timeout=5)
            code = self.child.wait()
            ran_for = time.monotonic() - started
            if self.stopping.is_set():
                return 0
            pause = self.backoff.after_exit(ran_for)
            self.restarts += 1
            self.log(
                f"{self.name} exited with code {code} after {ran_for:.0f} s; "
                f"restart {self.restarts} in {pause:.0f} s"
            )
            if self.stopping.wait(pause):  # a stop during the pause: no restart
                return 0
        return 0

    def wait_for_child(self, timeout: float = STOP_GRACE_S) -> None:
        child = self.child
        if child is None:
            return
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()


def parse_args(argv: list[str]) -> tuple[str, list[str], str | None]:
    """NAME [--health URL] -- COMMAND...: everything after the first "--" is the command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], usage="%(prog)s NAME [--health URL] -- CMD")
    parser.add_argument("name", help="what the process is called in the log")
    parser.add_argument("--health", help="URL that answers 200 while the server is well")
    if "--" not in argv:
        parser.error("the command to run is missing (after --)")
    split = argv.index("--")
    args, command = parser.parse_args(argv[:split]), argv[split + 1 :]
    if not command:
        parser.error("the command to run is missing (after --)")
    return args.name, command, args.health


def main(argv: list[str] | None = None) -> int:
    name, command, health = parse_args(sys.argv[1:] if argv is None else argv)
    supervisor = Supervisor(name, command, probe=HealthProbe(health) if health else None)

    def on_signal(signum, frame) -> None:
        supervisor.stop(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)
    code = supervisor.run()
    supervisor.wait_for_child()
    return code


if __name__ == "__main__":
    sys.exit(main())
