"""Agent accounts and console sessions.

Passwords are hashed with argon2id (argon2-cffi). A login creates a random
session token; the browser keeps it in an HttpOnly cookie and the database only
its SHA-256, so a leaked database does not log anyone in. Every session has its
own CSRF token and expires: after `SESSION_HOURS` at the latest, and after
`IDLE_MINUTES` without a request in that session.

An agent counts as online while their console is open: the console polls every
few seconds and each poll marks the agent as seen.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.german_time import utc
from bot.handoff.models import Agent, AgentDevice, AgentSession
from bot.tickets.models import utcnow
from bot.tickets.store import TicketStore

SESSION_HOURS = 10  # one working day, then log in again
DEVICE_DAYS = 90  # a browser an agent logged in from is remembered this long
IDLE_MINUTES = 60
ONLINE_SECONDS = 60  # seen within this window = online
SEEN_WRITE_SECONDS = 15  # polls write "seen" at most this often
MIN_PASSWORD_CHARS = 10
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")

_HASHER = PasswordHasher()
# Compared against when the user name is unknown, so a wrong name takes as long
# as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


class AccountError(ValueError):
    """A clear reason why an account cannot be created or changed."""


@dataclass(frozen=True)
class AgentView:
    id: int
    username: str
    display_name: str
    active: bool


@dataclass(frozen=True)
class Login:
    token: str  # goes into the cookie, never stored
    csrf_token: str
    agent: AgentView
    expires_at: datetime


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _view(agent: Agent) -> AgentView:
    return AgentView(agent.id, agent.username, agent.display_name, bool(agent.active))


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not 2 <= len(name) <= 40 or not set(name) <= USERNAME_CHARS:
        raise AccountError("Der Benutzername braucht 2 bis 40 Zeichen: a-z, 0-9, Punkt, Minus, Unterstrich.")
    return name


class AgentDirectory:
    def __init__(self, store: TicketStore) -> None:
        self._sessions = sessionmaker(store.engine, future=True, expire_on_commit=False)

    # -- accounts -------------------------------------------------------------------

    def add(self, username: str, display_name: str, password: str) -> AgentView:
        name = check_username(username)
        shown = " ".join(display_name.split())[:80]
        if not shown:
            raise AccountError("Bitte einen Anzeigenamen angeben (den sieht die Kundin oder der Kunde).")
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"Das Passwort braucht mindestens {MIN_PASSWORD_CHARS} Zeichen.")
        try:
            with self._sessions.begin() as session:
                agent = Agent(username=name, display_name=shown, password_hash=_HASHER.hash(password), active=True)
                session.add(agent)
                session.flush()
                return _view(agent)
        except IntegrityError:
            raise AccountError(f"Den Benutzernamen '{name}' gibt es schon.") from None

    def set_password(self, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"Das Passwort braucht mindestens {MIN_PASSWORD_CHARS} Zeichen.")
        with self._sessions.begin() as session:
            agent = self._by_name(session, username)
            agent.password_hash = _HASHER.hash(password)
            session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
            session.execute(delete(AgentDevice).where(AgentDevice.agent_id == agent.id))

    def set_active(self, username: str, active: bool) -> None:
        with self._sessions.begin() as session:
            agent = self._by_name(session, username)
            agent.active = active
            if not active:  # a disabled account is logged out everywhere at once
                session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
                session.execute(delete(AgentDevice).where(AgentDevice.agent_id == agent.id))

    def get(self, username: str) -> AgentView | None:
        with self._sessions() as session:
            agent = session.execute(select(Agent).where(Agent.username == username.strip().lower())).scalar()
            return _view(agent) if agent else None

    def all(self) -> list[AgentView]:
        with self._sessions() as session:
            return [_view(a) for a in session.execute(select(Agent).order_by(Agent.username)).scalars()]

    @staticmethod
    def _by_name(session, username: str) -> Agent:
        agent = session.execute(select(Agent).where(Agent.username == username.strip().lower())).scalar()
        if agent is None:
            raise AccountError(f"Kein Konto mit dem Benutzernamen '{username}'.")
        return agent

    # -- login and sessions ---------------------------------------------------------

    def login(self, username: str, password: str, now: datetime | None = None) -> Login | None:
        """A new session, or None for a wrong name or password (same answer for both)."""
        now = now or utcnow()
        with self._sessions.begin() as session:
            agent = session.execute(select(Agent).where(Agent.username == username.strip().lower()[:40])).scalar()
            try:
                _HASHER.verify(agent.password_hash if agent else _DUMMY_HASH, password)
            except (VerificationError, InvalidHashError):
                return None
            if agent is None or not agent.active:
                return None
            if _HASHER.check_needs_rehash(agent.password_hash):
                agent.password_hash = _HASHER.hash(password)
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            expires = now + timedelta(hours=SESSION_HOURS)
            session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
            session.add(
                AgentSession(
                    token_hash=_hash_token(token),
                    agent_id=agent.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires,
                )
            )
            agent.last_seen_at = now
            return Login(token, csrf, _view(agent), expires)

    def session(self, token: str | None, now: datetime | None = None) -> Login | None:
        """The login behind a cookie token, if still valid; marks the agent as seen."""
        if not token or len(token) > 200:
            return None
        now = now or utcnow()
        with self._sessions.begin() as session:
            row = session.execute(
                select(AgentSession, Agent)
                .join(Agent, Agent.id == AgentSession.agent_id)
                .where(AgentSession.token_hash == _hash_token(token))
            ).first()
            if row is None:
                return None
            login, agent = row
            used = utc(login.last_used_at or login.created_at)
            idle = now - used > timedelta(minutes=IDLE_MINUTES)
            if utc(login.expires_at) <= now or idle or not agent.active:
                session.delete(login)
                return None
            if (now - used).total_seconds() >= SEEN_WRITE_SECONDS:
                login.last_used_at = now
            seen = utc(agent.last_seen_at) if agent.last_seen_at else None
            if seen is None or (now - seen).total_seconds() >= SEEN_WRITE_SECONDS:
                agent.last_seen_at = now
            return Login(token, login.csrf_token, _view(agent), utc(login.expires_at))

    # -- known browsers ----------------------------------------------------------------

    def remember_device(self, agent_id: int, now: datetime | None = None) -> str:
        """A new device token for the browser that just logged in (goes into a cookie)."""
        now = now or utcnow()
        token = secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            session.execute(delete(AgentDevice).where(AgentDevice.created_at < now - timedelta(days=DEVICE_DAYS)))
            session.add(AgentDevice(token_hash=_hash_token(token), agent_id=agent_id, created_at=now, last_used_at=now))
        return token

    def device_owner(self, token: str | None, now: datetime | None = None) -> str | None:
        """The user name whose browser this device token is, while it is valid."""
        if not token or len(token) > 200:
            return None
        now = now or utcnow()
        with self._sessions.begin() as session:
            row = session.execute(
                select(AgentDevice, Agent)
                .join(Agent, Agent.id == AgentDevice.agent_id)
                .where(AgentDevice.token_hash == _hash_token(token))
            ).first()
            if row is None:
                return None
            device, agent = row
            if utc(device.created_at) < now - timedelta(days=DEVICE_DAYS) or not agent.active:
                session.delete(device)
                return None
            device.last_used_at = now
            return agent.username

    def logout(self, token: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(AgentSession).where(AgentSession.token_hash == _hash_token(token)))

    def mark_offline(self, agent_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Agent).where(Agent.id == agent_id).values(last_seen_at=None))

    def online_count(self, now: datetime | None = None) -> int:
        """Agents with a valid session whose console was open within ONLINE_SECONDS."""
        return len(self.online_usernames(now))

    def online_usernames(self, now: datetime | None = None) -> set[str]:
        now = now or utcnow()
        with self._sessions() as session:
            return set(
                session.execute(
                    select(Agent.username)
                    .distinct()
                    .join(AgentSession, AgentSession.agent_id == Agent.id)
                    .where(
                        Agent.active.is_(True),
                        Agent.last_seen_at >= now - timedelta(seconds=ONLINE_SECONDS),
                        AgentSession.expires_at > now,
                    )
                ).scalars()
            )
