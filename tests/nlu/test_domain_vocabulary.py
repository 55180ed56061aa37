"""knowledge/vocabulary.yml and its matcher (bot/nlu/domain_vocabulary.py)."""

from __future__ import annotations

import pytest
import yaml

from bot.nlu.domain_vocabulary import (
    DomainVocabulary,
    VocabularyFile,
    check_vocabulary,
    compile_entry,
    entry_problems,
    load_vocabulary,
    normalise_words,
    read_vocabulary_file,
)
from bot.paths import PROJECT_ROOT


def _vocabulary(**groups: list[str]) -> DomainVocabulary:
    return DomainVocabulary.from_data({"name": n, "kind": "area", "words": w} for n, w in groups.items())


def test_words_are_compared_without_case_umlauts_and_punctuation():
    assert normalise_words("W-LAN geht nicht! Fernseher, Hörer, Straße") == [
        "w", "lan", "geht", "nicht", "fernseher", "hoerer", "strasse",
    ]


@pytest.mark.parametrize(
    "entry, text, hit",
    [
        ("sender", "kein Sender mehr", True),
        ("sender", "die Senderliste ist leer", False),  # a plain word is the whole word
        ("fernseh*", "der Fernseher bleibt schwarz", True),
        ("fernseh*", "das Fernsehbild friert ein", True),
        ("*fernsehen", "Kabelfernsehen geht nicht", True),
        ("*empfang*", "schlechte Empfangsqualität", True),
        ("bricht * ab", "die Verbindung bricht ständig ab", True),
        ("bricht * ab", "die Verbindung bricht ab", False),
        ("keiner hilft", "und KEINER hilft mir", True),
        ("w lan", "das W-LAN ist weg", True),
        ("hörer", "ich nehme den Hoerer ab", True),  # umlaut in the entry, ae/oe/ue in the text
    ],
)
def test_entries_match_whole_words_with_wildcards_and_phrases(entry, text, hit):
    assert bool(_vocabulary(tv=[entry]).mentioned(text)) is hit


def test_token_hits_cover_every_word_of_a_phrase():
    vocabulary = _vocabulary(dropouts=["bricht * ab"], internet=["internet*"])
    hits = vocabulary.token_hits(normalise_words("internet bricht dauernd ab"))
    assert hits == [{1}, {0}, {0}, {0}]


def test_the_word_index_finds_what_trying_every_entry_at_every_word_finds():
    vocabulary = load_vocabulary()

    def every_entry_everywhere(words):
        covered = [set() for _ in words]
        for index, (_, _, patterns) in enumerate(vocabulary.groups):
            for pattern in patterns:
                for start in range(len(words)):
                    if pattern.matches_at(words, start):
                        covered[start : start + len(pattern.parts)] = [
                            c | {index} for c in covered[start : start + len(pattern.parts)]
                        ]
        return covered

    for text in [
        "Mein Internet bricht ständig ab, und der Fernseher bleibt schwarz",
        "WLAN geht nicht im Schlafzimmer, am Kabel schon",
        "Frechheit!!! keiner hilft, ich will einen Menschen",
        "kein freizeichen am telefon und e-mails kommen nicht an",
        "",
    ]:
        words = normalise_words(text)
        assert vocabulary.token_hits(words) == every_entry_everywhere(words), text
        assert vocabulary.token_hits(words) == every_entry_everywhere(words)  # and again, from the index


@pytest.mark.parametrize(
    "entry, problem",
    [("", "empty"), ("t*", "at least 3"), ("*", "only *"), ("!!", "no letters"), ("w-lan*", "one word")],
)
def test_unusable_entries_are_named(entry, problem):
    assert any(problem in p for p in entry_problems(entry))


def test_the_checks_find_unknown_intents_duplicates_and_areas_sharing_a_word():
    file = VocabularyFile.parse_obj(
        {
            "groups": {
                "tv": {
                    "kind": "area", "about": "TV", "intents": ["tv_problem", "tv_kaputt"], "words": ["bild", "Bild"]
                },
                "phone": {"kind": "area", "about": "Telefon", "words": ["bild", "hörer"]},
                "down": {"kind": "symptom", "about": "weg", "words": ["hörer"]},  # symptom and area may share
            }
        }
    )
    problems = check_vocabulary(file, ["tv_problem", "phone_down"])
    assert any("tv_kaputt" in p for p in problems)
    assert any("listed twice" in p for p in problems)
    assert any("'tv' and 'phone'" in p for p in problems)
    assert len(problems) == 3


def test_the_file_rejects_unknown_keys_and_kinds():
    with pytest.raises(ValueError):
        VocabularyFile.parse_obj({"groups": {"tv": {"kind": "area", "about": "x", "words": ["a"], "wörter": []}}})
    with pytest.raises(ValueError):
        VocabularyFile.parse_obj({"groups": {"tv": {"kind": "gefuehl", "about": "x", "words": ["bild"]}}})


def test_the_shipped_vocabulary_is_valid_and_knows_the_customers_words():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert check_vocabulary(read_vocabulary_file(), domain["intents"]) == []
    vocabulary = load_vocabulary()
    assert "tv" in vocabulary.mentioned("Kabelfernsehen zeigt nur Klötzchen")
    assert "phone" in vocabulary.mentioned("es tutet nicht, wenn ich den Hörer abnehme")
    assert {"internet", "complaint"} <= set(vocabulary.mentioned("seit drei wochen kein internet und keiner hilft"))
    assert "dropouts" in vocabulary.mentioned("das WLAN bricht ständig ab")


def test_a_trained_model_keeps_the_words_it_was_trained_with():
    vocabulary = load_vocabulary()
    again = DomainVocabulary.from_data(vocabulary.as_data())
    assert again.names == vocabulary.names
    text = "Fernseher schwarz, Hotline nicht erreichbar"
    assert again.mentioned(text) == vocabulary.mentioned(text)


def test_compiled_wildcards_stay_inside_one_word():
    pattern = compile_entry("fernseh*")
    assert pattern.matches_at(["fernsehbild"], 0)
    assert not pattern.matches_at(["kabelfernsehen"], 0)
