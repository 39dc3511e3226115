"""Which guide entry a request is about: a linear model over characters and readings."""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.routing import SELECTOR_OUTSIDE
from rasa_plugins.char_svm import CharSvmComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class GuideEntrySelector(CharSvmComponent):
    """Ranks guide entries (retrieval intents such as ``request/juminhyo``).

    With ~12 examples for each of ~380 guide entries a linear SVM over characters and readings
    (rasa_plugins.char_svm) ranks far better than a neural selector trained for the same time
    (docs/evaluation.md) and trains in seconds. Its output has the shape of Rasa's
    ResponseSelector (``response_selector.default.ranking``), so every reader of a selector
    reads this one.
    """

    NAME = "selector"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Below 1e-3 lie 30 % of the selector's nonzero weights, 36 MB of the Rasa server's
        # memory. Without them the best entry of every development and held-out question
        # (1,778) stayed the same, and no confidence moved by more than 0.004.
        return {**CharSvmComponent.get_default_config(), "min_weight": 1e-3}

    def train(self, training_data: TrainingData) -> Resource:
        # Questions about nothing the guide has are a class of their own, ranked with the
        # entries: "where can I buy a cheap sofa" then takes its mass from 粗大ごみ, rather than
        # the entry winning for want of anything else. The class is the out-of-scope intent's
        # examples under that intent's name, which bot.routing reads back; the key has no "/",
        # so no reader takes it for an entry.
        examples = [m for m in training_data.intent_examples
                    if m.get(TEXT) and (m.get(INTENT_RESPONSE_KEY) or m.get(INTENT) == SELECTOR_OUTSIDE)]
        return self._fit(examples, [m.get(INTENT_RESPONSE_KEY) or SELECTOR_OUTSIDE for m in examples])

    @functools.cached_property
    def _retrieval_intents(self) -> List[str]:
        return sorted({c.split("/")[0] for c in self._svm.classes if "/" in c})

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._svm:
            return messages
        retrieval_intents = self._retrieval_intents
        for message, ranked in zip(messages, self._svm.rankings(messages)):
            ranking = [{"id": i, "confidence": confidence, INTENT_RESPONSE_KEY: key}
                       for i, key, confidence in ranked]
            # The best entry, also when questions about nothing the guide has rank higher.
            top = next((r for r in ranking if "/" in r[INTENT_RESPONSE_KEY]), ranking[0])
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
