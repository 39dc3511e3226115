"""A linear SVM over character n-grams of a message's two views, shared by the guide's classifiers.

The two views are the text as typed (katakana folded to hiragana) and its reading from GiNZA's
SudachiPy tokens, so that 「敬老特別乗車証」 and 「けいろうとくべつじょうしゃしょう」 look alike.
Both the question type (rasa_plugins.question_type) and the guide entry
(rasa_plugins.entry_selector) are ranked by one of these: it trains in seconds on the guide's
~19,000 examples where DIET took minutes, and ranks as well (docs/evaluation.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.normalize import LATIN_LETTERS, to_hiragana

# The typed text and its reading as character n-grams; and the words in a Latin script as
# words and word pairs: a character n-gram of "card" is in "cardboard" and "discard", and an
# English, Vietnamese or Portuguese question is told by its words. Japanese words are left
# out: the character n-grams already see them, and with them Japanese questions fared worse.
VIEWS = ("surface", "reading", "words")
_LATIN_WORD = re.compile(f"[{LATIN_LETTERS}]")
DENSE_MAX_CLASSES = 32
ARRAYS = ("intercept", "idf_surface", "idf_reading", "idf_words")

DEFAULT_CONFIG = {
    # n-grams of 1–3 characters and C 0.5: for the entry selector, 1–4, 2–4, C 0.25 and C 1.0
    # each routed fewer of the 1,000 development questions right at once (docs/evaluation.md).
    "min_ngram": 1,
    "max_ngram": 3,
    "C": 0.5,
    # Liblinear's stopping tolerance: 1e-3 ranks the development questions exactly as the
    # default 1e-4 and trains a quarter faster.
    "tol": 1e-3,
    # Weights a class's examples by (examples per class on average / its examples) ** this power:
    # 0 weighs every example alike, 1 is scikit-learn's "balanced".
    "class_weight_power": 0.0,
    # Scales SVM margins before the softmax that turns them into confidences.
    "temperature": 10.0,
    # Weights smaller than this are not kept (see the entry selector's).
    "min_weight": 0.0,
    # How much the words of Latin-script tokens weigh beside the character views (each view's
    # features have unit length before this); 0 leaves the words view out.
    "words_weight": 0.5,
    "ranking_length": 10,
}


def views(message: Message) -> tuple[str, str, str]:
    """The typed text, its reading and its words (from the spaCy doc that GinzaNLP attached)."""
    text = message.get(TEXT) or ""
    doc = message.get(SPACY_DOCS[TEXT])
    if doc is None:
        return text, text, " ".join(w for w in text.split() if _LATIN_WORD.search(w))
    reading = "".join((t.morph.get("Reading") or [t.text])[0] + t.whitespace_ for t in doc)
    words = " ".join(t.text for t in doc if _LATIN_WORD.search(t.text))
    return text, reading, words


# For the worker processes of the one-against-the-rest fits. Each of the ~400 fits copies the
# features into liblinear's own nodes, a block of ~90 MB that glibc maps from the kernel and
# unmaps after the fit, so the next fit faults it in again, page by page: 20 of a retrain's 23 s
# of system time. Workers that never map a block apart (MALLOC_MMAP_MAX_=0) nor give freed
# memory back (the trim threshold) reuse the same pages; they hold their peak until they exit.
# The weights are the same (glibc's allocator does not change what liblinear computes).
WORKER_MALLOC = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(2 ** 40)}


@contextlib.contextmanager
def _environ(values: Dict[str, str]):
    """os.environ with ``values`` while worker processes are started (glibc reads these at a
    process's start, so the pool's workers get them and this process is unchanged)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class CharSvm:
    """Fitted vectorisers and SVM weights, saved as JSON and .npy (no pickle in a model file)."""

    def __init__(self, config: Dict[Text, Any], model: Dict[Text, Any]):
        self.config = config
        self.model = model
        self.classes: List[str] = model["classes"]
        # For each view: the n-gram analyser (scikit-learn's own, so the n-grams are exactly
        # those trained on), the vocabulary and the idf weights; see _vector for why the rest
        # of TfidfVectorizer.transform is not used when ranking.
        self._views = [(_vectorizer(config, view).build_analyzer(), model["vocabulary"][view],
                        np.asarray(model[f"idf_{view}"], dtype=np.float64), _view_weight(config, view))
                       for view in VIEWS]
        # Ranking reads only the rows of the message's features. With few classes (the question
        # types) dense rows are quicker to gather and small (features × 15 floats, ~10 MiB); the
        # entry selector's ~380 classes stay sparse (four in five weights are zero).
        coef_t = model["coef_t"].tocsr()
        self._coef_t = coef_t.toarray() if coef_t.shape[1] <= DENSE_MAX_CLASSES else coef_t
        self._intercept = np.asarray(model["intercept"], dtype=np.float64)

    @classmethod
    def fit(cls, config: Dict[Text, Any], messages: Sequence[Message], labels: Sequence[str]) -> "CharSvm":
        from joblib import parallel_backend
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.svm import LinearSVC

        features, fitted = _features(messages, config)
        classes, counts = np.unique(labels, return_counts=True)
        power = config["class_weight_power"]
        weights = {c: (len(labels) / len(classes) / n) ** power for c, n in zip(classes, counts)} \
            if power else None
        svm = LinearSVC(C=config["C"], tol=config["tol"], random_state=0, class_weight=weights)
        if len(classes) > 2 and not weights:
            # One class against the rest on every core, in worker processes rather than threads:
            # scikit-learn's liblinear draws from one process-wide random generator, which
            # threads share, so two trainings on the same data gave weights up to 5e-5 apart.
            # Each process seeds it for every class: the model is a function of its inputs.
            # joblib memory-maps the features for the workers instead of copying them.
            with _environ(WORKER_MALLOC), parallel_backend("loky"):
                svm = OneVsRestClassifier(svm, n_jobs=-1).fit(features, labels)
            coef_t = _sparse_t([e.coef_[0] for e in svm.estimators_], config["min_weight"])
            intercept = np.concatenate([e.intercept_ for e in svm.estimators_])
        elif len(classes) > 2:
            # Class weights need liblinear's own one-against-the-rest (one thread).
            svm.fit(features, labels)
            coef_t, intercept = _sparse_t(list(svm.coef_), config["min_weight"]), svm.intercept_
        else:
            svm.fit(features, labels)
            # One row for two classes: the second class's margin is minus the first's.
            coef_t = _sparse_t([-svm.coef_[0], svm.coef_[0]], config["min_weight"])
            intercept = np.concatenate([-svm.intercept_, svm.intercept_])
        return cls(config, {
            "vocabulary": {view: vocabulary for view, (vocabulary, _idf) in zip(VIEWS, fitted)},
            "coef_t": coef_t,
            "intercept": intercept.astype(np.float32),
            "classes": [str(c) for c in svm.classes_],
            **{f"idf_{view}": idf for view, (_vocabulary, idf) in zip(VIEWS, fitted)},
        })

    def save(self, model_dir: Path, name: str) -> None:
        from scipy.sparse import save_npz

        (model_dir / f"{name}.json").write_text(json.dumps(
            {"vocabulary": self.model["vocabulary"], "classes": self.classes}, ensure_ascii=False),
            encoding="utf-8")
        for array in ARRAYS:
            np.save(model_dir / f"{name}.{array}.npy", self.model[array], allow_pickle=False)
        # Compressed (zlib's default level) although Rasa gzips the model archive again: Rasa's
        # gzip runs at level 9, and over the selector's 89 MB of uncompressed weights it took
        # 25 s of a retrain, against 4 s here and 4 s there (py-spy, docs/benchmark.md).
        save_npz(model_dir / f"{name}.coef_t.npz", self.model["coef_t"])

    @classmethod
    def load(cls, config: Dict[Text, Any], model_dir: Path, name: str) -> Optional["CharSvm"]:
        """The saved model, or None when none was saved (trained with nothing to rank)."""
        from scipy.sparse import load_npz

        if not (model_dir / f"{name}.json").exists():
            return None
        model = json.loads((model_dir / f"{name}.json").read_text(encoding="utf-8"))
        try:
            for array in ARRAYS:
                model[array] = np.load(model_dir / f"{name}.{array}.npy", allow_pickle=False)
            model["coef_t"] = load_npz(model_dir / f"{name}.coef_t.npz")
        except FileNotFoundError as err:
            # Loud, not a guide that silently ranks nothing: a model from before char_svm.
            raise FileNotFoundError(f"{err.filename}: this model was trained by an older guide; "
                                    "retrain it (make model)") from None
        return cls(config, model)

    def rankings(self, messages: Sequence[Message]) -> List[List[tuple[int, str, float]]]:
        """For each message, (class index, class, confidence) best first, ``ranking_length`` at most."""
        result = []
        for message in messages:
            logits = self.scores(views(message)) * self.config["temperature"]
            probs = np.exp(logits - logits.max())
            probs /= probs.sum()
            order = np.argsort(-probs)[: self.config["ranking_length"]]
            result.append([(int(i), self.classes[i], float(probs[i])) for i in order])
        return result

    def scores(self, texts: Sequence[str]) -> "np.ndarray":
        """Each class's SVM margin for one message given as its views' texts."""
        features, weights = self._vector(texts)
        # The weight matrix's rows for the message's features only (~140 of ~10⁵), summed per class.
        return self._coef_t[features].T @ weights + self._intercept

    def _vector(self, texts: Sequence[str]) -> tuple["np.ndarray", "np.ndarray"]:
        """The message's TF-IDF features (indices, values), as TfidfVectorizer.transform gives them.

        Sublinear term frequency times idf, each view normalised to unit length and weighed, the
        views side by side. Computed directly because transform() spends ten times longer in its
        checks and sparse-matrix plumbing than in the n-grams (cProfile of 400 parses: transform
        was 2.2 s of the two classifiers' 3.0 s); tests/unit/test_rasa_plugins.py compares both.
        """
        all_features, all_weights, offset = [], [], 0
        for (analyzer, vocabulary, idf, view_weight), text in zip(self._views, texts):
            counts = Counter(i for i in map(vocabulary.get, analyzer(text)) if i is not None)
            if counts:
                features = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                weights = (np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1.0) \
                    * idf[features]
                all_features.append(features + offset)
                all_weights.append(weights * (view_weight / np.sqrt(weights @ weights)))
            offset += len(vocabulary)
        if not all_features:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(all_features), np.concatenate(all_weights)


