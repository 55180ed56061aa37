"""The console's lockout after repeated failed logins, with a fake clock."""

from __future__ import annotations

import itertools
import time

import pytest

from bot.console.app import LOCKOUT_SECONDS, MAX_FAILED_LOGINS, FailedLogins


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def failures(clock):
    return FailedLogins(clock=clock)


def _fail(failures: FailedLogins, username: str, times: int) -> None:
    for _ in range(times):
        failures.failed(username)


def test_locked_after_max_failed_logins(failures):
    assert not failures.locked("anna")
    _fail(failures, "anna", MAX_FAILED_LOGINS - 1)
    assert not failures.locked("anna")
    failures.failed("anna")
    assert failures.locked("anna")
    assert not failures.locked("ben")  # per user name


def test_unlocked_after_the_lockout(failures, clock):
    _fail(failures, "anna", MAX_FAILED_LOGINS)
    clock.now += LOCKOUT_SECONDS
    assert failures.locked("anna")
    clock.now += 0.5
    assert not failures.locked("anna")
    failures.failed("anna")  # a single new failure does not lock again
    assert not failures.locked("anna")


def test_the_window_slides_with_the_oldest_failure(failures, clock):
    failures.failed("anna")
    clock.now += LOCKOUT_SECONDS / 2
    _fail(failures, "anna", MAX_FAILED_LOGINS - 1)
    assert failures.locked("anna")
    clock.now += LOCKOUT_SECONDS / 2 + 1  # the first failure is older than the window now
    assert not failures.locked("anna")
    failures.failed("anna")
    assert failures.locked("anna")


def test_a_successful_login_resets_the_count(failures):
    _fail(failures, "anna", MAX_FAILED_LOGINS - 1)
    failures.succeeded("anna")
    _fail(failures, "anna", MAX_FAILED_LOGINS - 1)
    assert not failures.locked("anna")
    failures.failed("anna")
    assert failures.locked("anna")
    failures.succeeded("anna")
    assert not failures.locked("anna")
    failures.succeeded("nobody")  # nothing to reset: no error


def test_user_names_are_case_insensitive(failures):
    for name in itertools.islice(itertools.cycle(["Anna", "ANNA", "aNNa"]), MAX_FAILED_LOGINS):
        failures.failed(name)
    assert failures.locked("anna") and failures.locked("ANNA")
    failures.succeeded("Anna")
    assert not failures.locked("aNNA")


def test_the_default_clock_is_monotonic():
    assert FailedLogins().clock is time.monotonic


def test_names_typed_once_do_not_pile_up_in_memory(failures, clock):
    for n in range(100):
        failures.failed(f"random{n}")
    clock.now += LOCKOUT_SECONDS + 1
    for n in range(100):
        assert not failures.locked(f"random{n}")
    assert not failures.locked("never-typed")
    assert failures._failures == {}
