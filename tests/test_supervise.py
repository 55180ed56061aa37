"""bot.supervise: a process that exits is started again, with a growing pause;
a stop is passed on and never followed by a restart. Real child processes."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

from bot.devstack import free_port
from bot.paths import PROJECT_ROOT
from bot.supervise import Backoff, HealthProbe, Supervisor, parse_args


def test_backoff_doubles_while_failing_and_resets_after_a_stable_run():
    backoff = Backoff(first=1, maximum=30, stable_after=60)
    assert [backoff.after_exit(0.5) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.after_exit(120) == 1  # it ran for two minutes: a fresh start
    assert backoff.after_exit(3) == 2


def test_arguments_after_the_double_dash_are_the_command():
    assert parse_args(["actions", "--", "python", "-m", "x", "--port", "1"]) == (
        "actions",
        ["python", "-m", "x", "--port", "1"],
        None,
    )
    assert parse_args(["rasa", "--health", "http://127.0.0.1:5005/", "--", "x"]) == (
        "rasa", ["x"], "http://127.0.0.1:5005/"
    )


def test_a_crashing_process_is_restarted_and_logged(tmp_path):
    counter = tmp_path / "starts"
    script = f"import sys; open({str(counter)!r}, 'a').write('x'); sys.exit(3)"
    logged: list[str] = []
    supervisor = Supervisor("demo", [sys.executable, "-c", script], Backoff(first=0.05, maximum=0.2), logged.append)
    thread = threading.Thread(target=supervisor.run)
    thread.start()
    deadline = time.monotonic() + 20
    while (not counter.exists() or len(counter.read_text()) < 4) and time.monotonic() < deadline:
        time.sleep(0.05)
    supervisor.stop()
    thread.join(10)
    assert not thread.is_alive()
    assert len(counter.read_text()) >= 4
    assert "demo exited with code 3" in logged[0] and "restart 1" in logged[0]


def _supervised(child: str) -> subprocess.Popen:
    """python -m bot.supervise around a Python one-liner, as the Procfile runs a server."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.supervise", "sleeper", "--", sys.executable, "-c", child],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_sigterm_stops_the_child_and_the_supervisor_without_a_restart(tmp_path):
    started = tmp_path / "started"
    process = _supervised(f"import pathlib,time; pathlib.Path({str(started)!r}).open('a').write('x'); time.sleep(600)")
    deadline = time.monotonic() + 20
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert started.read_text() == "x"  # started once, never again
    assert "restart" not in process.stdout.read()


def test_a_killed_child_comes_back(tmp_path):
    pids = tmp_path / "pids"
    process = _supervised(f"import os, time; open({str(pids)!r}, 'a').write(f'{{os.getpid()}}\\n'); time.sleep(600)")
    try:
        deadline = time.monotonic() + 20
        while (not pids.exists() or not pids.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        first = int(pids.read_text().split()[0])
        subprocess.run(["kill", "-9", str(first)], check=True)
        while len(pids.read_text().split()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(pids.read_text().split()) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert "exited with code -9" in process.stdout.read()


DEAF_SERVER = """
import http.server, os, sys, time
answered = 0
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global answered
        answered += 1
        if answered > 2:
            time.sleep(600)  # alive, but deaf from now on (as a spinning server)
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
open(sys.argv[2], "a").write(f"{os.getpid()}\\n")
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def test_a_server_that_stops_answering_is_restarted(tmp_path):
    port, pids = free_port(), tmp_path / "pids"
    logged: list[str] = []
    probe = HealthProbe(f"http://127.0.0.1:{port}/health", every=0.2, failures=2, startup_limit=30)
    probe.ask = lambda url: __import__("bot.supervise", fromlist=["answers"]).answers(url, timeout=0.5)
    command = [sys.executable, "-c", DEAF_SERVER, str(port), str(pids)]
    supervisor = Supervisor("deaf", command, Backoff(first=0.05), logged.append, probe)
    thread = threading.Thread(target=supervisor.run)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while (not pids.exists() or len(pids.read_text().split()) < 2) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        supervisor.stop()
        thread.join(20)
    assert len(pids.read_text().split()) >= 2  # started again after it went deaf
    assert any("did not answer" in line for line in logged), logged


def test_a_server_that_never_answers_is_restarted_after_the_startup_limit():
    calls = []
    probe = HealthProbe("http://127.0.0.1:9/never", every=0.05, failures=2, startup_limit=0.3,
                        ask=lambda url: calls.append(url) or False)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        reason = probe.watch(child, threading.Event(), time.monotonic())
    finally:
        child.kill()
        child.wait()
    assert reason and "within 0 s" in reason and calls
