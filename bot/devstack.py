"""Starts the real Rasa server, action server and line simulator on free local ports.

Used by the integration tests and the benchmarks: the trained model answers over
Rasa's REST channel, actions run in the real action server, line checks go over
HTTP to the simulator, and the tracker is a real SQLite file, so nothing is mocked.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import requests
import yaml

from bot.paths import PROJECT_ROOT

STARTUP_TIMEOUT_S = 240


class BotStartError(RuntimeError):
    """A server did not come up; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalBot:
    rasa_url: str
    rasa_log: Path
    action_log: Path
    tracker_db: Path
    line_api_url: str = ""
    _simulator: Any = None
    tickets_url: str = ""  # callable that (re)starts the simulator process
    console_url: str = ""
    rasa_token: str = ""
    console_log: Path | None = None
    action_url: str = ""
    action_token: str = ""
    rasa_pid: int = 0  # the Rasa server's process (the load benchmark reads its memory)
    rasa_urls: tuple[str, ...] = ()  # each Rasa process directly (behind the proxy when several)
    rasa_pids: tuple[int, ...] = ()

    def stop_line_backend(self) -> None:
        """Stop the simulator process: the backend is gone, connections are refused."""
        if self._simulator is not None:
            self._simulator("stop")

    def start_line_backend(self) -> None:
        if self._simulator is not None:
            self._simulator("start")

    def line_backend(self, mode: str, delay_seconds: float = 5.0) -> None:
        """Switch the simulator: normal, slow, error, unavailable, malformed, wrong_schema."""
        response = requests.put(
            f"{self.line_api_url}/_simulator/mode", json={"mode": mode, "delay_seconds": delay_seconds}, timeout=5
        )
        response.raise_for_status()

    def send(self, sender: str, message: Any, timeout: float = 30) -> list[dict]:
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
        )
        response.raise_for_status()
        return response.json()

    def _events(self, sender: str, type_name: str) -> list[dict]:
        with sqlite3.connect(self.tracker_db) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = ? ORDER BY id", (sender, type_name)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def user_events(self, sender: str) -> list[dict]:
        """User events as stored in the real SQLite tracker store."""
        return self._events(sender, "user")

    def paused(self, sender: str) -> bool:
        """Whether the conversation was ever paused (handed to a person)."""
        return bool(self._events(sender, "pause"))

    def slot(self, sender: str, name: str) -> Any:
        """The latest value of a slot, from the tracker store."""
        values = [e.get("value") for e in self._events(sender, "slot") if e.get("name") == name]
        return values[-1] if values else None


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BotStartError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise BotStartError(f"{url} did not come up in {STARTUP_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@dataclass(frozen=True)
class Scale:
    """Several Rasa processes behind HAProxy, sharing a PostgreSQL tracker store
    (`tracker_url`), a Redis lock store and socket.io manager (`redis_url`), as
    `make run-scaled` runs them."""

    processes: int = 2
    tracker_url: str = ""  # postgresql://user@host:port/db
    redis_url: str = "redis://127.0.0.1:6379/0"


def tracker_store_config(url: str, fallback_db: Path) -> dict[str, Any]:
    """endpoints.yml's tracker_store for an SQLAlchemy URL (PostgreSQL), or SQLite."""
    store: dict[str, Any] = {"type": "bot.rasa_ext.tracker_store.GuardedSQLTrackerStore"}
    if not url:
        return {**store, "dialect": "sqlite", "db": str(fallback_db)}
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    store.update(dialect=parsed.get_backend_name(), url=parsed.host or "127.0.0.1", db=parsed.database)
    store.update({k: v for k, v in (("port", parsed.port), ("username", parsed.username),
                                    ("password", parsed.password)) if v})
    return store


def lock_store_config(redis_url: str) -> dict[str, Any]:
    """endpoints.yml's lock_store: Rasa's Redis lock store for a redis:// URL."""
    from urllib.parse import urlparse

    parsed = urlparse(redis_url)
    config: dict[str, Any] = {
        "type": "redis", "url": parsed.hostname or "127.0.0.1", "port": parsed.port or 6379,
        "db": int((parsed.path or "/0").lstrip("/") or 0), "key_prefix": "stoerungschat",
    }
    if parsed.password:
        config["password"] = parsed.password
    return config


@contextmanager
def local_bot(
    model: Path,
    work: Path,
    debug_logging: bool = False,
    breaker_reset_seconds: float = 2.0,
    scale: Scale | None = None,
) -> Iterator[LocalBot]:
    """Run the servers until the block ends. debug_logging makes Rasa log user
    texts (through the personal-data filter of logging.yml). The circuit breaker
    of the line check closes again after breaker_reset_seconds, so one test with a
    dead backend does not spoil the next. With `scale`, several Rasa processes
    run behind HAProxy (bot/proxy.py), and rasa_url is the proxy's."""
    if not model.exists():
        raise BotStartError(f"{model} is missing: run `make train`")
    work.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port, simulator_port, console_port = free_port(), free_port(), free_port(), free_port()
    rasa_count = scale.processes if scale else 1
    rasa_ports = [free_port() for _ in range(rasa_count)] if rasa_count > 1 else [rasa_port]
    # Tokens that start with "-" on purpose: no launcher may read them as an option.
    rasa_token = "-" + secrets.token_urlsafe(24)
    action_token = "-" + secrets.token_urlsafe(24)
    (work / "endpoints.yml").write_text(
        yaml.safe_dump(
            {
                "action_endpoint": {
                    "url": f"http://127.0.0.1:{action_port}/webhook",
                    "headers": {"Authorization": f"Bearer {action_token}"},
                    "enable_selective_domain": True,  # as endpoints.yml
                },
                "tracker_store": tracker_store_config(scale.tracker_url if scale else "", work / "tracker.db"),
                "nlg": {"type": "bot.rasa_ext.nlg.DaytimeResponses"},
                **({"lock_store": lock_store_config(scale.redis_url)} if scale else {}),
            }
        )
    )
    logging_config = yaml.safe_load((PROJECT_ROOT / "logging.yml").read_text())
    level = "DEBUG" if debug_logging else "WARNING"
    logging_config["root"]["level"] = level
    for logger in logging_config.get("loggers", {}).values():
        logger["level"] = level
    (work / "logging.yml").write_text(yaml.safe_dump(logging_config))
    verbosity = ["--debug"] if debug_logging else []

    line_api_url = f"http://127.0.0.1:{simulator_port}"
    tickets_url = f"sqlite:///{work / 'tickets.db'}"
    from bot.tickets.store import migrate

    migrate(tickets_url)  # as `make run` does: the schema comes from the Alembic migrations
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONWARNINGS": "ignore",
        "LINE_API_URL": line_api_url,
        "LINE_API_BREAKER_RESET": str(breaker_reset_seconds),
        "DATABASE_URL": tickets_url,
        "TICKET_SPOOL_DIR": str(work / "spool"),
        # Service hours do not depend on the clock in tests; "nobody online" is
        # tested by having no agent logged in.
        "HANDOFF_SERVICE_HOURS": "always",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "RASA_API_TOKEN": rasa_token,
        "ACTION_SERVER_TOKEN": action_token,
        **({"WEBCHAT_REDIS_URL": scale.redis_url} if scale else {}),
    }
    action_log, rasa_log, simulator_log = work / "actions.log", work / "rasa.log", work / "simulator.log"
    console_log = work / "console.log"
    def start_simulator() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.linecheck.simulator", "--port", str(simulator_port)],
            cwd=PROJECT_ROOT, env=env, stdout=simulator_log.open("a"), stderr=subprocess.STDOUT,
        )

    simulator = start_simulator()
    processes = {"simulator": simulator}

    def control_simulator(command: str) -> None:
        current = processes["simulator"]
        if command == "stop":
            current.terminate()
            current.wait(timeout=10)
        elif current.poll() is not None:
            processes["simulator"] = start_simulator()
            _wait(f"{line_api_url}/health", processes["simulator"], simulator_log)

    actions = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", str(action_port),
         "--logging-config-file", str(work / "logging.yml"), *verbosity],
        cwd=PROJECT_ROOT, env=env, stdout=action_log.open("w"), stderr=subprocess.STDOUT,
    )
    rasas = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.rasa_server", "--model", str(model), "--endpoints",
             str(work / "endpoints.yml"), "--credentials", str(PROJECT_ROOT / "credentials.yml"),
             "--interface", "127.0.0.1", "--port", str(port), "--logging-config-file", str(work / "logging.yml"),
             *verbosity],
            cwd=PROJECT_ROOT, env=env, stdout=(rasa_log if i == 0 else work / f"rasa{i + 1}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for i, port in enumerate(rasa_ports)
    ]
    rasa = rasas[0]
    proxy = None
    if rasa_count > 1:
        from bot.proxy import haproxy_config, start_haproxy

        (work / "haproxy.cfg").write_text(haproxy_config(rasa_port, rasa_ports))
        proxy = start_haproxy(work / "haproxy.cfg", work / "haproxy.log")
    console = subprocess.Popen(
        [sys.executable, "-m", "bot.console", "serve", "--port", str(console_port)],
        cwd=PROJECT_ROOT, env=env, stdout=console_log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"{line_api_url}/health", simulator, simulator_log)
        _wait(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        for port, process in zip(rasa_ports, rasas, strict=True):
            _wait(f"http://127.0.0.1:{port}/", process, rasa_log)
        if proxy is not None:
            _wait(f"http://127.0.0.1:{rasa_port}/", proxy, work / "haproxy.log")
        _wait(f"http://127.0.0.1:{console_port}/health", console, console_log)
        yield LocalBot(
            f"http://127.0.0.1:{rasa_port}",
            rasa_log,
            action_log,
            work / "tracker.db",
            line_api_url,
            control_simulator,
            tickets_url,
            f"http://127.0.0.1:{console_port}",
            rasa_token,
            console_log,
            f"http://127.0.0.1:{action_port}",
            action_token,
            rasa.pid,
            tuple(f"http://127.0.0.1:{port}" for port in rasa_ports),
            tuple(process.pid for process in rasas),
        )
    finally:
        everything = [console, *rasas, actions, processes["simulator"], *([proxy] if proxy else [])]
        for process in everything:
            process.terminate()
        for process in everything:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


class ConsoleSession:
    """An agent logged into the real console over HTTP (tests, benchmarks)."""

    def __init__(self, console_url: str, username: str, password: str) -> None:
        self.url = console_url
        self.http = requests.Session()
        form = self.http.get(f"{console_url}/login", timeout=10)
        form.raise_for_status()
        csrf = self.http.cookies.get("console_login_csrf")
        done = self.http.post(
            f"{console_url}/login",
            data={"csrf": csrf, "username": username, "password": password},
            timeout=10,
            allow_redirects=False,
        )
        if done.status_code != 302:
            raise RuntimeError(f"console login failed: HTTP {done.status_code}")
        page = self.http.get(f"{console_url}/", timeout=10).text
        marker = 'name="csrf" content="'
        self.csrf = page.split(marker, 1)[1].split('"', 1)[0]

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.url}{path}", timeout=15)

    def post(self, path: str, body: dict | None = None, csrf: bool = True) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.http.post(f"{self.url}{path}", json=body or {}, headers=headers, timeout=15)
