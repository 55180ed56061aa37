"""The scenario benchmark (tests/scenarios) as a regression guard in `make test`.

Every scenario is played against the real bot: the trained model, the action
server and the SQLite tracker. `make bench` prints the same run in detail.
"""

from __future__ import annotations

from bot.diagnosis.engine import DiagnosisEngine
from bot.diagnosis.scenarios import load_scenarios, run_scenario

MIN_CORRECT = 0.95  # the target of the issue; the last measured rate is in README


def test_scenarios_reach_the_right_outcome(bot):
    engine = DiagnosisEngine.load()
    runs = [run_scenario(bot, engine, scenario) for scenario in load_scenarios()]
    wrong = [f"{r.scenario.id}: {r.problem or r.outcome} via {' -> '.join(r.path)}" for r in runs if not r.correct]
    home_tickets = [r.scenario.id for r in runs if r.scenario.fault == "home" and r.outcome == "ticket"]
    assert not home_tickets, f"a technician would be sent for a problem at home: {home_tickets}"
    assert 1 - len(wrong) / len(runs) >= MIN_CORRECT, "\n".join(wrong)
