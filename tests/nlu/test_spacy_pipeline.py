"""Unit tests for bot.nlu.spacy_pipeline.chat_lemma_table (the pure part of the pipeline build)."""

from __future__ import annotations

import pytest

from bot.nlu.spacy_pipeline import chat_lemma_table


def test_empty_table():
    assert chat_lemma_table({}) == {}


def test_input_table_is_not_modified():
    table = {"Lampen": "Lampe", "fällt": "fallen"}
    before = dict(table)
    chat_lemma_table(table)
    assert table == before


def test_lemmas_are_lower_case():
    result = chat_lemma_table({"Lampen": "Lampe", "Störungen": "Störung"})
    assert result["Lampen"] == "lampe"
    assert result["Störungen"] == "störung"


@pytest.mark.parametrize(
    ("table", "word", "lemma"),
    [
        ({"Lampen": "Lampe"}, "lampen", "lampe"),  # noun typed in lower case
        ({"Störungen": "Störung"}, "störungen", "störung"),
        ({"Störungen": "Störung"}, "stoerungen", "störung"),  # umlaut typed as oe
        ({"fällt": "fallen"}, "faellt", "fallen"),
        ({"Grüße": "Gruß"}, "gruesse", "gruß"),  # ß typed as ss
        ({"Anschlüsse": "Anschluss"}, "anschluesse", "anschluss"),
        ({"ÄRGER": "Ärger"}, "ärger", "ärger"),
        ({"ÄRGER": "Ärger"}, "aerger", "ärger"),
        ({"Geräte": "Gerät"}, "geraete", "gerät"),
        ({"blinkt": "blinken"}, "blinkt", "blinken"),
    ],
)
def test_chat_spellings_share_the_lemma(table, word, lemma):
    assert chat_lemma_table(table)[word] == lemma


def test_all_variants_of_one_entry():
    assert chat_lemma_table({"Störungen": "Störung"}) == {
        "Störungen": "störung",
        "störungen": "störung",
        "stoerungen": "störung",
    }


def test_entry_without_umlaut_adds_only_lower_case():
    assert chat_lemma_table({"Lampen": "Lampe"}) == {"Lampen": "lampe", "lampen": "lampe"}


@pytest.mark.parametrize(
    "table",
    [
        {"Ärzte": "Arzt", "aerzte": "aerzte"},
        {"aerzte": "aerzte", "Ärzte": "Arzt"},
    ],
)
def test_exact_entry_wins_over_transliteration(table):
    result = chat_lemma_table(table)
    assert result["aerzte"] == "aerzte"
    assert result["Ärzte"] == "arzt"
    assert result["ärzte"] == "arzt"


@pytest.mark.parametrize(
    "table",
    [
        {"Fällt": "Fall", "fällt": "fallen"},
        {"fällt": "fallen", "Fällt": "Fall"},
    ],
)
def test_lower_case_original_wins_over_capitalised_noun(table):
    # "fällt" (verb) and "Fällt" (sentence-initial, lemmatised as a noun): chat spellings follow the verb,
    # whatever order the lookup table has.
    result = chat_lemma_table(table)
    assert result["fällt"] == "fallen"
    assert result["faellt"] == "fallen"
    assert result["Fällt"] == "fall"


@pytest.mark.parametrize(
    "table",
    [
        {"Wegen": "Weg", "wegen": "wegen"},
        {"wegen": "wegen", "Wegen": "Weg"},
    ],
)
def test_lower_case_key_keeps_its_own_lemma(table):
    result = chat_lemma_table(table)
    assert result["wegen"] == "wegen"
    assert result["Wegen"] == "weg"


def test_every_original_key_is_kept():
    table = {"Lampen": "Lampe", "LAMPEN": "Lampe", "lampen": "lampe", "Häuser": "Haus"}
    result = chat_lemma_table(table)
    assert set(table) <= set(result)
    for key, value in table.items():
        assert result[key] == value.lower()


def test_result_values_are_all_lower_case():
    table = {"Lampen": "Lampe", "Störungen": "Störung", "ÄRGER": "Ärger", "fällt": "fallen"}
    assert all(value == value.lower() for value in chat_lemma_table(table).values())
