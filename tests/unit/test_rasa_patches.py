"""The cached action-response validator accepts and refuses exactly what Rasa's does; a token's
fingerprint changes exactly when Rasa's does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.nlu.tokenizers.tokenizer import Token

from rasa_plugins import patches as rasa_patches

GOOD = [{"events": [], "responses": []},
        {"events": [{"event": "slot", "name": "current_item", "value": "juminhyo"}],
         "responses": [{"response": "utter_route", "title": "住民票"}]}]
BAD = [{"events": "not a list"}, {"responses": [{"buttons": "x"}], "events": [{"event": 3}]}]


def _original(result):
    jsonschema.validate(result, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("result", GOOD)
def test_accepts_what_rasa_accepts(result):
    _original(result)
    assert rasa_patches._validate_action_result(None, result) is True


@pytest.mark.parametrize("result", BAD)
def test_refuses_what_rasa_refuses(result):
    with pytest.raises(jsonschema.ValidationError):
        _original(result)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        rasa_patches._validate_action_result(None, result)


def test_patch_is_installed_on_the_pinned_version():
    import rasa

    assert rasa.__version__ == rasa_patches.PATCHED_FOR
    assert RemoteAction._validate_action_result is rasa_patches._validate_action_result


def _token(**changes):
    fields = {"text": "住民票", "start": 0, "end": 3, "lemma": "住民票", "data": {"pos": "名詞-普通名詞"}}
    return Token(**{**fields, **changes})


@pytest.mark.parametrize("change", [{"text": "住民"}, {"start": 1}, {"end": 4}, {"lemma": "住民"},
                                    {"data": {"pos": "名詞-固有名詞"}}, {"data": {}}])
def test_a_token_fingerprint_changes_with_any_field(change):
    assert _token().fingerprint() == _token().fingerprint()
    assert _token(**change).fingerprint() != _token().fingerprint()


def test_token_fingerprint_patch_is_installed():
    assert Token.fingerprint is rasa_patches._token_fingerprint
