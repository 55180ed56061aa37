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


# -- the whole internet is down: that comes before the services that ride on it ------------

# E-mail and TV over the internet fail when the connection fails. A message that names
# one of them *and* says the internet as a whole is gone ("beim Mails abrufen merkte ich,
# dass das Internet futsch war") is an internet fault: the line is checked first, as the
# shop would. The classifier leans to the service because its words are the more specific.
DEPENDENT_SERVICES = frozenset({"email_problem", "tv_problem"})
WHOLE_INTERNET_DOWN = "internet_down"
NEGATIONS = frozenset({"nicht", "nie", "kein", "keine", "keinen", "nich"})


def internet_down_named(clauses: Iterable[tuple[list[str], list[set[str]]]]) -> bool:
    """Whether some clause names the internet (a word only the internet group covers)
    together with a "down" word that is not negated ("nicht weg"), and no e-mail or TV
    word ("Outlook meldet keine Verbindung" stays an e-mail problem).

    `clauses`: per clause its words and, per word, the vocabulary groups covering it."""
    for words, groups in clauses:
        if any(g & {"email", "tv"} for g in groups):
            continue
        internet = any("internet" in g and "down" not in g for g in groups)
        down = any("down" in g and (i == 0 or words[i - 1] not in NEGATIONS) for i, g in enumerate(groups))
        if internet and down:
            return True
    return False

