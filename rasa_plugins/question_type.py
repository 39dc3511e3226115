"""What kind of question a message is (a request, a follow-up, chit-chat…): a linear model."""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import (INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, METADATA, METADATA_INTENT,
                                      PREDICTED_CONFIDENCE_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.char_svm import CharSvmComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class QuestionTypeClassifier(CharSvmComponent):
    """Sets the message's intent and intent ranking, as DIETClassifier would.

    The guide has ~15 question types and ~19,000 examples in seven languages. DIET (40 epochs,
    no transformer) took about ten minutes of a retrain on two cores; the same linear SVM over
    characters and readings as the entry selector trains in seconds, and the held-out figures
    stayed level (docs/evaluation.md) with balanced class weights (config.yml).
    FallbackClassifier after it reads the confidence.
    """

    NAME = "question_type"

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples
                    if m.get(INTENT) and m.get(TEXT) and not teaches_entry_only(m)]
        return self._fit(examples, [m.get(INTENT) for m in examples])

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._svm:
            return messages
        for message, ranked in zip(messages, self._svm.rankings(messages)):
            ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                       for _, name, confidence in ranked]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


def teaches_entry_only(message: Message) -> bool:
    """An example written to tell guide entries apart (``metadata: {teaches: entry}``).

    The question type does not learn from it. Five more requests per guide entry in a language,
    beside that language's dozen out-of-scope examples, taught the model that the language is a
    request: 「附近有便利店吗？」 (a convenience store nearby?) went to a counter. Out-of-scope
    examples to match moved the balance in Japanese instead (a lottery question reached a
    counter; see docs/evaluation.md), so these examples teach only the entry selector.
    """
    metadata = (message.get(METADATA) or {}).get(METADATA_INTENT)
    return isinstance(metadata, dict) and metadata.get("teaches") == "entry"
