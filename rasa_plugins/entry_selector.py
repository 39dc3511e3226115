"""Which guide entry a request is about: a linear model over characters and readings."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.normalize import to_hiragana


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class GuideEntrySelector(GraphComponent):
    """Ranks guide entries (retrieval intents such as ``request/juminhyo``).

    A linear SVM over character n-grams of two views of the message: the text as typed
    (katakana folded to hiragana) and its reading from GiNZA's SudachiPy tokens, so that
    「敬老特別乗車証」 and 「けいろうとくべつじょうしゃしょう」 look alike. With ~12 examples for
    each of ~200 guide entries this ranks far better than a neural selector trained for the
    same time (README, benchmark), and trains in seconds. Its output has the shape of Rasa's
    ResponseSelector (``response_selector.default.ranking``), so every reader of a selector
    reads this one.
    """

    VIEWS = ("surface", "reading")
    ARRAYS = ("coef", "intercept", "idf_surface", "idf_reading")

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

    @staticmethod
    def required_components() -> List[type]:
        return [SpacyNLP]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Dict[Text, Any]] = None):
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._vectorizers = self._build_vectorizers(model) if model else None
        self._coef_t = self._weights(model) if model else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "GuideEntrySelector":
        return cls(config, model_storage, resource)

    @staticmethod
    def _weights(model: Dict[Text, Any]):
        """float32, (features × classes), contiguous: the product needs no copy per message."""
        import numpy as np

        return np.ascontiguousarray(model["coef"].T, dtype=np.float32)

    def _vectorizer(self, vocabulary=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(analyzer="char_wb", preprocessor=to_hiragana, sublinear_tf=True,
                               ngram_range=(self.config["min_ngram"], self.config["max_ngram"]),
                               vocabulary=vocabulary)

    def _build_vectorizers(self, model: Dict[Text, Any]) -> list:
        vectorizers = []
        for view in self.VIEWS:
            vectorizer = self._vectorizer(model["vocabulary"][view])
            vectorizer.idf_ = model[f"idf_{view}"]
            vectorizers.append(vectorizer)
        return vectorizers

    @staticmethod
    def _views(message: Message) -> tuple[str, str]:
        """The typed text and its reading (from the spaCy doc that GinzaNLP attached)."""
        text = message.get(TEXT) or ""
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None:
            return text, text
        reading = "".join((t.morph.get("Reading") or [t.text])[0] + t.whitespace_ for t in doc)
        return text, reading

    def _features(self, messages: List[Message], vectorizers: list, fit: bool = False):
        from scipy.sparse import hstack

        views = list(zip(*(self._views(m) for m in messages)))
        transform = (lambda v, texts: v.fit_transform(texts)) if fit else (lambda v, texts: v.transform(texts))
        return hstack([transform(v, texts) for v, texts in zip(vectorizers, views)]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        import numpy as np
        from sklearn.svm import LinearSVC

        examples = [m for m in training_data.intent_examples
                    if m.get(INTENT_RESPONSE_KEY) and m.get(TEXT)]
        labels = [m.get(INTENT_RESPONSE_KEY) for m in examples]
        if len(set(labels)) < 2:
            return self._resource  # nothing to rank; process() then adds nothing
        vectorizers = [self._vectorizer() for _ in self.VIEWS]
        features = self._features(examples, vectorizers, fit=True)
        svm = LinearSVC(C=self.config["C"], random_state=0).fit(features, labels)
        self._model = {
            "vocabulary": {view: {k: int(i) for k, i in v.vocabulary_.items()}
                           for view, v in zip(self.VIEWS, vectorizers)},
            "coef": svm.coef_.astype(np.float32),
            "intercept": svm.intercept_.astype(np.float32),
            "classes": [str(c) for c in svm.classes_],
            **{f"idf_{view}": v.idf_.astype(np.float32) for view, v in zip(self.VIEWS, vectorizers)},
        }
        self._vectorizers = self._build_vectorizers(self._model)
        self._coef_t = self._weights(self._model)
        self.persist()
        return self._resource

    def persist(self) -> None:
        import json

        import numpy as np

        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / "selector.json").write_text(json.dumps(
                {"vocabulary": self._model["vocabulary"], "classes": self._model["classes"]},
                ensure_ascii=False), encoding="utf-8")
            for name in self.ARRAYS:
                np.save(model_dir / f"{name}.npy", self._model[name], allow_pickle=False)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "GuideEntrySelector":
        import json

        import numpy as np

        try:
            with model_storage.read_from(resource) as model_dir:
                model = json.loads((model_dir / "selector.json").read_text(encoding="utf-8"))
                for name in cls.ARRAYS:
                    model[name] = np.load(model_dir / f"{name}.npy", allow_pickle=False)
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)  # trained without retrieval intents
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        import numpy as np

        if not self._model:
            return messages
        features = self._features(messages, self._vectorizers).astype(np.float32)
        scores = features @ self._coef_t + self._model["intercept"]
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
