"""A measured fix for Rasa 3.6.21, applied in the Rasa server process.

Rasa validates every action-server response with ``jsonschema.validate()``, which first checks
the response *schema itself* against the JSON Schema meta-schema, on every call: ~14 ms of a
~50 ms turn (profiled with py-spy, see README "Benchmark"). The same validator class is built
once here; responses are validated exactly as before and the same errors are raised.
Pinned to the Rasa version it was written for; on any other version nothing is patched.
"""

from __future__ import annotations

import functools

import rasa
from rasa.core.actions import action as _action

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


if rasa.__version__ == PATCHED_FOR:
    _action.RemoteAction._validate_action_result = _validate_action_result
