"""Scenario benchmark for the guided diagnosis (part of `make bench`).

Each scenario in tests/scenarios/*.yml has a hidden true cause and a scripted
customer who answers truthfully, in free German text, whatever the bot asks. The
scenarios run against the real bot (Rasa server, action server, trained model,
SQLite tracker). The bot's position in the tree comes from the tracker store.

    python -m bot.diagnosis.scenarios [--min-correct 0.95] [--max-median-turns 6]

Reports the rate of correct outcomes (home fault: resolved or the right advice,
never a ticket; line fault: line check or ticket), and median and maximum
customer turns until the outcome. When the bot asks for the customer number, the
customer gives the simulator's demo line that matches the hidden cause (field
`line`, else healthy for home faults and a fitting fault for line faults), or
says they do not have it (`line: none`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.channels.edge import MAX_SENDER_ID_CHARS
from bot.devstack import LocalBot, local_bot
from bot.diagnosis.engine import DiagnosisEngine, DiagnosisState
from bot.diagnosis.model import OutcomeNode
from bot.paths import PROJECT_ROOT

SCENARIO_DIR = PROJECT_ROOT / "tests" / "scenarios"
MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
DONT_KNOW = "weiß ich nicht"
MAX_TURNS = 25


@dataclass(frozen=True)
class Scenario:
    id: str
    area: str
    cause: str
    fault: str  # home or line
    expected: tuple[str, ...]
    opening: str
    replies: dict[str, str]
    router: str | None = None
    line: str | None = None  # demo line in the simulator; None: derived from fault and area


@dataclass
class Run:
    scenario: Scenario
    outcome: str | None = None
    turns: int = 0
    path: list[str] = field(default_factory=list)
    problem: str | None = None

    @property
    def correct(self) -> bool:
        if self.outcome is None:
            return False
        if self.scenario.fault == "home" and self.outcome == "ticket":
            return False  # never a technician for a problem at home
        return self.outcome in self.scenario.expected


def load_scenarios(folder: Path = SCENARIO_DIR) -> list[Scenario]:
    scenarios = []
    for path in sorted(folder.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]:
            scenarios.append(
                Scenario(
                    id=raw["id"],
                    area=path.stem,
                    cause=raw["cause"],
                    fault=raw["fault"],
                    expected=tuple(raw["expected"]),
                    opening=raw["opening"],
                    replies={str(k): str(v) for k, v in (raw.get("replies") or {}).items()},
                    router=raw.get("router"),
                    line=raw.get("line"),
                )
            )
    return scenarios


# The simulator's demo customers (bot/linecheck/demo_customers.yml, README).
DEMO_LINES = {
    "healthy": ("4711000001", "10115"),
    "fault": ("4711000002", "50667"),
    "outage": ("4711000003", "80331"),
    "unstable": ("4711000004", "20095"),
    "slow": ("4711000005", "01067"),
    "telephony": ("4711000006", "60311"),
}
# What the line looks like for a line fault when a scenario does not say.
LINE_FAULT_BY_AREA = {"internet_slow": "slow", "internet_dropouts": "unstable", "phone_down": "telephony"}
NO_IDENTIFICATION = "habe ich gerade nicht zur hand"


def identification_reply(scenario: Scenario) -> str:
    """What the scripted customer answers when asked for the customer number."""
    line = scenario.line or (
        "healthy" if scenario.fault == "home" else LINE_FAULT_BY_AREA.get(scenario.area, "fault")
    )
    return identification_for_line(line)


def identification_for_line(line: str) -> str:
    """The customer number and postal code of a demo line; "none" or an unknown
    line: the customer has no customer number at hand."""
    if line not in DEMO_LINES:
        return NO_IDENTIFICATION
    number, postal_code = DEMO_LINES[line]
    return f"meine kundennummer ist {number}, plz {postal_code}"


def run_scenario(bot: LocalBot, engine: DiagnosisEngine, scenario: Scenario) -> Run:
    sender = f"scenario-{uuid.uuid4().hex[:6]}-{scenario.id}"[:MAX_SENDER_ID_CHARS]
    run = Run(scenario)
    bot.send(sender, scenario.opening)
    run.turns = 1
    while run.turns <= MAX_TURNS:
        data = bot.slot(sender, "diagnosis")
        if not data:
            run.problem = "no diagnosis started after the opening message"
            return run
        state = DiagnosisState.from_dict(data)
        handed_over = any(step.kind == "handover" for step in state.steps)  # e.g. WLAN -> internet
        if state.area != scenario.area and not handed_over:
            run.problem = f"diagnosis for '{state.area}' instead of '{scenario.area}'"
            return run
        node = engine.tree(state.area).nodes[state.node]
        if isinstance(node, OutcomeNode):
            run.outcome = node.outcome.value
            run.path = [step.node for step in state.steps] + [state.node]
            return run
        if bot.slot(sender, "diagnosis_active") is False:
            run.problem = f"diagnosis stopped at '{state.node}'"
            return run
        if engine.prompt(state).kind == "line_check":
            reply = identification_reply(scenario)  # the bot asks for the customer number
        elif engine.prompt(state).kind == "router_question":
            router = engine.routers.routers.get(scenario.router or "")
            reply = f"das ist eine {router.name}" if router else DONT_KNOW
        else:
            reply = scenario.replies.get(state.node, DONT_KNOW)
        before = (state.node, len(state.steps), state.router_asked)
        bot.send(sender, reply)
        run.turns += 1
        after = DiagnosisState.from_dict(bot.slot(sender, "diagnosis"))
        if (after.node, len(after.steps), after.router_asked) == before:
            run.path.append(f"{state.node}: not understood: {reply!r}")
    run.problem = f"no outcome after {MAX_TURNS} turns"
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scenario benchmark for the guided diagnosis")
    parser.add_argument("--min-correct", type=float, default=None, help="fail below this rate of correct outcomes")
    parser.add_argument("--max-median-turns", type=float, default=None)
    parser.add_argument("--area", help="only the scenarios of one problem area")
    args = parser.parse_args(argv)

    scenarios = [s for s in load_scenarios() if args.area in (None, s.area)]
    engine = DiagnosisEngine.load()
    print(f"{len(scenarios)} scenarios in {len({s.area for s in scenarios})} areas; starting the bot ...", flush=True)
    with tempfile.TemporaryDirectory() as work, local_bot(MODEL, Path(work)) as bot:
        runs = [run_scenario(bot, engine, s) for s in scenarios]

    for run in runs:
        mark = "ok  " if run.correct else "FAIL"
        detail = run.problem or f"outcome {run.outcome} (expected {'/'.join(run.scenario.expected)})"
        print(f"{mark} {run.scenario.id:<45} {run.turns:2d} turns  {detail}")
        if not run.correct:
            print(f"       cause: {run.scenario.cause}; path: {' -> '.join(run.path)}")
    finished = [r for r in runs if r.outcome]
    correct = sum(r.correct for r in runs) / len(runs)
    turns = [r.turns for r in finished] or [0]
    home_tickets = sum(1 for r in runs if r.scenario.fault == "home" and r.outcome == "ticket")
    print(
        f"\ncorrect outcomes: {correct:.1%} ({sum(r.correct for r in runs)}/{len(runs)}); "
        f"customer turns to the outcome: median {statistics.median(turns):g}, max {max(turns)}; "
        f"tickets for home faults: {home_tickets}"
    )
    failed = False
    if args.min_correct is not None and correct < args.min_correct:
        print(f"FAILED: correct outcomes {correct:.1%} < {args.min_correct:.0%}")
        failed = True
    if args.max_median_turns is not None and statistics.median(turns) > args.max_median_turns:
        print(f"FAILED: median turns {statistics.median(turns):g} > {args.max_median_turns:g}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
