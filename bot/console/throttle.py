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

Plain Python with an injectable clock; kept in memory (one console process).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable

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


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic, rules: dict[str, Rule] | None = None) -> None:
        self.clock = clock
        self.rules = rules or RULES
        self._counts: dict[tuple[str, Hashable], _Count] = {}

    def _get(self, key: tuple[str, Hashable], now: float) -> _Count | None:
        count = self._counts.get(key)
        if count is not None and now - count.last > self.rules[key[0]].forget_after:
            del self._counts[key]
            return None
        return count

    def wait_seconds(self, keys: Iterable[tuple[str, Hashable]]) -> float:
        """0 if an attempt may be made now, else how long to wait."""
        now = self.clock()
        waits = [count.blocked_until - now for key in keys if (count := self._get(key, now))]
        return max([0.0, *waits])

    def failed(self, keys: Iterable[tuple[str, Hashable]]) -> None:
        now = self.clock()
        if len(self._counts) > MAX_TRACKED_KEYS:
            self._forget_old(now)
        for key in keys:
            count = self._get(key, now) or self._counts.setdefault(key, _Count())
            count.failures += 1
            count.last = now
            count.blocked_until = now + delay_after(count.failures, self.rules[key[0]])

    def succeeded(self, keys: Iterable[tuple[str, Hashable]]) -> None:
        """A correct password: its own pair (or device) starts over. The address
        and name counts stay: one good login must not wipe out a spraying record."""
        for key in keys:
            if key[0] in ("pair", "device"):
                self._counts.pop(key, None)

    def _forget_old(self, now: float) -> None:
        for key in [k for k, c in self._counts.items() if now - c.last > self.rules[k[0]].forget_after]:
            del self._counts[key]
        while len(self._counts) > MAX_TRACKED_KEYS:  # still too many: drop the oldest
            del self._counts[min(self._counts, key=lambda k: self._counts[k].last)]
