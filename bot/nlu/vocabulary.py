"""Does a message contain any word the assistant knows?

A character n-gram classifier gives every input some intent, and keyboard
mashing ("asdf jklö") can come out as "ja" with high confidence. In the middle of
a diagnosis that would record a check as done and could even close the chat as
"solved". A message in which not a single word is German (the German lexicon of
spacy-lookups-data) or a word of the training data is therefore treated as not
understood.

Chat spelling is forgiven: lower-case nouns, ae/oe/ue for umlauts, stretched
letters ("jaaa", "neeein"), compounds of two known words ("Routerlampe",
"Internetstörung") and odd endings of a known word ("tschüssikowski").
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

from bot.nlu.spacy_pipeline import TRANSLITERATION

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_STRETCHED = re.compile(r"(.)\1{2,}")
MIN_PART = 3  # shortest part of a compound that counts ("Box", "Netz")
MIN_PREFIX = 5  # a known start this long makes a word known


def words(text: str) -> list[str]:
    """Lower-case letter runs of a message; digits and signs are not words."""
    return [w.lower() for w in _WORD.findall(text or "")]


def _spellings(word: str) -> set[str]:
    variants = {word, word.translate(TRANSLITERATION)}
    for collapse in (r"\1", r"\1\1"):  # "jaaa" -> "ja", "neeein" -> "nein" / "neein"
        variants.add(_STRETCHED.sub(collapse, word))
    return variants


@functools.lru_cache(maxsize=1)
def german_lexicon() -> frozenset[str]:
    """Word forms and lemmas of spaCy's German lookup table, lower case and transliterated."""
    import spacy_lookups_data
    import srsly

    table = srsly.read_gzip_json(spacy_lookups_data.get_file("de_lemma_lookup.json.gz"))
    forms: set[str] = set()
    for key, value in table.items():
        for word in (key.lower(), value.lower()):
            forms.add(word)
            forms.add(word.translate(TRANSLITERATION))
    return frozenset(forms)


class Vocabulary:
    """Known words: the German lexicon plus the words of the training data."""

    def __init__(self, extra_words: Iterable[str] = (), lexicon: frozenset[str] | None = None) -> None:
        self._lexicon = german_lexicon() if lexicon is None else lexicon
        self._extra = frozenset(w.translate(TRANSLITERATION) for w in extra_words) | frozenset(extra_words)

    @property
    def extra_words(self) -> frozenset[str]:
        return self._extra

    def _plain(self, word: str) -> bool:
        return word in self._lexicon or word in self._extra

    def knows(self, word: str) -> bool:
        word = word.lower()
        for spelling in _spellings(word):
            if self._plain(spelling) or self._compound(spelling):
                return True
        return False

    def _compound(self, word: str) -> bool:
        # A long known start is enough: playful or misspelt endings
        # ("tschüssikowski", "Internetz") do not turn a word into gibberish.
        if any(self._plain(word[:i]) for i in range(MIN_PREFIX, len(word))):
            return True
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:i], word[i:]
            if not self._plain(head):
                continue
            # With and without the linking s ("Verbindungsabbruch").
            if self._plain(tail) or (tail.startswith("s") and self._plain(tail[1:])):
                return True
        return False

    def is_gibberish(self, text: str) -> bool:
        """True when the message has words but none of them is known.

        Messages without letters (a customer number, "???", an emoji) are not
        gibberish here; other checks handle those.
        """
        found = [w for w in words(text) if len(w) >= 2]
        return bool(found) and not any(self.knows(w) for w in found)
