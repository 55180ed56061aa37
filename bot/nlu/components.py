"""Rasa NLU graph components: thin adapters over bot.nlu's plain-Python rules.

Referenced from config.yml as bot.nlu.components.<Name>.
- InputSanitizer (first): cleans and bounds the text before tokenising.
- TelcoNumberExtractor: customer numbers, postal codes, phone numbers.
- LanguageGuard (after FallbackClassifier): empty, non-German or gibberish input
  goes to nlu_fallback, where action_clarify answers it in plain German.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.language import guess_language
from bot.nlu.numbers import find_numbers
from bot.nlu.sanitize import MAX_NLU_CHARS, sanitize
from bot.nlu.vocabulary import Vocabulary, words

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
