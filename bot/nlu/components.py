"""Rasa NLU graph components: thin adapters over bot.nlu's plain-Python rules.

Referenced from config.yml as bot.nlu.components.<Name>.
- InputSanitizer (first): cleans and bounds the text before tokenising.
- TelcoNumberExtractor: customer numbers, postal codes, phone numbers.
- LanguageGuard (after FallbackClassifier): empty or non-German input goes to
  nlu_fallback, where action_clarify answers it in plain German.
"""

from __future__ import annotations

from typing import Any, Dict, List

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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageGuard(_StatelessComponent):
    """Routes empty and clearly non-German messages to nlu_fallback."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            empty = (message.get(INPUT_NOTICE) or {}).get("empty", False) or not any(ch.isalnum() for ch in text)
            guess = guess_language(text)
            message.set("language", guess.language, add_to_output=True)
            if not empty and guess.is_german:
                continue
            fallback = {INTENT_NAME_KEY: NLU_FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [fallback] + [
                r for r in message.get(INTENT_RANKING_KEY, []) if r.get(INTENT_NAME_KEY) != NLU_FALLBACK_INTENT
            ]
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
