"""The handoff benchmark's worst case assumes the console's poll interval."""

import re

from bot.console.app import HERE
from bot.console.benchmark import CONSOLE_POLL_SECONDS


def test_the_benchmark_knows_the_console_poll_interval():
    script = (HERE / "static" / "console.js").read_text(encoding="utf-8")
    poll_ms = int(re.search(r"var POLL_MS = (\d+);", script).group(1))
    assert poll_ms / 1000 == CONSOLE_POLL_SECONDS
    assert CONSOLE_POLL_SECONDS < 2  # customer messages reach the agent within 2 s
