"""Starts the real Rasa server and action server on free local ports.

No mocks: the trained model (models/current.tar.gz, built by `make`) answers over
Rasa's REST channel, actions run in the real action server, and the tracker is a
real SQLite file in a temporary folder.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "current.tar.gz"
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT_S = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningBot:
    rasa_url: str
    rasa_log: Path
    action_log: Path
    tracker_db: Path

    def user_events(self, sender: str) -> list[dict]:
        """User events as stored in the real SQLite tracker store."""
        with sqlite3.connect(self.tracker_db) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def send(self, sender: str, message, timeout: float = 30) -> list[dict]:
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
        )
        response.raise_for_status()
        return response.json()


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not come up in {STARTUP_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def bot(tmp_path_factory) -> RunningBot:
    if not MODEL.exists():
        pytest.fail("models/current.tar.gz is missing: run `make train` (make test does it for you)")
    work = tmp_path_factory.mktemp("bot")
    rasa_port, action_port = _free_port(), _free_port()
    (work / "endpoints.yml").write_text(
        yaml.safe_dump(
            {
                "action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook"},
                "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(work / "tracker.db")},
            }
        )
    )
    # DEBUG logging on purpose: Rasa then logs user texts, which the personal-data
    # filter from logging.yml must mask.
    logging_config = yaml.safe_load((ROOT / "logging.yml").read_text())
    logging_config["root"]["level"] = "DEBUG"
    for logger in logging_config.get("loggers", {}).values():
        logger["level"] = "DEBUG"
    (work / "logging.yml").write_text(yaml.safe_dump(logging_config))

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}
    action_log, rasa_log = work / "actions.log", work / "rasa.log"
    actions = subprocess.Popen(
        [BIN / "rasa", "run", "actions", "--actions", "actions", "--port", str(action_port),
         "--logging-config-file", str(work / "logging.yml"), "--debug"],
        cwd=ROOT, env=env, stdout=action_log.open("w"), stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [BIN / "rasa", "run", "--model", str(MODEL), "--endpoints", str(work / "endpoints.yml"),
         "--credentials", str(ROOT / "credentials.yml"), "--interface", "127.0.0.1", "--port", str(rasa_port),
         "--logging-config-file", str(work / "logging.yml"), "--debug"],
        cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        _wait(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log)
        yield RunningBot(f"http://127.0.0.1:{rasa_port}", rasa_log, action_log, work / "tracker.db")
    finally:
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
