"""Building the Rasa model: what goes into it, its name, and the one `rasa train` command.

The `guide train` command, the staff console's retrain and the benchmark all train through
here, so a model trained anywhere has the same inputs and the same file name.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Optional

import yaml

from bot.settings import REPO

RASA_DATA = ["data/nlu", "data/rules", "data/stories"]
# Everything that changes what `rasa train` produces; the model file is named by its hash.
MODEL_INPUTS = ["config.yml", "domain.yml", *RASA_DATA, "rasa_plugins", "bot/normalize.py",
                "requirements.lock"]


def venv_bin(name: str) -> str:
    """A command of this venv (rasa, guide…), whatever PATH says."""
    return str(Path(sys.executable).parent / name)


def model_hash(repo: Path = REPO) -> str:
    digest = hashlib.sha256()
    for entry in MODEL_INPUTS:
        path = repo / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(repo)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def model_name(repo: Path = REPO) -> str:
    """The file name a model trained from these inputs gets."""
    return f"guide-{model_hash(repo)}.tar.gz"


def model_path(repo: Path = REPO) -> Path:
    return repo / "models" / model_name(repo)


def rasa_train_command(out_dir: Path | str, model_file: str, config: str = "config.yml",
                       validated: bool = False) -> list[str]:
    """`rasa train` for the guide, run from the project directory.

    ``validated``: the caller has just run `rasa data validate --fail-on-warnings` (stricter than
    the check `rasa train` makes first), so training skips its own.
    """
    return [venv_bin("rasa"), "train", "--config", config, "--domain", "domain.yml",
            "--data", *RASA_DATA, "--out", str(out_dir),
            "--fixed-model-name", model_file.removesuffix(".tar.gz"),
            *(["--skip-validation"] if validated else [])]


# What a training file must hold for Rasa to read it. Rasa takes a YAML file for NLU data only
# when it has an ``nlu`` key, and passes over any other without a word, `rasa data validate`
# too: a file whose ``version``/``nlu`` head was lost trained a model without its ~300
# examples, and every check passed.
TRAINING_KEYS = {"data/nlu": {"nlu"}, "data/rules": {"rules"}, "data/stories": {"stories"}}


def unread_training_files(repo: Path = REPO) -> list[str]:
    """Training files Rasa would pass over, each as "path: why" (none when all are read)."""
    problems = []
    for folder, keys in TRAINING_KEYS.items():
        for path in sorted((repo / folder).rglob("*")):
            if path.suffix not in (".yml", ".yaml") or not path.is_file():
                continue
            name = path.relative_to(repo)
            try:
                content = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as err:
                problems.append(f"{name}: not readable YAML ({str(err).splitlines()[0]})")
                continue
            if not isinstance(content, dict) or not keys & set(content):
                problems.append(f"{name}: no {' or '.join(sorted(keys))} key at the top, so Rasa "
                                "would leave the file out of training")
    return problems


def rasa_validate_command() -> list[str]:
    """`rasa data validate` as `guide check` and the publish job run it."""
    return [venv_bin("rasa"), "data", "validate", "--fail-on-warnings", "--config", "config.yml",
            "--domain", "domain.yml", "--data", *RASA_DATA]


def train_into(target: Path, run: Optional[Callable[[list[str]], int]] = None,
               cwd: Path = REPO, validated: bool = False) -> bool:
    """Train the model ``target`` names; True when a whole archive is in place.

    Rasa writes the archive in place at the end; a run killed then would leave a half archive
    under the name that later counts as "up to date". So it trains into a scratch directory
    and only a whole archive is moved in. ``run`` runs the command (default: plainly);
    ``validated`` as for rasa_train_command.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    run = run or (lambda cmd: subprocess.call(cmd, cwd=cwd))
    with tempfile.TemporaryDirectory(prefix=".training-", dir=target.parent) as scratch:
        rc = run(rasa_train_command(scratch, target.name, validated=validated))
        built = Path(scratch) / target.name
        if rc != 0 or not built.exists():
            return False
        os.replace(built, target)
    return True
