"""Rasa pipeline components of the guide (registered with Rasa's graph component API)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import (ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START,
                                      INTENT_RESPONSE_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.normalize import normalize_with_offsets, normalized_span, to_hiragana


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


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class GuideEntrySelector(GraphComponent):
    """Ranks guide entries (retrieval intents such as ``request/juminhyo``).

    Character n-grams of the kana-folded text with a linear SVM: with ~10 examples for each
    of ~170 guide entries this ranks far better than a neural selector trained for the same
    time (measured in the README), and it trains in seconds. The output has the shape of
    Rasa's ResponseSelector (``response_selector.default.ranking``), so everything that reads
    a selector reads this one.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "min_ngram": 1,
            "max_ngram": 3,
            "C": 0.5,
            # Scales SVM margins before the softmax that turns them into confidences.
            "temperature": 10.0,
            "ranking_length": 10,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Dict[Text, Any]] = None):
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._vectorizer = self._build_vectorizer(model) if model else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "GuideEntrySelector":
        return cls(config, model_storage, resource)

    def _build_vectorizer(self, model: Dict[Text, Any]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(analyzer="char_wb", preprocessor=_fold,
                                     ngram_range=(self.config["min_ngram"], self.config["max_ngram"]),
                                     sublinear_tf=True, vocabulary=model["vocabulary"])
        vectorizer.idf_ = model["idf"]
        return vectorizer

    def train(self, training_data: TrainingData) -> Resource:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        texts, labels = [], []
        for message in training_data.intent_examples:
            key = message.get(INTENT_RESPONSE_KEY)
            if key and message.get(TEXT):
                texts.append(message.get(TEXT))
                labels.append(key)
        if len(set(labels)) < 2:
            return self._resource  # nothing to rank; process() then adds nothing
        vectorizer = TfidfVectorizer(analyzer="char_wb", preprocessor=_fold,
                                     ngram_range=(self.config["min_ngram"], self.config["max_ngram"]),
                                     sublinear_tf=True)
        features = vectorizer.fit_transform(texts)
        svm = LinearSVC(C=self.config["C"], random_state=0).fit(features, labels)
        self._model = {
            "vocabulary": {k: int(v) for k, v in vectorizer.vocabulary_.items()},
            "idf": vectorizer.idf_.astype(np.float32),
            "coef": svm.coef_.astype(np.float32),
            "intercept": svm.intercept_.astype(np.float32),
            "classes": [str(c) for c in svm.classes_],
        }
        self._vectorizer = self._build_vectorizer(self._model)
        self.persist()
        return self._resource

    def persist(self) -> None:
        import json

        import numpy as np

        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / "selector.json").write_text(json.dumps(
                {"vocabulary": self._model["vocabulary"], "classes": self._model["classes"]},
                ensure_ascii=False), encoding="utf-8")
            for name in ("idf", "coef", "intercept"):
                np.save(model_dir / f"{name}.npy", self._model[name], allow_pickle=False)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "GuideEntrySelector":
        import json

        import numpy as np

        try:
            with model_storage.read_from(resource) as model_dir:
                model = json.loads((model_dir / "selector.json").read_text(encoding="utf-8"))
                for name in ("idf", "coef", "intercept"):
                    model[name] = np.load(model_dir / f"{name}.npy", allow_pickle=False)
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)  # trained without retrieval intents
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        import numpy as np

        if not self._model:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        scores = self._vectorizer.transform(texts) @ self._model["coef"].T + self._model["intercept"]
        for message, row in zip(messages, np.asarray(scores)):
            logits = row * self.config["temperature"]
            probs = np.exp(logits - logits.max())
            probs /= probs.sum()
            order = np.argsort(-probs)[: self.config["ranking_length"]]
            ranking = [{"id": int(i), "confidence": float(probs[i]),
                        INTENT_RESPONSE_KEY: self._model["classes"][i]} for i in order]
            top = ranking[0]
            selector = message.get("response_selector") or {}
            selector["all_retrieval_intents"] = sorted({c.split("/")[0] for c in self._model["classes"]})
            selector["default"] = {
                "response": {"confidence": top["confidence"], INTENT_RESPONSE_KEY: top[INTENT_RESPONSE_KEY],
                             "utter_action": "utter_" + top[INTENT_RESPONSE_KEY].split("/")[0],
                             "responses": []},
                "ranking": ranking,
            }
            message.set("response_selector", selector, add_to_output=True)
        return messages


def _fold(text: str) -> str:
    """Katakana folded to hiragana, so パスポート and ぱすぽーと share n-grams."""
    return to_hiragana(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MODEL_LOADER,
                           DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
                          is_trainable=False, model_from="GinzaNLP")
class GinzaNLP(SpacyNLP):
    """SpacyNLP for ja_ginza that loads only what Rasa reads: tokens, lemmas and vectors.

    GiNZA's full pipeline also runs tok2vec, the parser, NER, the morphologizer, the
    compound splitter and bunsetu recognition on every message; SpacyTokenizer and
    SpacyFeaturizer use none of them (lemmas come from SudachiPy in the tokenizer, vectors
    from the static table), so they are excluded and a parse costs a fraction of the time.
    """

    @staticmethod
    def load_model(spacy_model_name: Text) -> SpacyModel:
        import spacy
        from rasa.shared.exceptions import InvalidConfigException

        try:
            info = spacy.info(spacy_model_name)
        except (OSError, RuntimeError) as err:
            raise InvalidConfigException(f"spaCy model {spacy_model_name!r} is not installed") from err
        # The same version check as SpacyNLP, without loading the full pipeline first.
        if not spacy.util.is_compatible_version(spacy.about.__version__, info.get("spacy_version", "")):
            raise InvalidConfigException(
                f"{spacy_model_name} requires spaCy {info.get('spacy_version')}, "
                f"this is spaCy {spacy.about.__version__}")
        pipes = info.get("components") or info.get("pipeline") or []
        return SpacyModel(model=spacy.load(spacy_model_name, exclude=pipes), model_name=spacy_model_name)
