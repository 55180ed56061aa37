"""Two problem areas compete: ask, do not guess.

A wrong topic costs the customer more than one question: they answer questions
about lamps when their TV is the problem, and must start again. When the two
best intents are both problem areas, the best is not sure (below MAX_TOP), and
the second is close behind (at least RATIO of the best), the assistant asks one
short question with both as buttons (action_clarify, prompt "choose" in
knowledge/topics.yml). `make bench` prints how often that happens and how often
the right area is among the two.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from bot.clarify import NLU_FALLBACK
from bot.diagnosis.model import PROBLEM_AREAS

COMPETING_KEY = "competing_areas"  # parse data: the two areas the customer chooses from
MAX_TOP = 0.7
RATIO = 0.6


def competing_areas(
    ranking: Iterable[Mapping], max_top: float = MAX_TOP, ratio: float = RATIO
) -> tuple[str, str] | None:
    """The two problem areas to offer, or None when one is clearly ahead."""
    ranked = sorted(
        (r for r in ranking if r.get("name") != NLU_FALLBACK),
        key=lambda r: -float(r.get("confidence") or 0.0),
    )
    if len(ranked) < 2:
        return None
    first, second = ranked[0], ranked[1]
    if first.get("name") not in PROBLEM_AREAS or second.get("name") not in PROBLEM_AREAS:
        return None
    top, runner_up = float(first.get("confidence") or 0.0), float(second.get("confidence") or 0.0)
    if top >= max_top or runner_up < ratio * top:
        return None
    return str(first["name"]), str(second["name"])
