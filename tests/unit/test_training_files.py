"""The training-file reader named in config.yml reads what Rasa's reads and fails as Rasa's fails."""

from __future__ import annotations

import copy

import pytest
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT

from bot.model_build import RASA_DATA
from bot.settings import REPO
from rasa_plugins.training_files import TrainingExample, TrainingFiles


def _readers(paths):
    return RasaFileImporter(None, None, paths), TrainingFiles(None, None, paths)


def test_config_yml_trains_through_it():
    importer = TrainingDataImporter.load_from_config(str(REPO / "config.yml"), None, [])
    combined = importer.importer._importer  # E2EImporter(ResponsesSyncImporter(Combined…))
    assert [type(i) for i in combined._importers] == [TrainingFiles]


def test_the_guides_training_files_read_as_rasas_reader_reads_them():
    rasas, ours = _readers([str(REPO / p) for p in RASA_DATA])
    expected, got = rasas.get_nlu_data("ja"), ours.get_nlu_data("ja")
    assert [m.data for m in got.training_examples] == [m.data for m in expected.training_examples]
    assert got.fingerprint() == expected.fingerprint()
    assert (got.entity_synonyms, got.lookup_tables, got.regex_features, got.responses) == \
        (expected.entity_synonyms, expected.lookup_tables, expected.regex_features, expected.responses)
    # Read again (from the process's cache), the same.
    assert ours.get_nlu_data("ja").fingerprint() == expected.fingerprint()


BAD_FILES = {
    "a key the schema does not know": 'version: "3.1"\nnlu:\n- intnt: greet\n  examples: |\n    - こんにちは\n',
    "examples that are not text": 'version: "3.1"\nnlu:\n- intent: greet\n  examples: 3\n',
    "a YAML syntax error": 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n  - [こんにちは\n',
    "a key given twice": 'version: "3.1"\nnlu:\n- intent: greet\n  intent: bye\n  examples: |\n    - やあ\n',
}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_broken_file_fails_with_rasas_own_error(tmp_path, content):
    path = tmp_path / "nlu.yml"
    path.write_text(content, encoding="utf-8")
    rasas, ours = _readers([str(path)])
    with pytest.raises(Exception) as expected:
        rasas.get_nlu_data()
    with pytest.raises(type(expected.value)) as got:
        ours.get_nlu_data()
    assert str(got.value) == str(expected.value)


def test_an_edited_file_is_read_again(tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - こんにちは\n',
                    encoding="utf-8")
    _, ours = _readers([str(path)])
    assert [m.get(TEXT) for m in ours.get_nlu_data().training_examples] == ["こんにちは"]
    path.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - こんばんは\n',
                    encoding="utf-8")
    assert [m.get(TEXT) for m in ours.get_nlu_data().training_examples] == ["こんばんは"]


def test_merged_examples_carry_their_fingerprint_with_their_response(tmp_path):
    """The response comes from another file; the fingerprint is computed after it is set, once."""
    from rasa.shared.nlu.constants import RESPONSE

    (tmp_path / "a.yml").write_text('version: "3.1"\nnlu:\n- intent: request/juminhyo\n'
                                    '  examples: |\n    - 住民票がほしい\n', encoding="utf-8")
    (tmp_path / "b.yml").write_text('version: "3.1"\nresponses:\n  utter_request/juminhyo:\n'
                                    '  - text: "住民票の写しの交付"\n', encoding="utf-8")
    _, ours = _readers([str(tmp_path / "a.yml"), str(tmp_path / "b.yml")])
    (example,) = ours.get_nlu_data().training_examples
    assert example.get(RESPONSE) == "住民票の写しの交付"
    assert example._cached_fingerprint is not None
    assert example.fingerprint() == TrainingExample(data=dict(example.data)).fingerprint()
    assert copy.deepcopy(example)._cached_fingerprint == example._cached_fingerprint


def test_a_copied_example_is_equal_and_independent():
    entity = {"start": 0, "end": 3, "value": "住民票", "entity": "item"}
    example = TrainingExample(data={TEXT: "住民票を", INTENT: "request", ENTITIES: [entity]})
    copied = copy.deepcopy(example)
    assert type(copied) is TrainingExample
    assert copied.data == example.data and copied.fingerprint() == example.fingerprint()
    copied.get(ENTITIES)[0]["value"] = "印鑑"
    copied.output_properties.add("extra")
    assert entity["value"] == "住民票" and "extra" not in example.output_properties


def test_setting_an_unchanged_text_keeps_the_fingerprint_and_a_change_changes_it():
    example = TrainingExample(data={TEXT: "住民票を", INTENT: "request"})
    before = example.fingerprint()
    example.set(INTENT, "request", add_to_output=True)
    assert example.fingerprint() == before and INTENT in example.output_properties
    example.set(INTENT, "section")
    assert example.fingerprint() != before
    assert example.fingerprint() == TrainingExample(data={TEXT: "住民票を", INTENT: "section"}).fingerprint()
