"""The `rasa train` command the guide runs, as Rasa's own CLI reads it."""

import pytest

from bot.model_build import rasa_train_command, unread_training_files


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


def test_a_training_file_rasa_would_pass_over_is_named():
    # The project's own files are all read.
    assert unread_training_files() == []


def test_a_training_file_without_its_nlu_head_is_reported(tmp_path):
    # A file whose "version"/"nlu:" head was lost is still valid YAML (a list), and Rasa leaves
    # it out of training without a word.
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "rules").mkdir()
    (tmp_path / "data" / "nlu" / "fine.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - こんにちは\n', encoding="utf-8")
    (tmp_path / "data" / "nlu" / "headless.yml").write_text(
        "- intent: greet\n  examples: |\n    - こんにちは\n", encoding="utf-8")
    (tmp_path / "data" / "rules" / "broken.yml").write_text("rules: [\n", encoding="utf-8")
    problems = unread_training_files(tmp_path)
    assert len(problems) == 2
    assert problems[0].startswith("data/nlu/headless.yml: no nlu key")
    assert problems[1].startswith("data/rules/broken.yml: not readable YAML")
