"""Rasa's reader of the training files, each file parsed and checked once per process.

Named in config.yml (``importers``), so `rasa train`, `rasa data validate` and the staff
console's publish all read the files through it. With Rasa's own reader (RasaFileImporter),
half of a full retrain went on reading the same files again and again (py-spy over `rasa train`
with every component restored from the training cache: 71 of 86 s):

- `rasa train` builds two readers, one for its check before training and one for training, and
  each reads every NLU file twice (once for the domain's retrieval intents, once for the
  examples); each read parses the YAML twice (round-trip for the schema check, safe for the
  examples). Here each file is parsed once (safe), checked against Rasa's schema on that parse,
  and the result is kept for the process, keyed by the file's content.
- Each of Rasa's importer layers merges the data into a new TrainingData, which deep-copies
  every example and, because its clean-up sets the intent again, fingerprints every example
  again. The examples read here are `TrainingExample`s, whose copy and unchanged-value set are
  cheap; the data, and so every fingerprint and the training cache, are exactly Rasa's.

A file that fails the fast path (a YAML or schema error, or not a YAML file) is read by Rasa's
own reader instead, so the error a member of staff sees is Rasa's, with its line numbers.
Pinned to the Rasa version it was written for; on any other version Rasa's reader does it all.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any, Dict, Optional, Text

import rasa
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.training_data import loading
from rasa.shared.nlu.training_data.formats.rasa_yaml import (
    KEY_NLU, KEY_RESPONSES, NLU_SCHEMA_FILE, RasaYAMLReader)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils import io as rasa_io
from rasa.shared.utils import validation

WRITTEN_FOR = "3.6.21"


class TrainingExample(Message):
    """A training example that Rasa's merges copy and clean up without hashing it again.

    Same data, same fingerprint, same behaviour as Message; only quicker where Rasa's importer
    layers spend their time: a deep copy shares the strings (immutable) instead of walking
    them, and setting a text property to the text it already has keeps the cached fingerprint.
    """

    def __deepcopy__(self, memo: Dict[int, Any]) -> "TrainingExample":
        copied = TrainingExample.__new__(TrainingExample)
        memo[id(self)] = copied
        for name, value in self.__dict__.items():
            if name == "data":
                value = {key: item if isinstance(item, str) else copy.deepcopy(item, memo)
                         for key, item in value.items()}
            elif name == "output_properties":
                value = set(value)  # of names; deepcopy has no fast path for sets
            else:
                value = copy.deepcopy(value, memo)
            setattr(copied, name, value)
        return copied

    def set(self, prop: Text, info: Any, add_to_output: bool = False) -> None:
        current = self.data.get(prop)
        if isinstance(info, str) and type(current) is str and current == info:
            if add_to_output:
                self.output_properties.add(prop)
            return
        super().set(prop, info, add_to_output)


class TrainingFiles(RasaFileImporter):
    """RasaFileImporter whose NLU files are each read once per process (see the module)."""

    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        if rasa.__version__ != WRITTEN_FOR:
            return super().get_nlu_data(language)
        return _merged(tuple((path, rasa_io.read_file(path)) for path in self._nlu_files), language)


@functools.lru_cache(maxsize=4)
def _merged(files: tuple[tuple[Text, Text], ...], language: Optional[Text]) -> TrainingData:
    """The files' data merged, kept per files and contents like _parsed (and, like it, only ever
    merged into a copy by its callers).

    The merge gives each example its response, taken from another file (the one with the
    domain's responses), which clears the example's fingerprint. Computed here once, it is
    carried by every importer layer's copy. Otherwise each of `rasa train`'s two readers merged
    the files again and computed it again for the ~37,000 examples with a response, at the next
    layer: 73,292 fingerprints in 4.8 s of a retrain, where one pass here takes 2.5 s.
    """
    data = TrainingData().merge(*(_nlu_file(path, text, language) for path, text in files))
    for example in data.training_examples:
        example.fingerprint()
    return data


def _nlu_file(path: Text, text: Text, language: Optional[Text]) -> TrainingData:
    parsed = _parsed(path, text)
    return parsed if parsed is not None else loading.load_data(path, language)


@functools.lru_cache(maxsize=None)
def _parsed(path: Text, text: Text) -> Optional[TrainingData]:
    """The file's training data, or None when Rasa's own reader should read it.

    Kept per path and content, unbounded: the processes that read training files (`rasa train`,
    `rasa data validate`) are short-lived. Callers never change what it returns: every importer
    layer merges it into a copy.
    """
    if Path(path).suffix not in (".yml", ".yaml"):
        return None
    try:
        content = rasa_io.read_yaml(text)
        _schema_check(content)
    except Exception:  # noqa: BLE001 - Rasa's reader reads it again and raises its own error
        return None
    reader = RasaYAMLReader()
    reader.filename = path
    if not validation.validate_training_data_format_version(content, path):
        return TrainingData()
    for key, value in content.items():
        if key == KEY_NLU:
            reader._parse_nlu(value)
        elif key == KEY_RESPONSES:
            reader.responses = value
    examples = [TrainingExample(data=m.data, output_properties=m.output_properties, time=m.time,
                                features=m.features) for m in reader.training_examples]
    return TrainingData(examples, reader.entity_synonyms, reader.regex_features,
                        reader.lookup_tables, reader.responses)


def _schema_check(content: Any) -> None:
    """Rasa's NLU schema check (validation.validate_yaml_schema) on an already parsed file."""
    from pykwalify.core import Core

    schema, extensions = _nlu_schema()
    Core(source_data=content, schema_data=schema, extensions=[extensions]).validate(
        raise_exception=True)


@functools.lru_cache(maxsize=1)
def _nlu_schema() -> tuple[Dict[Text, Any], Text]:
    import logging

    import pkg_resources
    from rasa.shared.constants import PACKAGE_NAME, RESPONSES_SCHEMA_FILE, SCHEMA_EXTENSIONS_FILE

    # As validate_yaml_schema: pykwalify logs every error it finds; the fallback reports them.
    logging.getLogger("pykwalify").setLevel(logging.CRITICAL)
    schema = dict(rasa_io.read_yaml_file(pkg_resources.resource_filename(PACKAGE_NAME, NLU_SCHEMA_FILE)),
                  **rasa_io.read_yaml_file(pkg_resources.resource_filename(PACKAGE_NAME,
                                                                           RESPONSES_SCHEMA_FILE)))
    return schema, pkg_resources.resource_filename(PACKAGE_NAME, SCHEMA_EXTENSIONS_FILE)
