"""The NLU graph components of bot/nlu/components.py, on hand-made Rasa messages."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import (
    AreaDisambiguator,
    DomainVocabularyFeaturizer,
    InternetFirstReader,
    MoodAreaReader,
    MoodClassifier,
    sentence_matrix,
)
from bot.nlu.domain_vocabulary import load_vocabulary


def _message(text: str) -> Message:
    message = Message(data={TEXT: text})
    tokens, position = [], 0
    for word in text.split():
        start = text.index(word, position)
        tokens.append(Token(word, start))
        position = start + len(word)
    message.set(TOKENS_NAMES[TEXT], tokens)
    return message


def _with_sentence_features(*blocks: tuple[str, list[float], bool]) -> Message:
    message = Message(data={TEXT: "x"})
    for origin, values, sparse in blocks:
        matrix = scipy.sparse.coo_matrix([values]) if sparse else np.array([values])
        message.add_features(Features(matrix, "sentence", TEXT, origin))
    return message


def test_each_featurizer_block_is_damped_and_scaled_to_unit_length():
    long = _with_sentence_features(("CountVectorsFeaturizer3", [40.0, 40.0, 0.0], True), ("Vocab5", [1.0, 0.0], True))
    short = _with_sentence_features(("CountVectorsFeaturizer3", [1.0, 1.0, 0.0], True), ("Vocab5", [1.0, 0.0], True))
    matrix = sentence_matrix([long, short], {}).toarray()
    np.testing.assert_allclose(matrix[0], matrix[1])  # a long text is not louder than a short one
    np.testing.assert_allclose(np.linalg.norm(matrix[0][:3]), 1.0)


def test_block_weights_multiply_the_block_of_the_named_featurizer():
    message = _with_sentence_features(
        ("CountVectorsFeaturizer3", [1.0, 0.0], True), ("DomainVocabularyFeaturizer7", [1.0], True)
    )
    matrix = sentence_matrix([message], {"DomainVocabularyFeaturizer": 2.0}).toarray()
    np.testing.assert_allclose(matrix[0], [1.0, 0.0, 2.0])


def test_the_vocabulary_featurizer_marks_groups_per_word_and_for_the_sentence(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=None, node_name="DomainVocabularyFeaturizer9")
    featurizer = DomainVocabularyFeaturizer({}, storage, Resource("vocab"), context, vocabulary=load_vocabulary())
    (message,) = featurizer.process([_message("der Fernseher bricht ständig ab, keiner hilft")])
    sequence, sentence = message.get_sparse_features(TEXT)
    names = load_vocabulary().names
    sentence = sentence.features.toarray()[0]
    assert {names[i] for i in np.flatnonzero(sentence)} >= {"tv", "dropouts", "complaint"}
    first_word = sequence.features.toarray()[1]  # "Fernseher"
    assert {names[i] for i in np.flatnonzero(first_word)} == {"tv"}


def test_a_featurizer_trained_with_a_vocabulary_loads_it_again(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=None, node_name="DomainVocabularyFeaturizer9")
    resource = Resource("vocab")
    DomainVocabularyFeaturizer.create({}, storage, resource, context).train(training_data=None)
    loaded = DomainVocabularyFeaturizer.load({}, storage, resource, context)
    (message,) = loaded.process([_message("kein Freizeichen")])
    assert message.get_sparse_features(TEXT)[1] is not None


def test_two_close_areas_become_a_question():
    message = Message(data={TEXT: "x"})
    ranking = [{"name": "wifi_problem", "confidence": 0.4}, {"name": "internet_down", "confidence": 0.35}]
    message.set("intent", ranking[0])
    message.set("intent_ranking", ranking)
    (message,) = AreaDisambiguator({}).process([message])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.4}
    assert message.get("competing_areas") == ["wifi_problem", "internet_down"]
    assert [r["name"] for r in message.get("intent_ranking")] == ["nlu_fallback", "wifi_problem", "internet_down"]


def test_a_complaint_that_names_a_problem_becomes_the_problem_with_the_mood():
    reader = MoodAreaReader({}, load_vocabulary())
    ranking = [{"name": "complaint", "confidence": 0.8}, {"name": "internet_slow", "confidence": 0.16}]
    message = Message(data={TEXT: "toll, ich zahl für 100 mbit und bekomm gefühlt 2. echt ne frechheit"})
    message.set("intent", ranking[0])
    message.set("intent_ranking", ranking)
    message.set("mood", {"name": "none", "confidence": 0.7})
    (message,) = reader.process([message])
    assert message.get("intent")["name"] == "internet_slow"
    assert [r["name"] for r in message.get("intent_ranking")] == ["internet_slow", "complaint"]
    assert message.get("mood") == {"name": "complaint", "confidence": 0.8}
    plain = Message(data={TEXT: "So ein Saftladen, echt!"})  # no area named: stays a complaint
    plain.set("intent", ranking[0])
    plain.set("intent_ranking", ranking)
    (plain,) = reader.process([plain])
    assert plain.get("intent")["name"] == "complaint"


def _read_internet_first(text: str, ranking: list[dict]) -> Message:
    message = Message(data={TEXT: text})
    message.set("intent", ranking[0])
    message.set("intent_ranking", ranking)
    (message,) = InternetFirstReader({}, load_vocabulary()).process([message])
    return message


def test_mail_or_tv_told_with_the_whole_internet_gone_is_an_internet_fault():
    ranking = [{"name": "email_problem", "confidence": 0.6}, {"name": "internet_down", "confidence": 0.3}]
    message = _read_internet_first("Wollte Mails lesen, aber das Internet ist komplett tot", ranking)
    assert message.get("intent") == {"name": "internet_down", "confidence": 0.6}
    assert message.get("intent_ranking") == [
        {"name": "internet_down", "confidence": 0.6},
        {"name": "email_problem", "confidence": 0.3},
    ]
    tv = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "tv_problem", "confidence": 0.38}]
    assert _read_internet_first("Der Fernseher bleibt schwarz. Internet ist auch weg.", tv).get("intent")[
        "name"
    ] == "internet_down"


def test_the_service_stays_when_the_internet_works_or_only_the_service_has_no_connection():
    ranking = [{"name": "email_problem", "confidence": 0.8}, {"name": "internet_down", "confidence": 0.1}]
    for text in (
        "Ich bekomme keine Mails mehr, das Internet geht aber",
        "Das Internet ist nicht weg, nur Outlook holt nichts ab",
        "Outlook meldet keine Verbindung zum Server",  # the connection of the mail program
        "Keine Mails mehr. Keine Verbindung.",  # no internet word of its own: not sure enough
    ):
        assert _read_internet_first(text, ranking).get("intent")["name"] == "email_problem", text
    wifi = [{"name": "wifi_problem", "confidence": 0.8}, {"name": "internet_down", "confidence": 0.1}]
    assert _read_internet_first("WLAN weg, Internet weg", wifi).get("intent")["name"] == "wifi_problem"


def test_a_model_without_moods_says_none(tmp_path):
    classifier = MoodClassifier({}, LocalModelStorage(tmp_path), Resource("mood"))
    (message,) = classifier.process([Message(data={TEXT: "x"})])
    assert message.get("mood") == {"name": "none", "confidence": 1.0}


def test_an_edited_vocabulary_changes_the_fingerprint_so_rasa_retrains(tmp_path, monkeypatch):
    import bot.nlu.components as components

    words = tmp_path / "vocabulary.yml"
    monkeypatch.setattr(components, "PROJECT_ROOT", tmp_path)
    words.write_text("groups: {}\n", encoding="utf-8")
    before = DomainVocabularyFeaturizer.fingerprint_addon({"file": "vocabulary.yml"})
    words.write_text("groups: {tv: {kind: area, about: TV, words: [glotze]}}\n", encoding="utf-8")
    assert DomainVocabularyFeaturizer.fingerprint_addon({"file": "vocabulary.yml"}) != before


@pytest.mark.parametrize("classes, multi_class", [(5, "auto"), (2, "auto"), (4, "ovr"), (2, "multinomial")])
def test_fast_probabilities_equal_scikit_learns_predict_proba(classes, multi_class):
    import numpy as np
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    from bot.nlu.components import probabilities

    rng = np.random.default_rng(7)
    X = scipy.sparse.random(300, 40, density=0.1, format="csr", random_state=7)
    y = rng.integers(0, classes, 300)
    clf = LogisticRegression(C=20, max_iter=2000, multi_class=multi_class).fit(X, y)
    np.testing.assert_allclose(probabilities(clf, X[:50]), clf.predict_proba(X[:50]), rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError):  # a matrix of the wrong width is still refused, by scikit-learn
        probabilities(clf, scipy.sparse.random(1, 39, format="csr"))
