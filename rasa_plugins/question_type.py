"""What kind of question a message is (a request, a follow-up, chit-chat…): a linear model."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.char_svm import DEFAULT_CONFIG, CharSvm


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class QuestionTypeClassifier(GraphComponent):
    """Sets the message's intent and intent ranking, as DIETClassifier would.

    The guide has ~15 question types and ~19,000 examples in seven languages. DIET (40 epochs,
    no transformer) took about ten minutes of a retrain on two cores; the same linear SVM over
    characters and readings as the entry selector trains in seconds, and the held-out figures
    did not go down (docs/evaluation.md). FallbackClassifier after it reads the confidence.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return dict(DEFAULT_CONFIG)

    @staticmethod
    def required_components() -> List[type]:
        return [SpacyNLP]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 svm: Optional[CharSvm] = None):
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._svm = svm

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "QuestionTypeClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        labels = [m.get(INTENT) for m in examples]
        if len(set(labels)) < 2:
            return self._resource  # one question type needs no classifier
        self._svm = CharSvm.fit(self.config, examples, labels)
        with self._model_storage.write_to(self._resource) as model_dir:
            self._svm.save(model_dir, "question_type")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "QuestionTypeClassifier":
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as model_dir:
                svm = CharSvm.load(config, model_dir, "question_type")
        except ValueError:  # trained with fewer than two question types: nothing was written
            svm = None
        return cls(config, model_storage, resource, svm)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._svm:
            return messages
        for message, ranked in zip(messages, self._svm.rankings(messages)):
            ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                       for _, name, confidence in ranked]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
