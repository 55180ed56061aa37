"""The line-diagnostics client against the simulator, over real HTTP.

The simulator runs as its own process (as in `make run`); failure modes are
switched on through its control endpoint. No request is mocked.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests

from bot.devstack import free_port
from bot.linecheck.client import (
    BackendUnavailable,
    BadResponse,
    ClientSettings,
    CustomerNotFound,
    InvalidIdentification,
    LineDiagnosticsClient,
)
from bot.linecheck.verdict import VerdictBook
from bot.paths import PROJECT_ROOT

BOOK = VerdictBook.load()


@pytest.fixture(scope="module")
def simulator_url():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.linecheck.simulator", "--port", str(port)],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/health", timeout=0.5).ok:
                break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("simulator did not start")
    yield url
    process.terminate()
    process.wait(timeout=5)


@pytest.fixture
def mode(simulator_url):
    def switch(name: str, delay: float = 5.0) -> None:
        requests.put(f"{simulator_url}/_simulator/mode", json={"mode": name, "delay_seconds": delay}, timeout=2)

    yield switch
    switch("normal")


def _client(url: str, **settings) -> LineDiagnosticsClient:
    return LineDiagnosticsClient(ClientSettings(base_url=url, **settings))


@pytest.mark.parametrize(
    ("number", "postal_code", "area", "verdict"),
    [
        ("4711000001", "10115", "internet_down", "line_ok"),
        ("4711000002", "50667", "internet_down", "line_fault"),
        ("4711000003", "80331", "internet_down", "area_outage"),
        ("4711000004", "20095", "internet_dropouts", "line_unstable"),
        ("4711000005", "01067", "internet_slow", "line_slow"),
        ("4711000006", "60311", "phone_down", "telephony_fault"),
        ("4711000006", "60311", "internet_down", "line_ok"),
    ],
)
def test_every_demo_customer_gets_the_right_verdict(simulator_url, number, postal_code, area, verdict):
    report = _client(simulator_url).check(number, postal_code)
    assert BOOK.judge(report, area).id == verdict


def test_outage_customer_hears_the_expected_end(simulator_url):
    verdict = BOOK.judge(_client(simulator_url).check("4711000003", "80331"), "internet_down")
    assert "voraussichtlich bis" in verdict.text and verdict.measurements["outage_id"] == "ST-2026-0815"


@pytest.mark.parametrize(("number", "postal_code"), [("4711000001", "50667"), ("4711999999", "10115")])
def test_unknown_or_mismatched_pair_is_not_found_and_shows_no_data(simulator_url, number, postal_code):
    client = _client(simulator_url)
    with pytest.raises(CustomerNotFound):
        client.check(number, postal_code)
    assert client.breaker.current_state == "closed"  # a wrong number is not a backend failure


def test_malformed_identification_never_reaches_the_backend(simulator_url):
    with pytest.raises(InvalidIdentification):
        _client(simulator_url).check("4711", "10115")


@pytest.mark.parametrize(("name", "error"), [("error", BackendUnavailable), ("unavailable", BackendUnavailable),
                                             ("malformed", BadResponse), ("wrong_schema", BadResponse)])
def test_backend_failures_are_typed_errors(simulator_url, mode, name, error):
    mode(name)
    with pytest.raises(error):
        _client(simulator_url).check("4711000001", "10115")


def test_slow_backend_costs_one_timeout_then_the_breaker_answers_at_once(simulator_url, mode):
    mode("slow", delay=5)
    client = _client(simulator_url, read_timeout=1.0, reset_seconds=30)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        client.check("4711000001", "10115")
    first = time.monotonic() - started
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        client.check("4711000001", "10115")
    second = time.monotonic() - started
    assert 0.9 <= first < 2.0  # one read timeout, no retry of a read
    assert second < 0.1  # circuit open


def test_breaker_closes_again_when_the_backend_is_back(simulator_url, mode):
    mode("error")
    client = _client(simulator_url, reset_seconds=0.3)
    with pytest.raises(BackendUnavailable):
        client.check("4711000001", "10115")
    mode("normal")
    time.sleep(0.4)
    assert client.check("4711000001", "10115").status.sync_state.value == "up"


def test_unreachable_backend_fails_fast():
    client = _client(f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        client.check("4711000001", "10115")
    assert time.monotonic() - started < 4.0
