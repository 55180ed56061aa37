"""Reading a free-text reply against the answers of the open question.

The customer answers *this* question: "pc am kabel auch" to "Bricht die
Verbindung an allen Geräten ab, auch an einem Computer am Kabel?" means "yes,
everywhere", although no NLU intent says so. knowledge/answer_words.yml lists,
per answer, the words customers use for it. The answer whose words the message
contains, weighted by phrase length, wins; a phrase with a negation right
before or after it does not count ("handy geht" in "handy geht auch nicht").
A tie means: not clear from the words, let NLU decide as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import yaml

from bot.nlu.domain_vocabulary import Pattern, clause_words, compile_entry, entry_problems
from bot.paths import PROJECT_ROOT

ANSWER_WORDS_FILE = PROJECT_ROOT / "knowledge" / "answer_words.yml"
NEGATIONS = frozenset(
    {"nicht", "nich", "net", "kein", "keine", "keiner", "keinen", "keinem", "keines", "keins", "nie", "niemals",
     "nirgends", "nirgendwo", "nix", "nichts", "weder", "ohne"}
)
CLAUSE_BREAKS = frozenset({"aber", "sondern", "jedoch", "allerdings", "nur"})
# "kommt wieder die Meldung", "ist wieder an, gleiche Meldung": the device is back, the
# fault too; a step's own "fixed" words do not count then.
SAME_FAULT_MARKERS = frozenset(
    {"meldung", "fehlermeldung", "fehler", "gleiche", "gleichen", "selbe", "dieselbe", "derselbe"}
)
# For "solved" at any step, stricter still: "geht wieder los", "schon wieder", "leuchtet
# wieder, aber rot" are not the end of the problem.
UNSOLVED_MARKERS = SAME_FAULT_MARKERS | {"los", "schon", "immer", "trotzdem", "rot", "blinkt", "blinken", "schwarz"}
# With a negation in another clause: something still fails ("nur das Tablet nicht").
PARTLY_MARKERS = frozenset({"nur", "aber", "noch", "andere", "anderen", "anderes", "laptop", "tablet", "handy", "pc"})
FIXED = "fixed"  # the answer id of "it works now" in every tree
BEFORE, AFTER = 1, 3  # how far a negation reaches in a clause: "kein bild", "geht immer noch nicht"
FINAL_REACH = 8  # a clause-final negation reaches this far back: "geht seit heute früh nicht mehr"


@dataclass(frozen=True)
class AnswerWords:
    by_answer: Mapping[str, tuple[Pattern, ...]]  # answer id -> patterns, in every tree
    by_node: Mapping[str, Mapping[str, tuple[Pattern, ...]]]  # "area.node" -> answer id -> patterns
    not_at_hand: tuple[Pattern, ...] = ()  # "hab ich gerade nicht zur hand" while a number is asked for
    solved_now: tuple[Pattern, ...] = ()  # "es geht wieder!" at any step of any tree
    # area -> "that is not my problem" ("das internet ist nicht langsam!" in the slow tree)
    wrong_topic: Mapping[str, tuple[Pattern, ...]] = field(default_factory=dict)

    def patterns(self, area: str, node: str, answer_id: str) -> tuple[Pattern, ...]:
        # A phrase that this question gives to another answer means that answer
        # here: "blinkt trotzdem" is "not fixed" in general, but "it blinks" where
        # blinking has an answer of its own.
        own = self.by_node.get(f"{area}.{node}", {})
        claimed = {p.entry for other, patterns in own.items() if other != answer_id for p in patterns}
        general = tuple(p for p in self.by_answer.get(answer_id, ()) if p.entry not in claimed)
        return general + own.get(answer_id, ())

    def choose(self, area: str, node: str, answer_ids: Sequence[str], text: str) -> str | None:
        """The answer id the text means, or None when the words do not decide."""
        clauses = clause_words(text)
        if not clauses:
            return None
        scores = {a: score_text(self.patterns(area, node, a), clauses) for a in answer_ids}
        if FIXED in scores and any(set(words) & SAME_FAULT_MARKERS for words in clauses):
            scores[FIXED] = 0.0  # "bei HDMI 1 kommt wieder die Meldung" is not "fixed"
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        if not ranked or ranked[0][1] == 0:
            return None
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return None
        return ranked[0][0]


    def says_not_at_hand(self, text: str) -> bool:
        return score_text(self.not_at_hand, clause_words(text)) > 0

    def score_of(self, area: str, node: str, answer_id: str, text: str) -> float:
        return score_text(self.patterns(area, node, answer_id), clause_words(text))

    def solved_score(self, text: str) -> float:
        """How many words say the problem is gone (0: none); see says_solved."""
        clauses = clause_words(text)
        scores = [score(self.solved_now, words) for words in clauses]
        for words, solved in zip(clauses, scores, strict=True):
            found = set(words)
            if found & UNSOLVED_MARKERS:
                return 0.0
            # A negation in the solved clause ("jetzt geht das Telefon auch nicht mehr"), or
            # in another one that says something still fails ("nur das Tablet nicht"),
            # unlike "nein, ich starte nix neu, es geht jetzt".
            if found & NEGATIONS and (solved or found & PARTLY_MARKERS):
                return 0.0
        return sum(scores)

    def says_wrong_topic(self, area: str, text: str) -> bool:
        return score_text(self.wrong_topic.get(area, ()), clause_words(text)) > 0

    def says_solved(self, text: str) -> bool:
        """"Es geht wieder!", "jetzt gehn die mails raus": the problem is gone, whatever
        the open question asked. Stricter than an answer's words: only in a clause
        without a negation ("jetzt geht das Telefon auch nicht mehr"), not next to a
        clause that says something still fails ("die anderen sind wieder online, nur
        das Tablet nicht"), and not as "geht wieder los" (it starts again)."""
        return self.solved_score(text) > 0


def _negated(words: Sequence[str], start: int, end: int, final: bool = False) -> bool:
    after = list(words[end : end + AFTER])
    # A negation in the next clause belongs to it: "die lampen leuchten, aber kein internet".
    for index, word in enumerate(after):
        if word in CLAUSE_BREAKS:
            after = after[:index]
            break
    around = list(words[max(0, start - BEFORE) : start]) + after
    if any(w in NEGATIONS for w in around):
        return True
    if not final:
        return False
    # German puts the negation at the end of the clause, after the adverbials: "internet
    # geht seit heute früh nicht mehr". For statements (facts and entries of a first
    # message: "internet geht", "lampe leuchtet"), a negation among the clause's last two
    # words negates it, within FINAL_REACH words of the phrase. Not for answer words:
    # in "auch direkt daneben wird das netz nicht angezeigt" the "nicht" is the symptom.
    rest = list(words[end:])
    if len(rest) > FINAL_REACH or any(w in CLAUSE_BREAKS for w in rest):
        return False
    return any(w in NEGATIONS for w in rest[-2:])


def score(patterns: Iterable[Pattern], words: Sequence[str], final_negation: bool = False) -> float:
    """The weight of the message's words that the phrases cover. Overlapping
    phrases count their shared words once: "steckt hinten im router" and "im
    router" in one message are four words, not six, so a second, shorter
    phrase of another answer in the same message ("gelbe buchse", "stand lan")
    is not outweighed by one phrase counted twice."""
    covered: dict[int, float] = {}
    for pattern in patterns:
        own_negation = any(part.pattern in NEGATIONS for part in pattern.parts)
        for start in range(len(words)):
            if not pattern.matches_at(words, start):
                continue
            if not own_negation and _negated(words, start, start + len(pattern.parts), final_negation):
                continue
            for offset, part in enumerate(pattern.parts):
                weight = 0.5 if part.pattern == "[a-z0-9]*" else 1.0  # a lone "*" says little
                covered[start + offset] = max(covered.get(start + offset, 0.0), weight)
            break  # a phrase counts once
    return sum(covered.values())


def score_text(patterns: Iterable[Pattern], clauses: Sequence[Sequence[str]], final_negation: bool = False) -> float:
    """score() over the clauses of a message, each on its own."""
    patterns = tuple(patterns)
    return sum(score(patterns, words, final_negation) for words in clauses)


def _compile(entries: Iterable[str]) -> tuple[Pattern, ...]:
    return tuple(compile_entry(str(e)) for e in entries)


def parse(data: Mapping) -> AnswerWords:
    return AnswerWords(
        by_answer={str(k): _compile(v) for k, v in (data.get("answers") or {}).items()},
        by_node={
            str(node): {str(k): _compile(v) for k, v in answers.items()}
            for node, answers in (data.get("nodes") or {}).items()
        },
        not_at_hand=_compile(data.get("not_at_hand") or []),
        solved_now=_compile(data.get("solved_now") or []),
        wrong_topic={str(area): _compile(v) for area, v in (data.get("wrong_topic") or {}).items()},
    )


@lru_cache(maxsize=4)
def load_answer_words(path: Path = ANSWER_WORDS_FILE) -> AnswerWords:
    if not path.exists():
        return AnswerWords({}, {})
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def check_answer_words(data: Mapping, answers_by_node: Mapping[str, Sequence[str]]) -> list[str]:
    """Problems for `make validate`. answers_by_node: "area.node" -> its answer ids."""
    problems = []
    known_ids = {a for ids in answers_by_node.values() for a in ids}
    unknown_keys = set(data) - {"answers", "nodes", "not_at_hand", "solved_now", "wrong_topic"}
    areas = {node.split(".", 1)[0] for node in answers_by_node}
    for area, entries in (data.get("wrong_topic") or {}).items():
        if area not in areas:
            problems.append(f"answer_words.yml wrong_topic: no tree '{area}'")
        problems += [f"answer_words.yml wrong_topic.{area}: {p}" for e in entries or [] for p in entry_problems(str(e))]
    for section in ("not_at_hand", "solved_now"):
        for entry in data.get(section) or []:
            problems += [f"answer_words.yml {section}: {p}" for p in entry_problems(str(entry))]
    # A * could stand for the negation itself ("geht * wieder": "geht nicht wieder").
    starred = [str(e) for e in data.get("solved_now") or [] if "*" in str(e)]
    problems += [f"answer_words.yml solved_now: '{e}': no * here" for e in starred]
    if unknown_keys:
        problems.append(f"answer_words.yml: unknown sections {sorted(unknown_keys)}")
    for answer_id, entries in (data.get("answers") or {}).items():
        if answer_id not in known_ids:
            problems.append(f"answer_words.yml: no tree has an answer '{answer_id}'")
        problems += [f"answer_words.yml {answer_id}: {p}" for e in entries or [] for p in entry_problems(str(e))]
    for node, answers in (data.get("nodes") or {}).items():
        if node not in answers_by_node:
            problems.append(f"answer_words.yml: no question '{node}' (write <tree area>.<node id>)")
            continue
        for answer_id, entries in (answers or {}).items():
            if answer_id not in answers_by_node[node]:
                problems.append(f"answer_words.yml {node}: the question has no answer '{answer_id}'")
            where = f"answer_words.yml {node}.{answer_id}"
            problems += [f"{where}: {p}" for e in entries or [] for p in entry_problems(str(e))]
    return problems
