"""The first component of the pipeline: the visitor's text normalised before anything reads it."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.normalize import normalize_with_offsets, normalized_span
from rasa_plugins import patches  # noqa: F401 - the Rasa server imports this module first: patch it once


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class JapaneseNormalizer(GraphComponent):
    """Normalises message text (NFKC, long vowels, spaces) before tokenisation.

    Annotated entity spans in training examples are moved to match the new text, so
    normalisation never breaks entity offsets.
    """

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "JapaneseNormalizer":
        return cls()

    @staticmethod
    def _normalize(message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if not text:
            return
        normalized, offsets = normalize_with_offsets(text)
        if normalized == text:
            return
        for entity in message.get(ENTITIES) or []:
            start, end = normalized_span(offsets, entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
            entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = start, end
        message.set(TEXT, normalized)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalize(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages
