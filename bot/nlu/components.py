"""Rasa NLU graph components: thin adapters over bot.nlu's plain-Python rules.

Referenced from config.yml as bot.nlu.components.<Name>.
- InputSanitizer (first): cleans and bounds the text before tokenising.
- TelcoNumberExtractor: customer numbers, postal codes, phone numbers.
- LanguageGuard (after FallbackClassifier): empty, non-German or gibberish input
  goes to nlu_fallback, where action_clarify answers it in plain German.
- DomainVocabularyFeaturizer: one feature per word group of knowledge/vocabulary.yml.
- TelcoIntentClassifier: logistic regression on length-normalised features.
- MoodClassifier: complaint / request_human / ticket next to the problem area.
- InternetFirstReader: e-mail or TV named together with "the internet is gone" -> internet_down.
- AreaDisambiguator: two close problem areas -> ask which one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Iterable, List

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    METADATA,
    METADATA_EXAMPLE,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.diagnosis.model import PROBLEM_AREAS
from bot.nlu.domain_vocabulary import VOCABULARY_FILE, DomainVocabulary, load_vocabulary, normalise_words
from bot.nlu.language import guess_language
from bot.nlu.mood import INTENT_MOODS, MOOD, NO_MOOD, area_behind_mood, mood_label
from bot.nlu.numbers import find_numbers
from bot.nlu.routing import (
    COMPETING_KEY,
    DEPENDENT_SERVICES,
    MAX_TOP,
    RATIO,
    WHOLE_INTERNET_DOWN,
    competing_areas,
    internet_down_named,
)
from bot.nlu.sanitize import MAX_NLU_CHARS, sanitize
from bot.nlu.vocabulary import Vocabulary, words
from bot.paths import PROJECT_ROOT

NLU_FALLBACK_INTENT = "nlu_fallback"
INPUT_NOTICE = "input_notice"
# Stand-in text for messages without a letter or digit ("", "???", "😀"): some
# featurizers and classifiers fail on a message without tokens, and the customer
# would get no answer at all. LanguageGuard routes such messages to nlu_fallback.
EMPTY_PLACEHOLDER = "leer"


class _StatelessComponent(GraphComponent):
    def __init__(self, config: Dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GraphComponent:
        return cls(config)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class InputSanitizer(_StatelessComponent):
    """Cleans text (HTML, control characters, huge pastes) before tokenisation."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_chars": MAX_NLU_CHARS}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples are curated and clean; rewriting them would shift
        # entity offsets. Only live messages are sanitised.
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            cleaned = sanitize(message.get(TEXT), self._config["max_chars"])
            message.set(TEXT, cleaned.text if cleaned.has_content else EMPTY_PLACEHOLDER)
            message.set(
                INPUT_NOTICE,
                {
                    "truncated": cleaned.truncated,
                    "original_length": cleaned.original_length,
                    "empty": not cleaned.has_content,
                },
                add_to_output=True,
            )
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class TelcoNumberExtractor(_StatelessComponent, EntityExtractorMixin):
    """Adds customer_number, postal_code and phone_number entities."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = [
                {
                    ENTITY_ATTRIBUTE_TYPE: number.entity,
                    ENTITY_ATTRIBUTE_START: number.start,
                    ENTITY_ATTRIBUTE_END: number.end,
                    ENTITY_ATTRIBUTE_VALUE: number.value,
                    "text": number.text,
                }
                for number in find_numbers(message.get(TEXT) or "")
            ]
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(entities),
                add_to_output=True,
            )
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LanguageGuard(GraphComponent):
    """Routes empty, clearly non-German and gibberish messages to nlu_fallback.

    Trainable only to remember the words of the training data, which together
    with the German lexicon make up the vocabulary (bot/nlu/vocabulary.py).
    """

    _VOCABULARY_FILE = "vocabulary.json"

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        training_words: Iterable[str] = (),
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = Vocabulary(training_words)

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"reject_gibberish": True}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageGuard:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageGuard:
        try:
            with model_storage.read_from(resource) as directory:
                training_words = json.loads((directory / cls._VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            training_words = []  # a model trained before the vocabulary existed: lexicon only
        return cls(config, model_storage, resource, training_words)

    def train(self, training_data: TrainingData) -> Resource:
        found: set[str] = set()
        for example in training_data.training_examples:
            found.update(words(example.get(TEXT) or ""))
        self._vocabulary = Vocabulary(found)
        with self._model_storage.write_to(self._resource) as directory:
            text = json.dumps(sorted(found), ensure_ascii=False)
            (directory / self._VOCABULARY_FILE).write_text(text, encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            empty = (message.get(INPUT_NOTICE) or {}).get("empty", False) or not any(ch.isalnum() for ch in text)
            guess = guess_language(text)
            message.set("language", guess.language, add_to_output=True)
            # "/intent{...}" button payloads are resolved after NLU by Rasa itself.
            gibberish = (
                self._config["reject_gibberish"]
                and not empty
                and not text.startswith("/")
                and self._vocabulary.is_gibberish(text)
            )
            if gibberish:
                message.set("gibberish", True, add_to_output=True)
            if not empty and guess.is_german and not gibberish:
                continue
            fallback = {INTENT_NAME_KEY: NLU_FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            # For gibberish the classifier's guesses are noise: no suggestions from them.
            others = [] if gibberish else message.get(INTENT_RANKING_KEY, [])
            ranking = [fallback] + [r for r in others if r.get(INTENT_NAME_KEY) != NLU_FALLBACK_INTENT]
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


# -- features and classifiers for real customers' words ------------------------------


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class DomainVocabularyFeaturizer(SparseFeaturizer, GraphComponent):
    """One feature per group of knowledge/vocabulary.yml (bot/nlu/domain_vocabulary.py).

    Trainable only to keep the vocabulary it was trained with inside the model: a
    support lead's edit takes effect with the next `make train`, never halfway.
    """

    _FILE = "vocabulary.json"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**SparseFeaturizer.get_default_config(), "file": None}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vocabulary: DomainVocabulary | None = None,
    ) -> None:
        config = {**self.get_default_config(), **config}
        SparseFeaturizer.__init__(self, execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        # The words live outside the training data: without this, Rasa's training
        # cache would keep the old vocabulary after a support lead's edit.
        path = PROJECT_ROOT / config["file"] if config.get("file") else VOCABULARY_FILE
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> DomainVocabularyFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs: Any) -> DomainVocabularyFeaturizer:
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / cls._FILE).read_text(encoding="utf-8"))
            vocabulary = DomainVocabulary.from_data(data)
        except (ValueError, OSError):
            vocabulary = DomainVocabulary(())
        return cls(config, model_storage, resource, execution_context, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        path = self._config["file"]
        self._vocabulary = load_vocabulary(PROJECT_ROOT / path) if path else load_vocabulary()
        with self._model_storage.write_to(self._resource) as directory:
            text = json.dumps(self._vocabulary.as_data(), ensure_ascii=False)
            (directory / self._FILE).write_text(text, encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self._vocabulary is None or not self._vocabulary.groups:
            return messages
        size = len(self._vocabulary.groups)
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if not tokens:
                continue
            sequence = np.zeros((len(tokens), size))
            sentence = np.zeros((1, size))
            for row, token in enumerate(tokens):
                for column in set().union(*self._vocabulary.token_hits(normalise_words(token.text)) or [set()]):
                    sequence[row, column] = 1.0
            # Phrases ("bricht ständig ab", "keiner hilft") span tokens: the sentence
            # feature looks at the whole text.
            for column in range(size):
                if sequence[:, column].any():
                    sentence[0, column] = 1.0
            for name in self._vocabulary.mentioned(message.get(TEXT) or ""):
                sentence[0, self._vocabulary.names.index(name)] = 1.0
            self.add_features_to_message(
                scipy.sparse.coo_matrix(sequence), scipy.sparse.coo_matrix(sentence), TEXT, message
            )
        return messages


def sentence_matrix(messages: List[Message], weights: Dict[str, float]) -> scipy.sparse.csr_matrix:
    """The sentence features of each message, each featurizer's block scaled to unit
    length after damping counts (log1p). Rasa's LogisticRegressionClassifier feeds
    raw counts: a long message then gets huge logits and 0.9+ confidence whatever
    it says. weights multiply the block of a featurizer whose node name contains the key."""
    rows = []
    for message in messages:
        blocks = []
        features = sorted(
            (f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE),
            key=lambda f: str(f.origin),
        )
        for feature in features:
            matrix = scipy.sparse.csr_matrix(feature.features, dtype=float)
            if feature.is_sparse():
                matrix = matrix.log1p()
            norm = scipy.sparse.linalg.norm(matrix)
            if norm > 0:
                matrix = matrix / norm
            weight = next((w for name, w in weights.items() if name in str(feature.origin)), 1.0)
            blocks.append(matrix * weight)
        rows.append(scipy.sparse.hstack(blocks) if blocks else scipy.sparse.csr_matrix((1, 0)))
    return scipy.sparse.vstack(rows).tocsr()


def probabilities(clf: Any, X: scipy.sparse.csr_matrix) -> np.ndarray:
    """`clf.predict_proba(X)` of a fitted scikit-learn LogisticRegression, without
    its input validation, which was most of the classifiers' time per message
    (the features come from our own featurizers: sparse, finite, the trained
    width). The same arithmetic as scikit-learn 1.1's predict_proba; any other
    width goes to scikit-learn, which refuses it."""
    from scipy.special import expit, softmax

    if X.shape[1] != clf.coef_.shape[1]:
        return clf.predict_proba(X)
    scores = np.asarray(X @ clf.coef_.T) + clf.intercept_
    ovr = clf.multi_class in ("ovr", "warn") or (
        clf.multi_class == "auto" and (clf.classes_.size <= 2 or clf.solver == "liblinear")
    )
    if ovr:
        if scores.shape[1] == 1:
            positive = expit(scores.ravel())
            return np.vstack([1 - positive, positive]).T
        result = expit(scores)
        return result / result.sum(axis=1).reshape((result.shape[0], -1))
    if scores.shape[1] == 1:
        scores = np.c_[-scores.ravel(), scores.ravel()]
    return softmax(scores, axis=1)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TelcoIntentClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier on normalised features, with C configurable.

    Subclassed for two reasons only: raw counts made long real texts overconfident
    (see sentence_matrix), and the upstream class fixes C at 1.0.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "block_weights": {}}

    def __init__(self, config, name, model_storage, resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    def _create_X(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        return sentence_matrix(messages, self.config["block_weights"])

    def process(self, messages: List[Message]) -> List[Message]:
        """Rasa's process, with `probabilities` instead of predict_proba."""
        probas = probabilities(self.clf, self._create_X(messages))
        intents = self.clf.classes_
        for idx, message in enumerate(messages):
            ranking = sorted(
                ({"name": k, "confidence": v} for k, v in zip(intents, probas[idx], strict=True)),
                key=lambda e: -e["confidence"],
            )
            intent = ranking[0]
            if self.config["ranking_length"] > 0:
                ranking = ranking[: self.config["ranking_length"]]
            message.set("intent", intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MoodClassifier(GraphComponent):
    """The second dimension next to the problem area (bot/nlu/mood.py): is the
    customer angry, do they want a person, do they ask about a ticket?

    Writes `mood` ({"name", "confidence"}) into the parse data; intent and entities
    stay as they are, so the dialogue policies see the same states as before.
    """

    _FILE = "mood.skops"

    def __init__(self, config, model_storage: ModelStorage, resource: Resource, clf=None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._clf = clf

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"C": 1.0, "block_weights": {}}

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> MoodClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs: Any) -> MoodClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / cls._FILE
                clf = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        except (ValueError, OSError):
            clf = None  # a model without moods: every message is "none"
        return cls(config, model_storage, resource, clf)

    def train(self, training_data: TrainingData) -> Resource:
        import skops.io as sio
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        labels = [mood_label(e.get(INTENT), (e.get(METADATA) or {}).get(METADATA_EXAMPLE)) for e in examples]
        if len(set(labels)) < 2:
            return self._resource
        self._clf = LogisticRegression(
            C=float(self._config["C"]), class_weight="balanced", max_iter=2000, random_state=42
        ).fit(sentence_matrix(examples, self._config["block_weights"]), labels)
        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self._clf, directory / self._FILE)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self._clf is None:
            for message in messages:
                message.set(MOOD, {"name": NO_MOOD, "confidence": 1.0}, add_to_output=True)
            return messages
        found = probabilities(self._clf, sentence_matrix(messages, self._config["block_weights"]))
        for message, row in zip(messages, found, strict=True):
            best = int(row.argmax())
            message.set(
                MOOD, {"name": str(self._clf.classes_[best]), "confidence": float(row[best])}, add_to_output=True
            )
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MoodAreaReader(_StatelessComponent):
    """After FallbackClassifier: a complaint, wish for a person or ticket question
    that also names a problem becomes that problem, with the mood in `mood`
    (bot.nlu.mood.area_behind_mood). The intent says what is broken; the mood
    says what else the customer needs."""

    def __init__(self, config: Dict[str, Any], vocabulary: DomainVocabulary | None = None) -> None:
        super().__init__(config)
        self._vocabulary = vocabulary or load_vocabulary()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) not in INTENT_MOODS:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            kinds = self._vocabulary.kinds_mentioned(message.get(TEXT) or "")
            reading = area_behind_mood(intent, ranking, "area" in kinds, frozenset(PROBLEM_AREAS))
            if reading is None:
                continue
            area, mood = reading
            message.set(INTENT, area, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [area] + [r for r in ranking if r.get(INTENT_NAME_KEY) != area[INTENT_NAME_KEY]],
                add_to_output=True,
            )
            current = message.get(MOOD) or {}
            if current.get("name") != mood["name"] or float(current.get("confidence") or 0.0) < mood["confidence"]:
                message.set(MOOD, mood, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class InternetFirstReader(_StatelessComponent):
    """After MoodAreaReader: an e-mail or TV problem told together with "the internet
    is gone" becomes internet_down (bot.nlu.routing.internet_down_named), so the line
    is checked first. The classifier's own confidence for internet_down is kept."""

    def __init__(self, config: Dict[str, Any], vocabulary: DomainVocabulary | None = None) -> None:
        super().__init__(config)
        self._vocabulary = vocabulary or load_vocabulary()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            best = next((r for r in ranking if r.get(INTENT_NAME_KEY) != NLU_FALLBACK_INTENT), {})
            if best.get(INTENT_NAME_KEY) not in DEPENDENT_SERVICES:
                continue
            if not internet_down_named(self._vocabulary.clause_groups(message.get(TEXT) or "")):
                continue
            # The two swap places and confidences: the rule, not the classifier, decides
            # the order, and the distance stays as it was (no two-area question).
            own = next((r for r in ranking if r.get(INTENT_NAME_KEY) == WHOLE_INTERNET_DOWN), {})
            down = {
                INTENT_NAME_KEY: WHOLE_INTERNET_DOWN,
                PREDICTED_CONFIDENCE_KEY: float(best.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
            }
            service = {
                INTENT_NAME_KEY: best[INTENT_NAME_KEY],
                PREDICTED_CONFIDENCE_KEY: float(own.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
            }
            others = [
                r
                for r in ranking
                if r.get(INTENT_NAME_KEY) not in (WHOLE_INTERNET_DOWN, NLU_FALLBACK_INTENT, best[INTENT_NAME_KEY])
            ]
            others = [service] + others
            message.set(INTENT, down, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [down] + others, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AreaDisambiguator(_StatelessComponent):
    """After FallbackClassifier: two close problem areas become nlu_fallback with
    `competing_areas`, so action_clarify asks which one (bot/nlu/routing.py)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_top": MAX_TOP, "ratio": RATIO}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            pair = competing_areas(ranking, self._config["max_top"], self._config["ratio"])
            if pair is None:
                continue
            message.set(COMPETING_KEY, list(pair), add_to_output=True)
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != NLU_FALLBACK_INTENT:
                # As sure as the best area was: the benchmark's calibration stays honest.
                top = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
                fallback = {INTENT_NAME_KEY: NLU_FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: top}
                others = [r for r in ranking if r.get(INTENT_NAME_KEY) != NLU_FALLBACK_INTENT]
                message.set(INTENT, fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [fallback] + others, add_to_output=True)
        return messages
