"""Keeps one process of `make run` alive: restarts it when it exits, with a growing pause.

Honcho (the Procfile runner) stops every process as soon as one of them exits.
Without this, one crash, or an out-of-memory kill of the action server, took
the web chat, the console and the ticket worker down for every customer and
agent. Each Procfile line therefore runs its server under this supervisor:

    python -m bot.supervise actions -- python -m bot.action_server ...

- When the server exits (crash, `kill -9`), it is started again after 1 s,
  then 2, 4, 8, 16 and at most 30 s while it keeps failing; after it has run
  for a minute the pause starts at 1 s again. Every exit and restart is logged.
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
from dataclasses import dataclass, field

FIRST_PAUSE_S = 1.0
MAX_PAUSE_S = 30.0
STABLE_AFTER_S = 60.0
STOP_GRACE_S = 20.0


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


class Supervisor:
    def __init__(self, name: str, command: list[str], backoff: Backoff | None = None, log=None) -> None:
        self.name = name
        self.command = command
        self.backoff = backoff or Backoff()
        self.log = log or (lambda text: print(f"[supervise] {text}", flush=True))
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


def parse_args(argv: list[str]) -> tuple[str, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="what the process is called in the log")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("the command to run is missing (after --)")
    return args.name, command


def main(argv: list[str] | None = None) -> int:
    name, command = parse_args(sys.argv[1:] if argv is None else argv)
    supervisor = Supervisor(name, command)

    def on_signal(signum, frame) -> None:
        supervisor.stop(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)
    code = supervisor.run()
    supervisor.wait_for_child()
    return code


if __name__ == "__main__":
    sys.exit(main())