class CharSvmComponent(GraphComponent):
    """A Rasa graph component around one CharSvm: creating, training, saving and loading it.

    A subclass names its files (``NAME``), says which messages it learns and with what label
    (``train``), and what it writes on a message (``process``).
    """

    NAME = "char_svm"

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
               execution_context: ExecutionContext) -> "CharSvmComponent":
        return cls(config, model_storage, resource)

    def _fit(self, messages: Sequence[Message], labels: Sequence[str]) -> Resource:
        """Trains and saves; with fewer than two labels there is nothing to rank and nothing is saved."""
        if len(set(labels)) >= 2:
            self._svm = CharSvm.fit(self.config, messages, labels)
            with self._model_storage.write_to(self._resource) as model_dir:
                self._svm.save(model_dir, self.NAME)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "CharSvmComponent":
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as model_dir:
                svm = CharSvm.load(config, model_dir, cls.NAME)
        except ValueError:  # trained with nothing to rank: nothing was written
            svm = None
        return cls(config, model_storage, resource, svm)


def _sparse_t(rows: list, min_weight: float = 0.0):
    """Weight rows, one per class, as a sparse (features × classes) float32 matrix, without the
    weights smaller than ``min_weight``.

    Four in five weights are exactly zero (no support vector has that n-gram): dense, the
    entry selector's matrix was 200 MB in the model file, and stacking it took seconds.
    """
    from scipy.sparse import coo_matrix

    features, classes, values = [], [], []
    for i, row in enumerate(rows):
        kept = np.flatnonzero((np.abs(row) >= min_weight) & (row != 0))
        features.append(kept)
        classes.append(np.full(len(kept), i, dtype=np.int32))
        values.append(row[kept].astype(np.float32))
    return coo_matrix((np.concatenate(values), (np.concatenate(features), np.concatenate(classes))),
                      shape=(len(rows[0]), len(rows))).tocsr()


