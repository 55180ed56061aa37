"""Slows down password guessing at the console login without locking anyone out.

The earlier rule (five wrong passwords lock a user name for five minutes, 20
from one address lock the address) let anyone lock any agent out, and behind
the recommended TLS proxy every agent shares one address. Instead:

- Failures are counted per key, and after a few free tries every further
  attempt on that key must wait, twice as long each time, up to a ceiling.
  Attempts during the wait are refused without checking the password, so a
  guesser gets one try per delay.
- The keys of an attempt: (user name, address) and the address alone (spraying
  many names). There is deliberately no key for the user name alone: it would
  let an attacker anywhere keep every new browser of that agent waiting. A
  browser the agent logged in from before carries a device cookie
  (bot/handoff/agents.py); its attempts are counted only on that device's own
  key. So an attacker hammering "anna" slows down the attacker, never Anna at
  her own desk, even from the same address. Guessing from many addresses gets
  three tries per address against argon2-hashed passwords of 10 characters
  or more.
- Behind a proxy, set CONSOLE_PROXIES_COUNT so the address is the client's
  (Sanic reads X-Forwarded-For).

Plain Python with an injectable clock. The counts are kept in memory
(MemoryCounts, one console process) or in the project's database
(DatabaseCounts: every console process sees the same counts, so a second
process behind the proxy is no second set of free tries). The database keeps
only a SHA-256 of each key, never the name or address.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Protocol

MAX_TRACKED_KEYS = 10_000


@dataclass(frozen=True)
class Rule:
    free_tries: int  # failures before any delay
    max_delay: float  # seconds
    forget_after: float = 3600.0  # a key without failures for this long starts over


RULES = {
    "pair": Rule(free_tries=3, max_delay=300.0),  # one name from one address
    "address": Rule(free_tries=20, max_delay=60.0),  # many names from one address
    "device": Rule(free_tries=5, max_delay=300.0),  # a known browser of the agent
}


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0
    blocked_until: float = 0.0


def delay_after(failures: int, rule: Rule) -> float:
    """Seconds to wait after this many failures: 0 while free, then 1, 2, 4, ..."""
    over = failures - rule.free_tries
    return 0.0 if over < 0 else min(2.0**over, rule.max_delay)


def attempt_keys(username: str, address: str, device: str | None = None) -> list[tuple[str, Hashable]]:
    """The keys one login attempt counts on."""
    name = username.strip().lower()
    if device:
        return [("device", device)]
    return [("pair", (name, address)), ("address", address)]


Key = tuple[str, Hashable]


class Counts(Protocol):
    def get(self, key: Key) -> _Count | None: ...
    def put(self, key: Key, count: _Count) -> None: ...
    def delete(self, key: Key) -> None: ...
    def prune(self, now: float, rules: dict[str, Rule]) -> None: ...


class MemoryCounts:
    def __init__(self) -> None:
        self._counts: dict[Key, _Count] = {}

    def get(self, key: Key) -> _Count | None:
        return self._counts.get(key)

    def put(self, key: Key, count: _Count) -> None:
        self._counts[key] = count

    def delete(self, key: Key) -> None:
        self._counts.pop(key, None)

    def prune(self, now: float, rules: dict[str, Rule]) -> None:
        if len(self._counts) <= MAX_TRACKED_KEYS:
            return
        for key in [k for k, c in self._counts.items() if now - c.last > rules[k[0]].forget_after]:
            del self._counts[key]
        while len(self._counts) > MAX_TRACKED_KEYS:  # still too many: drop the oldest
            del self._counts[min(self._counts, key=lambda k: self._counts[k].last)]


def key_hash(key: Key) -> str:
    return hashlib.sha256(f"{key[0]}:{key[1]!r}".encode()).hexdigest()


class DatabaseCounts:
    """The counts in the login_failures table (bot/handoff/models.py)."""

    def __init__(self, store) -> None:
        from bot.handoff.models import LoginFailure

        self.engine = store.engine
        self.table = LoginFailure.__table__

    def get(self, key: Key) -> _Count | None:
        with self.engine.connect() as db:
            row = db.execute(self.table.select().where(self.table.c.key_hash == key_hash(key))).first()
        return _Count(row.failures, row.last_at, row.blocked_until) if row else None

    def put(self, key: Key, count: _Count) -> None:
        from sqlalchemy.exc import IntegrityError

        values = {"failures": count.failures, "last_at": count.last, "blocked_until": count.blocked_until}
        where = self.table.c.key_hash == key_hash(key)
        for _ in range(2):
            with self.engine.begin() as db:
                if db.execute(self.table.update().where(where).values(**values)).rowcount:
                    return
            try:
                with self.engine.begin() as db:
                    db.execute(self.table.insert().values(key_hash=key_hash(key), **values))
                return
            except IntegrityError:  # another process inserted it just now: update that row
                continue

    def delete(self, key: Key) -> None:
        with self.engine.begin() as db:
            db.execute(self.table.delete().where(self.table.c.key_hash == key_hash(key)))

    def prune(self, now: float, rules: dict[str, Rule]) -> None:
        oldest = now - max(rule.forget_after for rule in rules.values())
        with self.engine.begin() as db:
            db.execute(self.table.delete().where(self.table.c.last_at < oldest))


class LoginThrottle:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        rules: dict[str, Rule] | None = None,
        counts: Counts | None = None,
    ) -> None:
        self.clock = clock
        self.rules = rules or RULES
        self.counts: Counts = counts if counts is not None else MemoryCounts()

    def _get(self, key: Key, now: float) -> _Count | None:
        count = self.counts.get(key)
        if count is not None and now - count.last > self.rules[key[0]].forget_after:
            self.counts.delete(key)
            return None
        return count

    def wait_seconds(self, keys: Iterable[Key]) -> float:
        """0 if an attempt may be made now, else how long to wait."""
        now = self.clock()
        waits = [count.blocked_until - now for key in keys if (count := self._get(key, now))]
        return max([0.0, *waits])

    def failed(self, keys: Iterable[Key]) -> None:
        now = self.clock()
        self.counts.prune(now, self.rules)
        for key in keys:
            count = self._get(key, now) or _Count()
            count.failures += 1
            count.last = now
            count.blocked_until = now + delay_after(count.failures, self.rules[key[0]])
            self.counts.put(key, count)

    def succeeded(self, keys: Iterable[Key]) -> None:
        """A correct password: its own pair (or device) starts over. The address
        and name counts stay: one good login must not wipe out a spraying record."""
        for key in keys:
            if key[0] in ("pair", "device"):
                self.counts.delete(key)
