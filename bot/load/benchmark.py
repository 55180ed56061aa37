"""Load benchmark (`make bench`): this bot and a stock `rasa init` bot, side by side.

Both run on this machine in the same run and get the same REST client
(bot/load/client.py), alternating level by level: 1, 10 and 50 simultaneous
customers. The stock bot (Rasa 3.6.21, its own `rasa init` project, trained
once under var/bench/stock) talks its 7-message demo conversation; this bot
(started as `make run` starts it: Rasa, action server, line simulator, SQLite)
runs a realistic 7-message diagnosis with the line check. Printed: p50 and p95
latency per message, messages per second, errors, answers addressed to another
customer, the Rasa server's peak memory, and the ratios the targets are about.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

from bot.devstack import Scale, free_port, local_bot
from bot.load.client import Measurement, Step, level, warm_up
from bot.paths import PROJECT_ROOT

STOCK_DIR = PROJECT_ROOT / "var" / "bench" / "stock"
MODEL = PROJECT_ROOT / "models" / "current.tar.gz"

# The stock bot's own demo conversation (rasa init's stories and rules).
STOCK_SCRIPT: list[Step] = [
    ("hello", None),
    ("I am sad", None),
    ("yes", None),
    ("hi", None),
    ("great", None),
    ("are you a bot?", "bot"),
    ("bye", "Bye"),
]
# A customer whose internet is down on every device: the line check first
# (demo customer 4711000001: the line is fine), then the router and its lamps,
# with a FRITZ!Box whose DSL lamp blinks. The expected words show each answer
# is on the right path.
BOT_SCRIPT: list[Step] = [
    ("Mein Internet geht seit heute früh nicht mehr", "anderen Gerät"),
    ("nein, auf keinem Gerät", "Kundennummer"),
    ("4711000001", "Postleitzahl"),
    ("10115", "Leitung geprüft"),
    ("FRITZ!Box", "Lampe"),
    ("die DSL Lampe blinkt", "Kabel"),
    ("nein, es geht immer noch nicht", "neu"),
]
USERS = (1, 10, 50)
ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
BENCH_REDIS = "redis://127.0.0.1:6379/6"  # not the one `make run-scaled` uses
TWO = "this bot, 2 processes"


@contextmanager
def fresh_database(name: str = "stoerungschat_bench") -> Iterator[str]:
    """An empty PostgreSQL database for the two-process set-up, dropped afterwards."""
    import psycopg2
    from psycopg2 import sql

    admin = psycopg2.connect(ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _rasa_env() -> dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}


def ensure_stock_bot(directory: Path = STOCK_DIR) -> Path:
    """`rasa init` once (it trains its model); later runs reuse it."""
    models = sorted((directory / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    directory.mkdir(parents=True, exist_ok=True)
    print(f"training the stock bot in {directory} (once) ...", flush=True)
    rasa = Path(sys.executable).with_name("rasa")
    subprocess.run(
        [str(rasa), "init", "--no-prompt", "--init-dir", str(directory)],
        cwd=directory, env=_rasa_env(), check=True, stdout=subprocess.DEVNULL,
    )
    return sorted((directory / "models").glob("*.tar.gz"))[-1]


@contextmanager
def stock_bot(model: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    rasa = Path(sys.executable).with_name("rasa")
    log = model.parent.parent / "rasa.log"
    process = subprocess.Popen(
        [str(rasa), "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1"],
        cwd=model.parent.parent, env=_rasa_env(), stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the stock bot exited:\n{log.read_text()[-2000:]}")
            try:
                if requests.get(url, timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the stock bot did not come up")
            time.sleep(0.5)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _row(m: Measurement) -> str:
    return (
        f"| {m.label} | {m.users} | {m.p50:.0f} ms | {m.p95:.0f} ms | {m.throughput:.1f} | "
        f"{m.conversations} | {m.errors} | {m.foreign} |"
    )


def measure(seconds: float, rounds: int, users: tuple[int, ...]) -> int:
    stock_model = ensure_stock_bot()
    results: dict[tuple[str, int], Measurement] = {}
    with tempfile.TemporaryDirectory(prefix="load-") as work, stock_bot(stock_model) as (stock_url, stock_pid):
        with local_bot(MODEL, Path(work) / "one") as ours, fresh_database() as database, local_bot(
            MODEL, Path(work) / "two", scale=Scale(2, database, BENCH_REDIS)
        ) as two:
            targets = {
                "stock": (f"{stock_url}/webhooks/rest/webhook", STOCK_SCRIPT),
                "this bot": (f"{ours.rasa_url}/webhooks/rest/webhook", BOT_SCRIPT),
                TWO: (f"{two.rasa_url}/webhooks/rest/webhook", BOT_SCRIPT),
            }
            for label, (url, script) in targets.items():
                first = warm_up(url, script)
                if first.errors:
                    print(f"{label}: warm-up failed: {first.error_samples}", file=sys.stderr)
                    return 2
            for _ in range(rounds):
                for count in users:
                    for label, (url, script) in targets.items():
                        measured = level(url, count, seconds, script, label)
                        results.setdefault((label, count), Measurement(label, count)).merge(measured)
                        print(_row(measured), flush=True)
            memory = {"stock": peak_memory_mb(stock_pid), "this bot": peak_memory_mb(ours.rasa_pid)}
            for i, pid in enumerate(two.rasa_pids, 1):
                memory[f"{TWO}, process {i}"] = peak_memory_mb(pid)
    print()
    print("| bot | users | p50 | p95 | msg/s | conversations | errors | foreign answers |")
    print("|---|---|---|---|---|---|---|---|")
    for key in sorted(results, key=lambda k: (k[1], k[0])):
        print(_row(results[key]))
    print()
    for label, mb in memory.items():
        print(f"Rasa server peak memory, {label}: {mb:.0f} MB")
    return report(results, memory)


def report(results: dict[tuple[str, int], Measurement], memory: dict[str, float]) -> int:
    """The targets of issue 15 as ratios; 1 if one is missed."""
    checks: list[tuple[str, bool]] = []

    def get(label: str, users: int) -> Measurement | None:
        return results.get((label, users))

    one, one_stock = get("this bot", 1), get("stock", 1)
    if one and one_stock:
        ratio = one.p50 / one_stock.p50
        checks.append((f"1 user: p50 {ratio:.2f}× the stock bot's (target ≤ 1.5×)", ratio <= 1.5))
    ten, ten_stock = get("this bot", 10), get("stock", 10)
    if ten and ten_stock:
        ratio = ten.throughput / ten_stock.throughput
        checks.append((f"10 users: throughput {ratio:.2f}× the stock bot's (target ≥ 1.0×)", ratio >= 1.0))
    ten_two = get(TWO, 10)
    if ten and ten_two:
        ratio = ten_two.throughput / ten.throughput
        checks.append((f"10 users: two processes {ratio:.2f}× one process's throughput (target ≥ 1.3×)", ratio >= 1.3))
    fifty, fifty_one, fifty_stock = get(TWO, 50), get("this bot", 50), get("stock", 50)
    if fifty:
        checks.append((f"50 users, two processes: p95 {fifty.p95 / 1000:.2f} s (target ≤ 3 s)", fifty.p95 <= 3000))
    if fifty_one and fifty_stock:
        # Information, not a target: on 2 cores one process of either bot is about at its limit.
        print(
            f"info    50 users, one process: p95 {fifty_one.p95 / 1000:.2f} s "
            f"(the stock bot's one process: {fifty_stock.p95 / 1000:.2f} s)"
        )
    errors = sum(m.errors for (label, _), m in results.items() if label != "stock")
    foreign = sum(m.foreign for m in results.values())
    checks.append((f"errors {errors}, answers to another customer {foreign} (target 0)", errors == 0 and foreign == 0))
    ours = {label: mb for label, mb in memory.items() if label != "stock"}
    heaviest = max(ours.values(), default=float("nan"))
    checks.append((f"Rasa server peak memory, largest process {heaviest:.0f} MB (target ≤ 1229 MB)", heaviest <= 1229))
    for text, ok in checks:
        print(("ok      " if ok else "MISSED  ") + text)
    return 0 if all(ok for _, ok in checks) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per level and bot, per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--users", type=int, nargs="+", default=list(USERS))
    parser.add_argument("--enforce", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    code = measure(args.seconds, args.rounds, tuple(args.users))
    return code if args.enforce or code == 2 else 0


if __name__ == "__main__":
    sys.exit(main())
