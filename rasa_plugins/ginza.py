"""GiNZA (ja_ginza) for Rasa, loading only the tokenizer (SudachiPy)."""

from __future__ import annotations

from typing import Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MODEL_LOADER,
                           DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
                          is_trainable=False, model_from="GinzaNLP")
class GinzaNLP(SpacyNLP):
    """SpacyNLP for ja_ginza that loads only what the pipeline reads: tokens and their readings.

    GiNZA's full pipeline also runs tok2vec, the parser, NER, the morphologizer, the
    compound splitter and bunsetu recognition on every message; SpacyTokenizer and the
    guide's classifiers use none of them (tokens and readings come from SudachiPy in the
    tokenizer), so they are excluded and a parse costs a fraction of the time. The model's
    vocabulary (599,000 strings and the static word vectors) is not loaded either: no component
    reads a vector, and SudachiPy adds the strings a message needs as it tokenises. Loaded alone, it
    was 165 MiB resident (189 MiB at the peak while loading), and the tokens and readings of held-out
    set 1's questions are those of the full model (tests/unit/test_rasa_plugins.py).
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
        nlp = spacy.load(spacy_model_name, exclude=[*pipes, "vocab"])
        # In split mode C spaCy also splits every word again in modes A and B for
        # doc.user_data["sub_tokens"], which only GiNZA's excluded pipes read: a quarter of the
        # tokenizer's time (10.2 → 7.0 s over the training examples).
        nlp.tokenizer.need_subtokens = False
        return SpacyModel(model=nlp, model_name=spacy_model_name)

    def process_training_data(self, training_data: TrainingData, model: SpacyModel) -> TrainingData:
        """Parses each example's text, and only the text.

        SpacyNLP also parses the ``response`` of every retrieval-intent example (the entry's
        name, ~35,000 of them) and the tokenizer then tokenises it; no component of this
        pipeline reads it. Parsing, tokenising and fingerprinting those were about a third of
        that work in a retrain. The texts' docs are exactly SpacyNLP's.
        """
        examples = [e for e in training_data.training_examples if self._get_text(e, TEXT)]
        docs = model.model.pipe([self._get_text(e, TEXT) for e in examples], batch_size=50)
        for example, doc in zip(examples, docs):
            if len(doc):
                example.set(SPACY_DOCS[TEXT], doc)
        return training_data