def _vectorizer(config: Dict[Text, Any], view: str = "surface", vocabulary=None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    if view == "words":
        return TfidfVectorizer(analyzer="word", tokenizer=str.split, token_pattern=None,
                               preprocessor=to_hiragana, sublinear_tf=True, ngram_range=(1, 2),
                               vocabulary=vocabulary)
    return TfidfVectorizer(analyzer="char_wb", preprocessor=to_hiragana, sublinear_tf=True,
                           ngram_range=(config["min_ngram"], config["max_ngram"]),
                           vocabulary=vocabulary)


def _view_weight(config: Dict[Text, Any], view: str) -> float:
    return config["words_weight"] if view == "words" else 1.0


def _features(messages: Sequence[Message], config: Dict[Text, Any]
              ) -> tuple[Any, list[tuple[dict, "np.ndarray"]]]:
    """The training examples' TF-IDF features, and each view's vocabulary and idf weights
    fitted on them."""
    from scipy.sparse import csr_matrix, hstack

    blocks, fitted = [], []
    for view, texts in zip(VIEWS, zip(*(views(m) for m in messages))):
        weight = _view_weight(config, view)
        if not any(texts) or not weight:
            # No example has a word of this view (a guide in Japanese only has no Latin words),
            # or the view is switched off.
            blocks.append(csr_matrix((len(texts), 0)))
            fitted.append(({}, np.zeros(0, dtype=np.float32)))
            continue
        vectorizer = _vectorizer(config, view)
        blocks.append(vectorizer.fit_transform(texts) * weight)
        fitted.append(({k: int(i) for k, i in vectorizer.vocabulary_.items()},
                       vectorizer.idf_.astype(np.float32)))
    return hstack(blocks).tocsr(), fitted
