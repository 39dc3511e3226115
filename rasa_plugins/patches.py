"""Measured fixes for Rasa 3.6.21, applied wherever the pipeline is loaded (the Rasa server and
`rasa train`: the normaliser imports this module).

Rasa validates every action-server response with ``jsonschema.validate()``, which first checks
the response *schema itself* against the JSON Schema meta-schema, on every call: ~14 ms of a
~50 ms turn (profiled with py-spy, see README "Benchmark"). The same validator class is built
once here; responses are validated exactly as before and the same errors are raised.

In training, Rasa fingerprints every node's output for its training cache, and a tokenised
example's fingerprint is mostly its tokens': Rasa hashes each of a token's five fields, then the
list of their hashes, ~8 MD5s and 2 JSON dumps a token. Here a token is hashed once, over the same
fields (8.7 → 4.3 s for a pass over the training examples). The fingerprint still changes exactly
when a token's text, offsets, lemma or data do, so the cache reuses and retrains as before.
Pinned to the Rasa version it was written for; on any other version nothing is patched.
"""

from __future__ import annotations

import functools
import json
from typing import Text

import rasa
from rasa.core.actions import action as _action
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.utils.io import get_text_hash

PATCHED_FOR = "3.6.21"


@functools.lru_cache(maxsize=1)
def _response_validator():
    from jsonschema.validators import validator_for

    spec = _action.RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)
    return validator_class(spec)


def _validate_action_result(self, result):
    from jsonschema import ValidationError

    try:
        _response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{_action.DOCS_BASE_URL}/custom-actions"
        )
        raise e


def _token_fingerprint(self: Token) -> Text:
    return get_text_hash(json.dumps([self.text, self.start, self.end, self.lemma, self.data],
                                    sort_keys=True, ensure_ascii=False, default=str))


if rasa.__version__ == PATCHED_FOR:
    _action.RemoteAction._validate_action_result = _validate_action_result
    Token.fingerprint = _token_fingerprint
