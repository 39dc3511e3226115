"""Which guide entry a request is about: a linear model over characters and readings."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.char_svm import DEFAULT_CONFIG, CharSvm


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class GuideEntrySelector(GraphComponent):
    """Ranks guide entries (retrieval intents such as ``request/juminhyo``).

    With ~12 examples for each of ~380 guide entries a linear SVM over characters and readings
    (rasa_plugins.char_svm) ranks far better than a neural selector trained for the same time
    (docs/evaluation.md) and trains in seconds. Its output has the shape of Rasa's
    ResponseSelector (``response_selector.default.ranking``), so every reader of a selector
    reads this one.
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
               execution_context: ExecutionContext) -> "GuideEntrySelector":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples
                    if m.get(INTENT_RESPONSE_KEY) and m.get(TEXT)]
        labels = [m.get(INTENT_RESPONSE_KEY) for m in examples]
        if len(set(labels)) < 2:
            return self._resource  # nothing to rank; process() then adds nothing
        self._svm = CharSvm.fit(self.config, examples, labels)
        with self._model_storage.write_to(self._resource) as model_dir:
            self._svm.save(model_dir, "selector")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "GuideEntrySelector":
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as model_dir:
                svm = CharSvm.load(config, model_dir, "selector")
        except ValueError:  # trained without retrieval intents: nothing was written
            svm = None
        return cls(config, model_storage, resource, svm)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._svm:
            return messages
        retrieval_intents = sorted({c.split("/")[0] for c in self._svm.classes})
        for message, ranked in zip(messages, self._svm.rankings(messages)):
            ranking = [{"id": i, "confidence": confidence, INTENT_RESPONSE_KEY: key}
                       for i, key, confidence in ranked]
            top = ranking[0]
            selector = message.get("response_selector") or {}
            selector["all_retrieval_intents"] = retrieval_intents
            selector["default"] = {
                "response": {"confidence": top["confidence"], INTENT_RESPONSE_KEY: top[INTENT_RESPONSE_KEY],
                             "utter_action": "utter_" + top[INTENT_RESPONSE_KEY].split("/")[0],
                             "responses": []},
                "ranking": ranking,
            }
            message.set("response_selector", selector, add_to_output=True)
        return messages
