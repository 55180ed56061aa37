"""Simulated customers over Rasa's REST channel, and what they measured.

Each user runs a scripted conversation again and again, one message at a
time (a customer waits for the answer before writing the next), each time as
a new customer (a new sender id). Every answer is checked: HTTP 200, every
message addressed to this customer (`recipient_id`), and, if the script says
so, the expected words in it. The latencies of the messages that passed are
what the percentiles are made of; the rest are counted as errors.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Sequence

import aiohttp

# One step of a conversation: what the customer writes, and what the answer must
# contain (None: any non-empty answer).
Step = tuple[str, str | None]


@dataclass
class Measurement:
    """What one load level measured against one bot."""

    label: str
    users: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    foreign: int = 0  # answers addressed to another customer
    conversations: int = 0
    error_samples: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[round(q) - 1]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def throughput(self) -> float:
        """Answered messages per second."""
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(text[:200])

    def merge(self, other: Measurement) -> None:
        self.seconds += other.seconds
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.foreign += other.foreign
        self.conversations += other.conversations
        self.error_samples = (self.error_samples + other.error_samples)[:5]


def check_answer(sender: str, status: int, body: object, expect: str | None) -> str | None:
    """Why an answer does not count (None: it does)."""
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(body, list) or not body:
        return "no answer"
    if any(not isinstance(m, dict) or m.get("recipient_id") != sender for m in body):
        return "foreign"
    if expect is not None:
        text = "\n".join(str(m.get("text") or "") for m in body)
        if expect.lower() not in text.lower():
            return f"expected {expect!r}, got {text[:120]!r}"
    return None


async def _conversation(
    session: aiohttp.ClientSession, url: str, script: Sequence[Step], result: Measurement, stop_at: float
) -> None:
    """One customer from the first message to the last (or to the first failure,
    or until `stop_at`: an answer that arrives later no longer counts)."""
    sender = f"load-{uuid.uuid4().hex[:16]}"
    for text, expect in script:
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            result.error(f"{type(error).__name__}: {error}")
            return
        if time.monotonic() > stop_at:
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        problem = check_answer(sender, status, body, expect)
        if problem == "foreign":
            result.foreign += 1
        if problem:
            result.error(problem)
            return
        result.latencies_ms.append(elapsed_ms)
    result.conversations += 1


def _session(users: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=60), connector=aiohttp.TCPConnector(limit=users + 5)
    )


async def run_level(url: str, users: int, seconds: float, script: Sequence[Step], label: str) -> Measurement:
    """`users` customers at once for `seconds`, against Rasa's REST webhook at `url`."""
    result = Measurement(label, users)
    async with _session(users) as session:
        started = time.monotonic()
        stop_at = started + seconds

        async def customer() -> None:
            while time.monotonic() < stop_at:
                await _conversation(session, url, script, result, stop_at)

        await asyncio.gather(*(customer() for _ in range(users)))
        result.seconds = time.monotonic() - started
    return result


def level(url: str, users: int, seconds: float, script: Sequence[Step], label: str) -> Measurement:
    return asyncio.run(run_level(url, users, seconds, script, label))


def warm_up(url: str, script: Sequence[Step], conversations: int = 3) -> Measurement:
    """A few whole conversations first: caches, lazy imports, TensorFlow's first graphs."""

    async def run() -> Measurement:
        result = Measurement("warm-up", 1)
        async with _session(1) as session:
            for _ in range(conversations):
                await _conversation(session, url, script, result, time.monotonic() + 120)
        return result

    return asyncio.run(run())
