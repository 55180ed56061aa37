"""Line-diagnostics simulator: the API of openapi.yaml with the demo customers.

The default backend of `make run` and of the tests. Its own process:

    python -m bot.linecheck.simulator [--host 127.0.0.1] [--port 8085]

Failure modes for tests and demos, per request (header `X-Simulator-Mode`) or for
the whole server (environment `LINE_SIMULATOR_MODE`, or `PUT /_simulator/mode` with
`{"mode": "slow", "delay_seconds": 5}`):
  normal | slow (answers after delay_seconds) | error (HTTP 500) |
  unavailable (HTTP 503) | malformed (broken JSON) | wrong_schema (valid JSON,
  missing fields)

Built on the standard library's threading HTTP server: a simulator needs no
framework, and a slow answer must not hold up the others.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import yaml

from bot.german_time import GERMAN_TIME
from bot.logging_mask import install as install_log_masking
from bot.nlu.numbers import mask_personal_numbers

DEMO_FILE = Path(__file__).with_name("demo_customers.yml")
DEFAULT_PORT = 8085
MODES = ("normal", "slow", "error", "unavailable", "malformed", "wrong_schema")

logger = logging.getLogger(__name__)

_LINES = re.compile(r"^/v1/customers/(?P<number>[^/]+)/lines$")
_STATUS = re.compile(r"^/v1/lines/(?P<line>[^/]+)/status$")


@dataclass
class Behaviour:
    mode: str = "normal"
    delay_seconds: float = 5.0


def _when(spec: dict[str, Any], now: datetime) -> datetime:
    """A demo time relative to now (see demo_customers.yml)."""
    if "hours_ago" in spec:
        return now - timedelta(hours=float(spec["hours_ago"]))
    if "hours_from_now" in spec:
        moment = now + timedelta(hours=float(spec["hours_from_now"]))
        return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    hour, minute = (int(x) for x in str(spec["last_change_local"]).split(":"))
    local = now.astimezone(GERMAN_TIME).replace(hour=hour, minute=minute, second=0, microsecond=0)
    moment = local.astimezone(timezone.utc)
    return moment if moment < now else now - timedelta(hours=2)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class DemoData:
    def __init__(self, path: Path = DEMO_FILE) -> None:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.customers = {c["customer_number"]: c for c in raw["customers"]}
        self.lines = {c["line"]["line_id"]: c for c in raw["customers"]}
        self.outages = raw.get("outages", [])

    def lines_of(self, number: str, postal_code: str) -> dict | None:
        customer = self.customers.get(number)
        if customer is None or customer["postal_code"] != postal_code:
            return None  # same answer for both: numbers cannot be probed
        return {"customer_number": number, "postal_code": postal_code, "lines": [customer["line"]]}

    def status(self, line_id: str, now: datetime) -> dict | None:
        customer = self.lines.get(line_id)
        if customer is None:
            return None
        status = dict(customer["status"])
        status["last_state_change"] = _iso(_when(status.pop("last_change"), now))
        line = customer["line"]
        return {
            "line_id": line_id,
            "measured_at": _iso(now),
            "booked_down_kbps": line["booked_down_kbps"],
            "booked_up_kbps": line["booked_up_kbps"],
            **status,
        }

    def outages_for(self, postal_code: str, now: datetime) -> dict:
        found = []
        for outage in self.outages:
            if outage["postal_code"] != postal_code:
                continue
            found.append(
                {
                    "outage_id": outage["outage_id"],
                    "postal_code": outage["postal_code"],
                    "affected_services": outage["affected_services"],
                    "since": _iso(_when(outage["since"], now)),
                    "expected_end": _iso(_when(outage["expected_end"], now)) if outage.get("expected_end") else None,
                    "description": outage.get("description", ""),
                }
            )
        return {"outages": found}


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], data: DemoData, behaviour: Behaviour) -> None:
        super().__init__(address, _Handler)
        self.data = data
        self.behaviour = behaviour
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm the body then
    # waits for the client's delayed ACK (about 40 ms per request).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        logger.info("%s %s", self.address_string(), mask_personal_numbers(format % args))

    def _send(self, status: int, body: Any, raw: bytes | None = None) -> None:
        payload = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _found(self, body: Any) -> None:
        if body is None:
            return self._send(HTTPStatus.NOT_FOUND, {"error": "not_found"})
        return self._send(HTTPStatus.OK, body)

    def _mode(self) -> tuple[str, float]:
        with self.server.lock:
            mode, delay = self.server.behaviour.mode, self.server.behaviour.delay_seconds
        requested = self.headers.get("X-Simulator-Mode")
        return (requested if requested in MODES else mode), delay

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/health":
            return self._send(HTTPStatus.OK, {"status": "ok"})
        mode, delay = self._mode()
        if mode == "slow":
            time.sleep(delay)
        elif mode == "error":
            return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal"})
        elif mode == "unavailable":
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"})
        elif mode == "malformed":
            return self._send(HTTPStatus.OK, None, raw=b'{"line_id": "L-1", "sync_state": ')
        elif mode == "wrong_schema":
            return self._send(HTTPStatus.OK, {"result": "ok"})
        now = datetime.now(timezone.utc)
        data = self.server.data
        if match := _LINES.match(url.path):
            number, postal_code = match["number"], query.get("postal_code", "")
            if not re.fullmatch(r"\d{10}", number) or not re.fullmatch(r"\d{5}", postal_code):
                return self._send(HTTPStatus.UNPROCESSABLE_ENTITY, {"error": "invalid_input"})
            found = data.lines_of(number, postal_code)
            return self._found(found)
        if match := _STATUS.match(url.path):
            found = data.status(match["line"], now)
            return self._found(found)
        if url.path == "/v1/outages":
            postal_code = query.get("postal_code", "")
            if not re.fullmatch(r"\d{5}", postal_code):
                return self._send(HTTPStatus.UNPROCESSABLE_ENTITY, {"error": "invalid_input"})
            return self._send(HTTPStatus.OK, data.outages_for(postal_code, now))
        return self._send(HTTPStatus.NOT_FOUND, {"error": "unknown_path"})

    def do_PUT(self) -> None:  # noqa: N802 (stdlib name)
        if urlparse(self.path).path != "/_simulator/mode":
            return self._send(HTTPStatus.NOT_FOUND, {"error": "unknown_path"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            mode = body.get("mode", "normal")
            delay = float(body.get("delay_seconds", self.server.behaviour.delay_seconds))
        except (ValueError, AttributeError):
            return self._send(HTTPStatus.BAD_REQUEST, {"error": "invalid_body"})
        if mode not in MODES:
            return self._send(HTTPStatus.BAD_REQUEST, {"error": f"mode must be one of {', '.join(MODES)}"})
        with self.server.lock:
            self.server.behaviour = Behaviour(mode, delay)
        return self._send(HTTPStatus.OK, {"mode": mode, "delay_seconds": delay})


def make_server(host: str = "127.0.0.1", port: int = DEFAULT_PORT, mode: str | None = None) -> SimulatorServer:
    mode = mode or os.environ.get("LINE_SIMULATOR_MODE", "normal")
    if mode not in MODES:
        raise ValueError(f"LINE_SIMULATOR_MODE must be one of {', '.join(MODES)}")
    return SimulatorServer((host, port), DemoData(), Behaviour(mode))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("LINE_SIMULATOR_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LINE_SIMULATOR_PORT", DEFAULT_PORT)))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_log_masking()
    server = make_server(args.host, args.port)
    logger.info("Line-diagnostics simulator on http://%s:%d (mode %s)", args.host, args.port, server.behaviour.mode)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
