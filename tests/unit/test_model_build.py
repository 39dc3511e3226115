"""The `rasa train` command the guide runs, as Rasa's own CLI reads it."""

import pytest

from bot.model_build import rasa_train_command


@pytest.mark.parametrize("validated", [False, True])
def test_training_skips_rasas_own_check_only_after_rasa_data_validate(validated):
    from rasa.__main__ import create_argument_parser

    args = create_argument_parser().parse_args(
        rasa_train_command("/tmp/out", "guide-0123.tar.gz", validated=validated)[1:])
    assert args.skip_validation is validated
    assert args.fixed_model_name == "guide-0123" and args.out == "/tmp/out"


@pytest.mark.parametrize("rasa_validate", [False, True])
def test_the_publish_job_skips_rasas_check_only_when_its_own_ran(monkeypatch, tmp_path, rasa_validate):
    from back_office import publish

    seen = {}
    monkeypatch.setattr(publish, "_update", lambda *a, **k: None)
    monkeypatch.setattr(publish, "model_name", lambda project: "guide-0123.tar.gz")
    monkeypatch.setattr(publish, "train_into",
                        lambda target, run, validated=False: seen.update(validated=validated) or True)
    config = publish.PublishConfig(project_dir=tmp_path, db=tmp_path / "staff.db", rasa_url="", rasa_token="",
                                   actions_url="", heldout=tmp_path, models_dir=tmp_path / "models",
                                   rasa_validate=rasa_validate)
    publish.Job(config, 1).train()
    assert seen == {"validated": rasa_validate}
