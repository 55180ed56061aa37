"""Agent accounts and console sessions on SQLite and PostgreSQL (both real)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.handoff.agents import (
    DEVICE_DAYS,
    IDLE_MINUTES,
    MIN_PASSWORD_CHARS,
    ONLINE_SECONDS,
    SESSION_HOURS,
    AccountError,
    AgentDirectory,
)
from bot.handoff.models import AgentSession

PASSWORD = "richtig-geheim-123"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def directory(store):
    # The shared PostgreSQL database is only truncated for tickets and handoffs:
    # start every test without agents or sessions left over from other tests.
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM agent_sessions")
        connection.exec_driver_sql("DELETE FROM agent_devices")
        connection.exec_driver_sql("DELETE FROM agents")
    return AgentDirectory(store)


@pytest.fixture
def anna(directory):
    return directory.add("anna", "Anna", PASSWORD)


def _sessions(store) -> list[AgentSession]:
    with store.engine.connect() as connection:
        return list(connection.execute(select(AgentSession)).all())


def _session_count(store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(AgentSession)).scalar_one()


# -- accounts -----------------------------------------------------------------------


def test_bad_user_names_are_refused_in_german(directory):
    for name in ["a", "x" * 41, "anna berg", "anna@firma", "änna", "anna/b", "", "   "]:
        with pytest.raises(AccountError, match="Benutzername braucht 2 bis 40 Zeichen"):
            directory.add(name, "Anna", PASSWORD)
    assert directory.all() == []
    assert directory.add("x" * 40, "Anna", PASSWORD).username == "x" * 40  # the longest allowed


def test_user_names_are_normalised_and_display_names_tidied(directory):
    agent = directory.add("  Anna.Berg_2-x ", "  Anna \t  Berg ", PASSWORD)
    assert (agent.username, agent.display_name, agent.active) == ("anna.berg_2-x", "Anna Berg", True)
    assert directory.get("ANNA.BERG_2-X") == agent
    assert directory.get("nobody") is None


def test_empty_display_name_is_refused(directory):
    with pytest.raises(AccountError, match="Anzeigenamen"):
        directory.add("anna", " \t ", PASSWORD)
    assert directory.get("anna") is None


def test_short_password_is_refused(directory):
    with pytest.raises(AccountError, match=f"mindestens {MIN_PASSWORD_CHARS} Zeichen"):
        directory.add("anna", "Anna", "x" * (MIN_PASSWORD_CHARS - 1))
    assert directory.get("anna") is None


def test_duplicate_user_name_gives_a_clear_german_error(directory, anna):
    with pytest.raises(AccountError) as error:
        directory.add("ANNA", "Andere Anna", PASSWORD)
    assert str(error.value) == "Den Benutzernamen 'anna' gibt es schon."
    assert [a.display_name for a in directory.all()] == ["Anna"]


def test_changing_an_unknown_account_is_an_account_error(directory):
    with pytest.raises(AccountError, match="Kein Konto"):
        directory.set_active("nobody", False)
    with pytest.raises(AccountError, match="Kein Konto"):
        directory.set_password("nobody", PASSWORD)


# -- login --------------------------------------------------------------------------


def test_login_returns_token_and_csrf_and_stores_only_the_token_hash(directory, anna, store):
    login = directory.login("Anna", PASSWORD, now=T0)
    assert login is not None
    assert login.agent == anna
    assert login.token and login.csrf_token and login.token != login.csrf_token
    assert login.expires_at == T0 + timedelta(hours=SESSION_HOURS)

    rows = _sessions(store)
    assert len(rows) == 1
    assert rows[0].token_hash == hashlib.sha256(login.token.encode()).hexdigest()
    stored = [str(value) for row in rows for value in row]
    assert not any(login.token in value for value in stored)

    again = directory.session(login.token, now=T0 + timedelta(minutes=1))
    assert again is not None and again.csrf_token == login.csrf_token and again.agent == anna


def test_wrong_password_and_unknown_user_both_give_none(directory, anna, store):
    for username, password in [("anna", "falsches-passwort"), ("nobody", PASSWORD), ("anna", ""), ("", "")]:
        assert directory.login(username, password, now=T0) is None, (username, password)
    assert _session_count(store) == 0


def test_a_disabled_account_cannot_log_in_and_is_logged_out_everywhere(directory, anna, store):
    first = directory.login("anna", PASSWORD, now=T0)
    second = directory.login("anna", PASSWORD, now=T0)
    assert _session_count(store) == 2

    directory.set_active("anna", False)
    assert _session_count(store) == 0
    assert directory.get("anna").active is False
    assert directory.session(first.token, now=T0) is None
    assert directory.session(second.token, now=T0) is None
    assert directory.login("anna", PASSWORD, now=T0) is None

    directory.set_active("anna", True)
    assert directory.login("anna", PASSWORD, now=T0) is not None


def test_set_password_logs_out_all_sessions(directory, anna, store):
    first = directory.login("anna", PASSWORD, now=T0)
    second = directory.login("anna", PASSWORD, now=T0)
    with pytest.raises(AccountError):
        directory.set_password("anna", "kurz")
    assert directory.session(first.token, now=T0) is not None  # a refused change logs nobody out

    directory.set_password("anna", "ein-neues-passwort")
    assert _session_count(store) == 0
    assert directory.session(first.token, now=T0) is None
    assert directory.session(second.token, now=T0) is None
    assert directory.login("anna", PASSWORD, now=T0) is None
    assert directory.login("anna", "ein-neues-passwort", now=T0) is not None


def test_logout_ends_only_that_session(directory, anna):
    first = directory.login("anna", PASSWORD, now=T0)
    second = directory.login("anna", PASSWORD, now=T0)
    directory.logout(first.token)
    assert directory.session(first.token, now=T0) is None
    assert directory.session(second.token, now=T0) is not None


# -- sessions -----------------------------------------------------------------------


def test_missing_or_unknown_tokens_give_no_session(directory, anna):
    login = directory.login("anna", PASSWORD, now=T0)
    for token in [None, "", "unbekannt", "x" * 201, login.csrf_token, login.token + "x"]:
        assert directory.session(token, now=T0) is None, token
    assert directory.session(login.token, now=T0) is not None


def test_a_session_expires_after_session_hours_even_when_in_use(directory, anna, store):
    login = directory.login("anna", PASSWORD, now=T0)
    moment = T0
    # The console stays in use (polled every half hour): never idle, still valid until the end.
    while moment + timedelta(minutes=30) < T0 + timedelta(hours=SESSION_HOURS):
        moment += timedelta(minutes=30)
        assert directory.session(login.token, now=moment) is not None, moment
    end = T0 + timedelta(hours=SESSION_HOURS)
    assert directory.session(login.token, now=end - timedelta(seconds=10)) is not None
    assert directory.online_count(now=end - timedelta(seconds=5)) == 1
    assert directory.online_count(now=end + timedelta(seconds=5)) == 0  # seen just now, but logged out
    assert directory.session(login.token, now=end) is None
    assert _session_count(store) == 0  # the expired session is deleted
    assert directory.session(login.token, now=T0) is None


def test_a_session_idle_longer_than_idle_minutes_ends(directory, anna, store):
    login = directory.login("anna", PASSWORD, now=T0)
    assert directory.session(login.token, now=T0 + timedelta(minutes=IDLE_MINUTES - 1)) is not None
    assert _session_count(store) == 1

    # Idle again from the last request on.
    last = T0 + timedelta(minutes=IDLE_MINUTES - 1)
    assert directory.session(login.token, now=last + timedelta(minutes=IDLE_MINUTES, seconds=1)) is None
    assert _session_count(store) == 0
    assert directory.session(login.token, now=last + timedelta(minutes=1)) is None


def test_idle_time_counts_per_session_not_per_agent(directory, anna, store):
    forgotten = directory.login("anna", PASSWORD, now=T0)  # e.g. on a shared PC
    working = directory.login("anna", PASSWORD, now=T0)
    for minute in range(10, IDLE_MINUTES * 3, 10):  # the agent keeps working in another browser
        assert directory.session(working.token, now=T0 + timedelta(minutes=minute)) is not None
    assert directory.session(forgotten.token, now=T0 + timedelta(minutes=IDLE_MINUTES * 3)) is None


def test_logging_out_elsewhere_does_not_revive_an_idle_session(directory, anna):
    idle = directory.login("anna", PASSWORD, now=T0)
    other = directory.login("anna", PASSWORD, now=T0)
    directory.logout(other.token)
    directory.mark_offline(anna.id)
    assert directory.session(idle.token, now=T0 + timedelta(hours=3)) is None


# -- online ---------------------------------------------------------------------------


def test_online_count_counts_agents_seen_recently_with_a_valid_session(directory, anna):
    assert directory.online_count(now=T0) == 0
    login = directory.login("anna", PASSWORD, now=T0)
    directory.login("anna", PASSWORD, now=T0)  # two browsers: still one agent
    assert directory.online_count(now=T0 + timedelta(seconds=ONLINE_SECONDS - 1)) == 1
    assert directory.online_count(now=T0 + timedelta(seconds=ONLINE_SECONDS + 1)) == 0  # console closed

    directory.add("ben", "Ben", PASSWORD)
    directory.login("ben", PASSWORD, now=T0)
    assert directory.online_count(now=T0) == 2

    directory.mark_offline(login.agent.id)
    assert directory.online_count(now=T0) == 1
    # The next poll of an open console brings the agent back.
    assert directory.session(login.token, now=T0 + timedelta(seconds=5)) is not None
    assert directory.online_count(now=T0 + timedelta(seconds=5)) == 2


def test_agents_without_a_valid_session_are_not_online(directory, anna):
    directory.login("anna", PASSWORD, now=T0)
    directory.add("ben", "Ben", PASSWORD)
    ben = directory.login("ben", PASSWORD, now=T0)
    directory.logout(ben.token)  # seen a moment ago, but no session any more
    assert directory.online_count(now=T0) == 1
    directory.set_active("anna", False)
    assert directory.online_count(now=T0) == 0


def test_a_known_browser_is_remembered_until_the_password_changes(directory, anna):
    token = directory.remember_device(anna.id, now=T0)
    assert directory.device_owner(token, now=T0 + timedelta(days=DEVICE_DAYS - 1)) == "anna"
    assert directory.device_owner("x" + token, now=T0) is None
    assert directory.device_owner(None) is None and directory.device_owner("a" * 500) is None
    directory.set_password("anna", PASSWORD + "-neu")
    assert directory.device_owner(token, now=T0) is None  # a new password forgets every browser


def test_a_known_browser_expires_and_is_forgotten_when_the_account_is_disabled(directory, anna):
    old = directory.remember_device(anna.id, now=T0)
    assert directory.device_owner(old, now=T0 + timedelta(days=DEVICE_DAYS + 1)) is None
    fresh = directory.remember_device(anna.id, now=T0)
    directory.set_active("anna", False)
    assert directory.device_owner(fresh, now=T0) is None
