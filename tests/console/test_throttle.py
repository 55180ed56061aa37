"""bot.console.throttle: growing delays per key, never a lockout of the agent's own browser."""

from __future__ import annotations

import pytest

from bot.console.throttle import RULES, DatabaseCounts, LoginThrottle, Rule, attempt_keys, delay_after
from tests.tickets.conftest import postgres_url  # noqa: F401 (pytest fixture)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def throttle(request, clock, tmp_path):
    """The same rules with the counts in memory and in the database (shared by
    every console process)."""
    if request.param == "memory":
        return LoginThrottle(clock=clock)
    from bot.tickets.store import TicketStore, migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'throttle.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate(url)
    store = TicketStore(url)
    with store.engine.begin() as db:
        db.exec_driver_sql("DELETE FROM login_failures")
    return LoginThrottle(clock=clock, counts=DatabaseCounts(store))


def test_two_console_processes_share_the_counts_in_the_database(tmp_path, clock):
    from bot.tickets.store import TicketStore, migrate

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    migrate(url)
    one = LoginThrottle(clock=clock, counts=DatabaseCounts(TicketStore(url)))
    other = LoginThrottle(clock=clock, counts=DatabaseCounts(TicketStore(url)))
    keys = attempt_keys("anna", "203.0.113.7")
    for _ in range(RULES["pair"].free_tries):
        one.failed(keys)
    assert other.wait_seconds(keys) == 1  # no fresh free tries on the second process
    with TicketStore(url).engine.connect() as db:
        stored = " ".join(str(v) for row in db.exec_driver_sql("SELECT * FROM login_failures") for v in row)
    assert "anna" not in stored and "203.0.113.7" not in stored  # only hashes


def test_delays_grow_after_the_free_tries_up_to_the_ceiling():
    rule = Rule(free_tries=3, max_delay=300)
    assert [delay_after(n, rule) for n in range(1, 14)] == [0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def test_a_guesser_gets_one_try_per_delay(throttle, clock):
    keys = attempt_keys("anna", "203.0.113.7")
    for _ in range(RULES["pair"].free_tries):
        assert throttle.wait_seconds(keys) == 0
        throttle.failed(keys)
    assert throttle.wait_seconds(keys) == 1  # the 4th attempt waits a second
    clock.now += 1
    throttle.failed(keys)
    assert throttle.wait_seconds(keys) == 2
    clock.now += 2
    throttle.failed(keys)
    assert throttle.wait_seconds(keys) == 4


def test_an_attacker_does_not_slow_down_the_agent(throttle, clock):
    attacker = attempt_keys("anna", "198.51.100.9")
    for _ in range(12):
        clock.now += throttle.wait_seconds(attacker)
        throttle.failed(attacker)
    assert throttle.wait_seconds(attacker) > 60
    # Anna from her office, with a new browser: not delayed at all.
    assert throttle.wait_seconds(attempt_keys("anna", "192.0.2.10")) == 0
    # Anna from her own browser (device cookie), even from the attacker's address: never delayed.
    assert throttle.wait_seconds(attempt_keys("Anna", "198.51.100.9", device="d" * 64)) == 0


def test_spraying_many_names_from_one_address_is_slowed_down(throttle, clock):
    for i in range(RULES["address"].free_tries + 3):
        throttle.failed(attempt_keys(f"user{i}", "203.0.113.7"))
    assert throttle.wait_seconds(attempt_keys("someone-new", "203.0.113.7")) > 0
    assert throttle.wait_seconds(attempt_keys("someone-new", "203.0.113.8")) == 0


def test_many_addresses_get_three_tries_each(throttle, clock):
    for i in range(100):
        keys = attempt_keys("anna", f"10.0.{i // 250}.{i % 250}")
        for _ in range(RULES["pair"].free_tries):
            assert throttle.wait_seconds(keys) == 0
            throttle.failed(keys)
        assert throttle.wait_seconds(keys) > 0
    assert throttle.wait_seconds(attempt_keys("anna", "192.0.2.10")) == 0


def test_success_resets_the_pair_and_old_failures_are_forgotten(throttle, clock):
    keys = attempt_keys("anna", "192.0.2.10")
    for _ in range(5):
        throttle.failed(keys)
    assert throttle.wait_seconds(keys) > 0
    throttle.succeeded(keys)
    assert throttle.wait_seconds([keys[0]]) == 0
    throttle.failed(keys)
    clock.now += RULES["pair"].forget_after + 1
    assert throttle.wait_seconds(keys) == 0


def test_names_are_case_insensitive(throttle):
    for name in ["Anna", "ANNA", "aNNa", "anna "]:
        throttle.failed(attempt_keys(name, "192.0.2.10"))
    assert throttle.wait_seconds(attempt_keys("anna", "192.0.2.10")) > 0


def test_memory_stays_bounded(clock, monkeypatch):
    monkeypatch.setattr("bot.console.throttle.MAX_TRACKED_KEYS", 50)
    throttle = LoginThrottle(clock=clock)
    for i in range(400):
        clock.now += 0.01
        throttle.failed(attempt_keys(f"name{i}", f"addr{i}"))
    assert len(throttle.counts._counts) <= 50 + 3
