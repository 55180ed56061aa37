"""The handoff benchmark measures what the agent's page shows (bot/console/benchmark.py)."""

from bot.console.app import HERE
from bot.console.benchmark import AGENT_SEES, _ms, _p95


def test_the_benchmark_waits_for_the_line_the_console_page_draws():
    script = (HERE / "static" / "console.js").read_text(encoding="utf-8")
    assert "#transcript .line.customer .text" in AGENT_SEES
    assert '"line " + line.who' in script and '"text")' in script  # the classes the benchmark looks for


def test_p95_and_the_summary_line():
    values = [i / 1000 for i in range(1, 101)]
    assert _p95(values) == 0.095
    assert _ms([0.1, 0.2, 0.3]) == "p50 200 ms, p95 300 ms, n=3"
