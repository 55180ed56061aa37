"""Unit tests for bot.nlu.vocabulary: gibberish is told apart from chat German."""

from __future__ import annotations

import pytest

from bot.nlu.vocabulary import Vocabulary, german_lexicon, words

TRAINING_WORDS = {"fritzbox", "wlan", "nee", "dsl", "speedport", "router", "internet", "tschüss"}


@pytest.fixture(scope="module")
def vocabulary():
    return Vocabulary(TRAINING_WORDS)


@pytest.mark.parametrize(
    "text",
    ["asdf jklö", "asdfasdf", "qwertz uiop", "xcvb", "jjjjjjj kkkk", "hjkl ölkj"],
)
def test_keyboard_mashing_is_gibberish(vocabulary, text):
    assert vocabulary.is_gibberish(text)


@pytest.mark.parametrize(
    "text",
    [
        "ja",
        "jaaa",
        "neeein",
        "nee",
        "Fritzbox",
        "die lampe blinkt",
        "die laempchen blinken",  # ae for ä
        "Routerlampe",  # compound of two known words
        "Verbindungsabbruch",  # compound with the linking s
        "tschüssikowski",  # a known word with a playful ending
        "asdf ja",  # one known word is enough
        "4711000001",  # numbers are not words: other checks handle them
        "???",
        "k",
    ],
)
def test_chat_german_is_not_gibberish(vocabulary, text):
    assert not vocabulary.is_gibberish(text)


def test_training_words_count_as_known():
    assert Vocabulary(lexicon=frozenset()).is_gibberish("speedport")
    assert not Vocabulary({"speedport"}, lexicon=frozenset()).is_gibberish("Speedport")


def test_lexicon_is_the_german_lookup_table():
    lexicon = german_lexicon()
    assert len(lexicon) > 100_000
    assert {"telefon", "lampe", "leuchtet", "leuchten", "geht", "störung", "stoerung"} <= lexicon


def test_words_are_letter_runs_in_lower_case():
    assert words("Die DSL-Lampe blinkt 3x!") == ["die", "dsl", "lampe", "blinkt", "x"]
