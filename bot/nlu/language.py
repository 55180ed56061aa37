"""A small, dependable guess whether a chat message is not German.

The assistant speaks German only. A customer who writes "my internet is not
working" should get a friendly German answer that says so, not a random German
troubleshooting step chosen by a classifier that was never trained on English.
Function words decide: they are frequent, short and distinct per language.
Loanwords that German customers use every day ("router", "reset", "login",
"internet", "ok", "sorry") are deliberately not counted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

GERMAN = "de"
ENGLISH = "en"
TURKISH = "tr"
OTHER_SCRIPT = "other-script"

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_GERMAN_WORDS = frozenset(
    """
    ich du sie er es wir ihr mein meine mich mir dich dir uns euch ist sind bin bist war
    nicht nichts kein keine keinen und oder aber der die das den dem des ein eine einen
    einem mit bei von zu zum zur auf für fuer im in an am seit noch schon auch mal nur
    geht gehts funktioniert wieder mehr wie was wo warum wann bitte danke hallo hilfe
    ja nein nee habe hab hat haben kann können koennen kommt leider immer gar sehr
    da steht zeigt sagt beim vom fehlermeldung meldung name heute gestern
    """.split()
)
_ENGLISH_WORDS = frozenset(
    """
    the is are am my your you i me we our it its this that not doesn't don't does do
    can can't cannot could please help with have has been since working work works
    what where why how when there here and but of to for on in at from no yes hello hi
    thanks thank anyone speak english connection slow problem
    """.split()
)
# Words that also occur in German chats and therefore prove nothing.
_AMBIGUOUS = frozenset({"in", "am", "an", "so", "hallo", "hi", "hello", "ok", "no", "problem", "was", "die", "man"})
_TURKISH_LETTERS = set("ğışĞİŞ")


@dataclass(frozen=True)
class LanguageGuess:
    language: str
    confident: bool

    @property
    def is_german(self) -> bool:
        return self.language == GERMAN or not self.confident


def _letters(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch).startswith("L")]


def guess_language(text: str) -> LanguageGuess:
    """Guess the language of a customer message; German unless clearly not."""
    letters = _letters(text)
    if not letters:
        return LanguageGuess(GERMAN, confident=False)
    non_latin = sum(1 for ch in letters if "LATIN" not in unicodedata.name(ch, ""))
    if non_latin / len(letters) > 0.5:
        return LanguageGuess(OTHER_SCRIPT, confident=True)

    words = [w.lower() for w in _WORD.findall(text.replace("’", "'"))]
    # Keep English contractions whole ("doesn't") by re-scanning with apostrophes.
    words += [w.lower() for w in re.findall(r"[A-Za-z]+'[a-z]+", text.replace("’", "'"))]
    german = sum(1 for w in words if w in _GERMAN_WORDS and w not in _AMBIGUOUS)
    english = sum(1 for w in words if w in _ENGLISH_WORDS and w not in _AMBIGUOUS)
    # German sentences name Turkish names ("Ayşe Yılmaz"), and quote English error
    # messages ("Fehlermeldung: no connection to the internet"): German words win.
    if german < 2 and sum(1 for ch in letters if ch in _TURKISH_LETTERS) >= 2:
        return LanguageGuess(TURKISH, confident=True)
    if german == 0 and english >= 2 or german > 0 and english >= 4 and english > 3 * german:
        return LanguageGuess(ENGLISH, confident=True)
    return LanguageGuess(GERMAN, confident=german > 0)
