"""The customers' words for areas, devices, symptoms and moods (knowledge/vocabulary.yml).

Real customers rarely say "internet_down". They write "Netz", "Sender", "Hörer",
"nix geht", "Schneckentempo", "keiner hilft". Support leads collect such words in
knowledge/vocabulary.yml, one group per thing they point to; the NLU gets one
feature per group (bot.nlu.components.DomainVocabularyFeaturizer), so a word
that never occurs in the training examples still points the classifier to its
area, and `make validate` checks the file.

Matching works on normalised words: lower case, umlauts as ae/oe/ue, ß as ss,
letters and digits only ("W-LAN" is the two words "w lan"). An entry is one word
or several in a row; inside each, "*" stands for any letters:
- "sender" matches the word "sender" only,
- "fernseh*" matches "fernseher", "fernsehen", "fernsehbild",
- "*fernsehen" matches "kabelfernsehen",
- "*empfang*" matches "tv-empfang" and "empfangsprobleme",
- "bricht * ab" matches "bricht ständig ab".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import yaml
from pydantic import BaseModel, Extra, validator

from bot.paths import PROJECT_ROOT

VOCABULARY_FILE = PROJECT_ROOT / "knowledge" / "vocabulary.yml"
KINDS = ("area", "symptom", "mood", "request")
MIN_WILDCARD_STEM = 3  # "tv*" is fine, "t*" would match half the language
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")


def normalise_words(text: str) -> list[str]:
    """The words of a text as the vocabulary compares them."""
    text = unicodedata.normalize("NFKC", text or "").lower().translate(_TRANSLITERATION)
    return _WORD.findall(text)


_CLAUSE_END = re.compile(r"[,.;:!?()\n]+|\s[-–]\s")


def clause_words(text: str) -> list[list[str]]:
    """The words of each clause (split at punctuation): a negation in one clause
    says nothing about the next ("Fernsehen geht nicht, Internet geht")."""
    return [words for part in _CLAUSE_END.split(text or "") if (words := normalise_words(part))]


class Group(BaseModel, extra=Extra.forbid):
    kind: str
    about: str
    intents: list[str] = []  # the intents these words point to (documentation and checks)
    words: list[str]

    @validator("kind")
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        return value

    @validator("words")
    def _some_words(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("a group needs at least one word")
        return value


class VocabularyFile(BaseModel, extra=Extra.forbid):
    groups: dict[str, Group]


@dataclass(frozen=True)
class Pattern:
    """One entry: a run of word patterns, each a regex over a whole normalised word."""

    entry: str
    parts: tuple[re.Pattern, ...]

    def matches_at(self, words: Sequence[str], start: int) -> bool:
        if start + len(self.parts) > len(words):
            return False
        return all(part.fullmatch(words[start + i]) for i, part in enumerate(self.parts))


def entry_problems(entry: str) -> list[str]:
    """Why an entry cannot be used (empty list: it is fine)."""
    problems = []
    tokens = entry.split()
    if not tokens:
        return ["empty entry"]
    for token in tokens:
        stem = token.replace("*", "")
        words = normalise_words(stem)
        if token != "*" and not words:
            problems.append(f"'{token}' has no letters or digits")
        elif "*" in token and token != "*" and len(stem) < MIN_WILDCARD_STEM:
            problems.append(f"'{token}': a word with * needs at least {MIN_WILDCARD_STEM} letters")
        elif len(words) > 1 and "*" in token:
            problems.append(f"'{token}': * only inside one word (write the parts as separate words)")
    if all(token == "*" for token in tokens):
        problems.append("an entry of only * matches everything")
    return problems


def compile_entry(entry: str) -> Pattern:
    parts: list[re.Pattern] = []
    for token in entry.split():
        if "*" in token:
            pieces = [re.escape("".join(normalise_words(piece))) for piece in token.split("*")]
            parts.append(re.compile("[a-z0-9]*".join(pieces)))
        else:
            parts.extend(re.compile(re.escape(word)) for word in normalise_words(token))
    return Pattern(entry, tuple(parts))


MAX_CACHED_WORDS = 50_000  # distinct words remembered per vocabulary (a few MB)


@dataclass(frozen=True)
class DomainVocabulary:
    """Groups of patterns; hits() says which groups a text mentions, and where."""

    groups: tuple[tuple[str, str, tuple[Pattern, ...]], ...]  # (name, kind, patterns)

    def __post_init__(self) -> None:
        # Every (group index, pattern), and per word the ones whose first part fits
        # it: each customer message is read several times per turn, and trying
        # every pattern at every word was the NLU's largest cost under load.
        flat = tuple((index, p) for index, (_, _, patterns) in enumerate(self.groups) for p in patterns if p.parts)
        object.__setattr__(self, "_flat", flat)
        object.__setattr__(self, "_by_first_word", {})

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.groups]

    def _starting_with(self, word: str) -> tuple[tuple[int, Pattern], ...]:
        cache: dict = self._by_first_word  # type: ignore[attr-defined]
        found = cache.get(word)
        if found is None:
            found = tuple((index, p) for index, p in self._flat if p.parts[0].fullmatch(word))  # type: ignore[attr-defined]
            if len(cache) < MAX_CACHED_WORDS:
                cache[word] = found
        return found

    def token_hits(self, words: Sequence[str]) -> list[set[int]]:
        """For each word, the indexes of the groups whose entries cover it."""
        covered: list[set[int]] = [set() for _ in words]
        for start, word in enumerate(words):
            for index, pattern in self._starting_with(word):
                if pattern.matches_at(words, start):
                    for position in range(start, start + len(pattern.parts)):
                        covered[position].add(index)
        return covered

    def mentioned(self, text: str) -> list[str]:
        """Names of the groups a text mentions, in file order."""
        hits = set().union(*self.token_hits(normalise_words(text)) or [set()])
        return [name for index, name in enumerate(self.names) if index in hits]

    def clause_groups(self, text: str) -> list[tuple[list[str], list[set[str]]]]:
        """Per clause (clause_words), its words and the names of the groups covering each."""
        names = self.names
        return [
            (words, [{names[i] for i in hits} for hits in self.token_hits(words)]) for words in clause_words(text)
        ]

    def kinds_mentioned(self, text: str) -> set[str]:
        """The kinds (area, symptom, mood, request) of the groups a text mentions."""
        mentioned = set(self.mentioned(text))
        return {kind for name, kind, _ in self.groups if name in mentioned}

    def as_data(self) -> list[dict]:
        """What a trained model stores, so that it keeps the words it was trained with."""
        return [
            {"name": name, "kind": kind, "words": [p.entry for p in patterns]} for name, kind, patterns in self.groups
        ]

    @classmethod
    def from_data(cls, data: Iterable[dict]) -> DomainVocabulary:
        return cls(
            tuple(
                (g["name"], g["kind"], tuple(compile_entry(e) for e in g["words"] if not entry_problems(e)))
                for g in data
            )
        )

    @classmethod
    def from_file(cls, file: VocabularyFile) -> DomainVocabulary:
        return cls.from_data(
            {"name": name, "kind": group.kind, "words": group.words} for name, group in file.groups.items()
        )


def read_vocabulary_file(path: Path = VOCABULARY_FILE) -> VocabularyFile:
    return VocabularyFile.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> DomainVocabulary:
    return DomainVocabulary.from_file(read_vocabulary_file(path))


def _entry_key(entry: str) -> str:
    return " ".join("*".join("".join(normalise_words(p)) for p in token.split("*")) for token in entry.split())


def check_vocabulary(file: VocabularyFile, intents: Iterable[str]) -> list[str]:
    """Problems a support lead must fix; `make validate` prints them."""
    known = set(intents)
    problems: list[str] = []
    area_owner: dict[str, str] = {}
    for name, group in file.groups.items():
        for intent in group.intents:
            if intent not in known:
                problems.append(f"group '{name}': intent '{intent}' is not in domain.yml")
        seen: set[str] = set()
        for entry in group.words:
            for problem in entry_problems(entry):
                problems.append(f"group '{name}', entry '{entry}': {problem}")
            key = _entry_key(entry)
            if key in seen:
                problems.append(f"group '{name}': '{entry}' is listed twice")
            seen.add(key)
            if group.kind == "area":
                other = area_owner.setdefault(key, name)
                if other != name:
                    problems.append(f"'{entry}' is in the area groups '{other}' and '{name}': keep it in one")
    return problems
