"""Line check benchmark (part of `make bench`).

Against the real bot (Rasa server, action server, simulator over HTTP):
1. time from the customer's last identification message to the verdict reply,
   p50 and p95 over repeated conversations;
2. the delay a dead backend adds: the first message after the backend fails (one
   round of timeouts), and the following ones while the circuit breaker is open.
   The worst case is a backend that accepts connections but never answers (the
   simulator's "slow" mode); "unavailable" (HTTP 503) and "error" (HTTP 500) are
   measured as well.

    python -m bot.linecheck.benchmark [--runs 40] [--max-first-s 4] [--max-open-ms 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bot.devstack import LocalBot, local_bot
from bot.paths import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
CUSTOMERS = [("4711000001", "10115"), ("4711000002", "50667"), ("4711000003", "80331")]
OPENING = "Fritzbox DSL Lampe blinkt, Internet geht nicht"
TO_LINE_CHECK = '/inform{"diagnosis_answer": "none_works"}'
BREAKER_RESET = 15.0  # long enough to measure ten messages while the breaker is open


def _at_line_check(bot: LocalBot) -> str:
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    bot.send(sender, OPENING)
    bot.send(sender, TO_LINE_CHECK)
    if bot.slot(sender, "line_check_pending") is not True:
        raise RuntimeError("the conversation did not reach the line check")
    return sender


def _timed(bot: LocalBot, sender: str, message: str) -> tuple[float, str]:
    started = time.perf_counter()
    replies = bot.send(sender, message)
    return time.perf_counter() - started, "\n".join(r.get("text") or "" for r in replies)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Line check benchmark")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--max-first-s", type=float, default=4.0, help="target: first message, backend down")
    parser.add_argument("--max-open-ms", type=float, default=100.0, help="target: added delay, breaker open")
    args = parser.parse_args(argv)

    print("Line check benchmark: starting the bot ...", flush=True)
    failed = False
    with (
        tempfile.TemporaryDirectory() as work,
        local_bot(MODEL, Path(work), breaker_reset_seconds=BREAKER_RESET) as bot,
    ):
        _timed(bot, _at_line_check(bot), "4711000001 10115")  # warm-up
        healthy = []
        for i in range(args.runs):
            sender = _at_line_check(bot)
            number, postal = CUSTOMERS[i % len(CUSTOMERS)]
            seconds, text = _timed(bot, sender, f"meine kundennummer ist {number}, plz {postal}")
            if "Leitung geprüft" not in text and "nachgesehen" not in text:
                raise RuntimeError(f"no verdict in the reply: {text[:200]}")
            healthy.append(seconds)
        print(
            f"identification -> verdict reply ({args.runs} conversations): "
            f"p50 {statistics.median(healthy) * 1000:.0f} ms, p95 {percentile(healthy, 0.95) * 1000:.0f} ms"
        )
        # The same turn without any backend call: the customer has no number at hand.
        base = statistics.median(_timed(bot, _at_line_check(bot), "habe ich nicht")[0] for _ in range(10))
        print(f"the same turn without a backend call: median {base * 1000:.0f} ms (baseline for the added delay)")
        for mode in ("slow", "unavailable", "error"):
            bot.line_backend(mode, delay_seconds=30)
            first, text = _timed(bot, _at_line_check(bot), "4711000002 50667")
            if "nicht prüfen" not in text:
                raise RuntimeError(f"backend {mode}: the bot did not say so: {text[:200]}")
            following = [_timed(bot, _at_line_check(bot), "4711000002 50667")[0] for _ in range(10)]
            first_added = first - base
            open_added = statistics.median(following) - base
            print(
                f"backend {mode:<11}: first message +{first_added:.2f} s, "
                f"then (breaker open) {open_added * 1000:+.0f} ms (median of 10); "
            f"replies after {first:.2f} s, then {statistics.median(following) * 1000:.0f} ms"
            )
            if first_added > args.max_first_s or open_added * 1000 > args.max_open_ms:
                print(f"FAILED: targets are <= {args.max_first_s} s once, then <= {args.max_open_ms} ms")
                failed = True
            bot.line_backend("normal")
            time.sleep(BREAKER_RESET + 0.5)  # let the breaker try again before the next mode
            _timed(bot, _at_line_check(bot), "4711000001 10115")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
