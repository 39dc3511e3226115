"""Retrain and publish from the staff console: validate → train → evaluate → swap, one job at a time.

The job runs in a background thread and records its phase in the staff database, so any
kiosk worker process can report it. Nothing reaches visitors until the new model has been
evaluated on the held-out questions on a temporary Rasa server (same action server, its
own in-memory tracker store) and reached the accuracy bar; then the running Rasa server is
told to load it with ``PUT /model``. Rasa swaps its agent only once the new model is loaded,
but it loads it on its event loop, so turns arriving meanwhile wait (seconds; the kiosk's
RASA_TIMEOUT must stay above that pause). Any failure leaves the current model serving and
says why.
"""

from __future__ import annotations

import collections
import fcntl
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional


from back_office.editing import GENERATED_NLU, extra_checks
from bot import rasa_server
from bot.evaluation import asking_rasa, evaluate
from bot.guide_data import GuideDataError, load_guide
from bot.model_build import model_name, rasa_validate_command, train_into, unread_training_files
from bot.nlu_export import render
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.settings import DEFAULT_OFFICE, REPO
from back_office.db import transaction


PHASES = ("validating", "training", "evaluating", "publishing", "done", "failed")
# What staff read: each phase as a step in words (the raw tool output is for developers only).
PHASE_LABELS = {"validating": "検証中", "training": "学習中", "evaluating": "評価中",
                "publishing": "読み込み中", "done": "完了", "failed": "失敗"}
STEP_LABELS = {"validating": "データの検証", "training": "学習", "evaluating": "精度の確認",
               "publishing": "稼働中のサーバーへの読み込み"}
RUNNING = ("validating", "training", "evaluating", "publishing")
TAIL_LINES = 40
# Terminal colour and cursor codes Rasa and TensorFlow write (ESC [ … letter).
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
# A progress bar's line: "Epochs:  35%|███▌      | 35/100 [00:10<00:19, …]".
PROGRESS = re.compile(r"^(?P<what>[A-Za-z][\w ]*?):?\s+(?P<pct>\d{1,3})%\|")
PROGRESS_WORDS = {"epochs": "学習の反復"}
# Rasa's "Starting to train component 'GuideEntrySelector'.": which part is being learnt. The
# guide's classifiers draw no progress bar (they train in seconds), so this is what staff see.
COMPONENT = re.compile(r"Starting to train component '(?P<name>[\w.]+)'")
COMPONENT_WORDS = {"QuestionTypeClassifier": "質問の種類", "GuideEntrySelector": "案内先（窓口・制度）"}


def clean_line(line: str) -> str:
    """One line of tool output without colour codes or progress-bar redraws."""
    # Progress bars redraw with \r: keep only the newest state of the line.
    drawn = [part for part in line.rstrip("\n").split("\r") if part.strip()]
    return ANSI.sub("", drawn[-1]).strip() if drawn else ""


def progress_words(lines: list[str]) -> str:
    """How far a step has come, in words, from the newest progress bar in its output."""
    for line in reversed(lines):
        match = PROGRESS.match(line)
        if match:
            what = PROGRESS_WORDS.get(match["what"].strip().lower(), "処理")
            return f"{what} {int(match['pct'])}% まで進みました"
        match = COMPONENT.search(line)
        if match and match["name"] in COMPONENT_WORDS:
            return f"{COMPONENT_WORDS[match['name']]}を学習しています"
    return f"処理しています（記録 {len(lines)} 行）" if lines else ""


def steps(phase: str, failed_phase: Optional[str]) -> list[dict]:
    """The job's steps for the status page: each 済み, 実行中, 失敗 or 未."""
    at = failed_phase if phase == "failed" else phase
    position = RUNNING.index(at) if at in RUNNING else len(RUNNING)
    out = []
    for i, name in enumerate(RUNNING):
        if i < position:
            state = "済み"
        elif i == position:
            state = "失敗" if phase == "failed" else "実行中"
        else:
            state = "未"
        out.append({"phase": name, "label": STEP_LABELS[name], "state": state})
    return out


class JobRunning(RuntimeError):
    """Another retrain/publish job is under way."""


class PublishFailed(RuntimeError):
    """A step failed; the message says why, in the staff's words."""


@dataclass(frozen=True)
class PublishConfig:
    """Everything a job needs; built from the app's config by the console."""

    project_dir: Path
    db: Path
    rasa_url: str          # one server, or several separated by commas (RASA_URL)
    rasa_token: str
    actions_url: str
    heldout: Path
    models_dir: Path
    min_accuracy: float = 0.90
    rasa_validate: bool = True
    evaluate_before: bool = True
    train_timeout: float = 3600.0
    server_timeout: float = 300.0
    office: str = "kanazawa"  # the office data pack served (data/offices/<office>)

    @property
    def guide_dir(self) -> Path:
        return self.project_dir / "data" / "guide"

    @property
    def office_dir(self) -> Path:
        return self.project_dir / "data" / "offices" / self.office


def rasa_urls(rasa_url: str) -> list[str]:
    """Every live Rasa server named in RASA_URL (the kiosk spreads turns over them)."""
    return [u.strip().rstrip("/") for u in rasa_url.split(",") if u.strip()]


def _env(config: Optional["PublishConfig"] = None) -> dict:
    # No telemetry calls from a ward office machine.
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    if config is not None:
        # The project's guide data: the shared files and the office's data pack.
        env.update(GUIDE_DATA_DIR=str(config.guide_dir), GUIDE_OFFICE_DIR=str(config.office_dir))
    return env


# --- job records --------------------------------------------------------------------------


def _update(db: Path, job_id: int, **fields: Any) -> None:
    if "phase" in fields:
        fields.setdefault("phase_started", time.time())
        if fields["phase"] in ("done", "failed"):
            fields.setdefault("finished", time.time())
    cols = ", ".join(f"{k} = ?" for k in fields)
    with transaction(db) as conn:
        conn.execute(f"UPDATE publish_jobs SET {cols} WHERE id = ?", (*fields.values(), job_id))


def job_status(db: Path | str, job_id: Optional[int] = None) -> Optional[dict]:
    """A job (the latest when no id is given) as JSON-ready data, with elapsed seconds."""
    with transaction(db) as conn:
        row = conn.execute("SELECT * FROM publish_jobs WHERE id = ?", (job_id,)).fetchone() \
            if job_id else conn.execute("SELECT * FROM publish_jobs ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    job = dict(row)
    if job["phase"] in RUNNING and not is_locked(Path(db)):
        # Running in the database but nobody holds the job lock: its process died.
        _update(Path(db), job["id"], phase="failed", failed_phase=job["phase"],
                message="処理が中断されました（サーバーの再起動など）。"
                "現在のモデルのまま案内を続けています。")
        return job_status(db, job["id"])
    now = job["finished"] or time.time()
    job["elapsed"] = round(now - job["started"], 1)
    job["phase_elapsed"] = round(now - job["phase_started"], 1)
    job["phase_label"] = PHASE_LABELS.get(job["phase"], job["phase"])
    job["running"] = job["phase"] in RUNNING
    job["before"] = json.loads(job.pop("before_json") or "null")
    job["after"] = json.loads(job.pop("after_json") or "null")
    job["steps"] = steps(job["phase"], job.get("failed_phase"))
    log = (job.pop("log_tail") or "").splitlines()
    job["has_log"] = bool(log)
    job["progress"] = progress_words(log) if job["running"] else ""
    return job


def job_log(db: Path | str, job_id: int) -> Optional[str]:
    """The last lines the job's tools wrote (colour codes removed): for a developer, not staff."""
    with transaction(db) as conn:
        row = conn.execute("SELECT log_tail FROM publish_jobs WHERE id = ?", (job_id,)).fetchone()
    return None if row is None else (row["log_tail"] or "")


def _lock_path(db: Path) -> Path:
    return db.parent / (db.name + ".publish-lock")


_thread_lock = threading.Lock()


def is_locked(db: Path) -> bool:
    """True while some process runs a publish job on this database."""
    path = _lock_path(db)
    if not path.exists():
        return False
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _cached_report(db: Path, model: str) -> Optional[dict]:
    with transaction(db) as conn:
        row = conn.execute("SELECT report_json FROM evaluations WHERE model = ?", (model,)).fetchone()
    return json.loads(row["report_json"]) if row else None


def _cache_report(db: Path, model: str, report: dict) -> None:
    with transaction(db) as conn:
        conn.execute("INSERT OR REPLACE INTO evaluations (model, time, report_json) VALUES (?, ?, ?)",
                     (model, time.time(), json.dumps(report, ensure_ascii=False)))


def summary(report: Optional[dict]) -> Optional[dict]:
    """The figures the console shows: overall and department accuracy, misses."""
    if not report:
        return None
    dept = (report.get("by_kind") or {}).get("department") or {}
    return {"total": report["total"], "accuracy": report["accuracy"],
            "department_accuracy": dept.get("accuracy"),
            "out_of_scope_routed": report.get("out_of_scope_routed"),
            "degraded_answers": report.get("degraded_answers"),
            "misses": [{"text": m["text"], "expected": m["expected"], "predicted": m["predicted"]}
                       for m in (report.get("misses") or [])[:30]]}


# --- the job ---------------------------------------------------------------------------------


def start_job(config: PublishConfig, user: str,
              on_done: Optional[Callable[[int], None]] = None) -> int:
    """Start a job in a background thread; raises JobRunning when one is under way."""
    if not _thread_lock.acquire(blocking=False):
        raise JobRunning("再学習・公開はすでに実行中です")
    handle = None
    try:
        path = _lock_path(config.db)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise JobRunning("再学習・公開はすでに実行中です（別のプロセス）") from None
        now = time.time()
        with transaction(config.db) as conn:
            job_id = int(conn.execute(
                "INSERT INTO publish_jobs (user, started, phase, phase_started, message) "
                "VALUES (?, ?, 'validating', ?, ?)", (user, now, now, "データを検証しています")).lastrowid)
    except BaseException:
        if handle:
            handle.close()
        _thread_lock.release()
        raise

    def run() -> None:
        try:
            Job(config, job_id).run()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
            _thread_lock.release()
            if on_done:
                on_done(job_id)

    threading.Thread(target=run, name=f"publish-job-{job_id}", daemon=True).start()
    return job_id


class Job:
    """One retrain/publish run; every step records its phase before it starts."""

    def __init__(self, config: PublishConfig, job_id: int):
        self.config, self.id = config, job_id
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self.current = "validating"

    def phase(self, phase: str, message: str, **fields: Any) -> None:
        if phase == "failed":
            fields["failed_phase"] = self.current
        else:
            self.current = phase
        _update(self.config.db, self.id, phase=phase, message=message,
                log_tail="\n".join(self.tail), **fields)

    def run(self) -> None:
        try:
            self.validate()
            model = self.train()
            before, after = self.evaluate(model)
            self.publish(model, before, after)
        except PublishFailed as err:
            self.phase("failed", f"{err} 現在のモデルのまま案内を続けています。")
        except Exception as err:  # noqa: BLE001 — a job must always end with a recorded state
            self.phase("failed", f"予期しないエラー: {err.__class__.__name__}: {err}。"
                                 "現在のモデルのまま案内を続けています。")

    # validating ---------------------------------------------------------------------------

    def validate(self) -> None:
        project = self.config.project_dir
        try:
            guide = load_guide(self.config.guide_dir, self.config.office_dir)
            extra_checks(guide)
            if self.config.office != DEFAULT_OFFICE:
                # The generated NLU file is rendered from the default office's pack.
                guide = load_guide(self.config.guide_dir,
                                   project / "data" / "offices" / DEFAULT_OFFICE)
        except GuideDataError as err:
            raise PublishFailed(f"案内データに問題があります: {err}") from None
        generated = project / GENERATED_NLU
        if not generated.exists() or generated.read_text(encoding="utf-8") != render(guide):
            raise PublishFailed(f"{GENERATED_NLU} が案内データと合っていません"
                                "（`guide export-nlu` が必要です）。")
        unread = unread_training_files(project)
        if unread:
            raise PublishFailed("学習データのファイルが読み込まれません: " + "; ".join(unread))
        if self.config.rasa_validate:
            if self._stream(rasa_validate_command(), timeout=600) != 0:
                raise PublishFailed("学習データの検証で問題が見つかりました" + self._reason())

    def _stream(self, cmd: list[str], timeout: float, phase_fields: Optional[dict] = None) -> int:
        """Run a command in the project dir, keeping its last lines for the status page."""
        proc = subprocess.Popen(cmd, cwd=self.config.project_dir, env=_env(self.config), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=1)
        deadline = time.monotonic() + timeout
        last_report = 0.0
        assert proc.stdout is not None
        for line in proc.stdout:
            line = clean_line(line)
            if line:
                self.tail.append(line[:300])
            if time.monotonic() - last_report > 2:
                _update(self.config.db, self.id, log_tail="\n".join(self.tail))
                last_report = time.monotonic()
            if time.monotonic() > deadline:
                proc.kill()
                self.tail.append("時間切れのため中止しました")
                break
        return proc.wait()

    # training ------------------------------------------------------------------------------

    def train(self) -> Path:
        name = model_name(self.config.project_dir)
        target = self.config.models_dir / name
        self.tail.clear()
        if target.exists():
            self.phase("training", f"このデータのモデルはすでにあります（{name}）", model=name)
            return target
        self.phase("training", "モデルを学習しています（数分かかります）", model=name)
        # The check step ran `rasa data validate` when rasa_validate is on: not twice.
        if not train_into(target, lambda cmd: self._stream(cmd, timeout=self.config.train_timeout),
                          validated=self.config.rasa_validate):
            raise PublishFailed("学習に失敗しました" + self._reason())
        return target

    def _reason(self) -> str:
        """The end of a failure message: in words; the tool's own lines stay in the log."""
        timed_out = any("時間切れ" in line for line in self.tail)
        return ("（時間内に終わりませんでした）" if timed_out else "（ツールがエラーで終了しました）") + \
            "。詳しい記録は「開発者向けの記録」にあります。"

    # evaluating ----------------------------------------------------------------------------

    def evaluate(self, model: Path) -> tuple[Optional[dict], dict]:
        """Held-out accuracy of the new model, and of the serving one (cached per model file)."""
        self.phase("evaluating", "新しいモデルを評価用サーバーで読み込んでいます")
        live_model = self._live_model() if self.config.evaluate_before else None
        before = _cached_report(self.config.db, live_model.name) if live_model else None
        after = _cached_report(self.config.db, model.name)
        if after is None or (before is None and live_model is not None and live_model != model):
            with TemporaryRasa(self.config, model, self.tail) as server:
                if after is None:
                    self.phase("evaluating", "新しいモデルで評価用の質問に答えています")
                    after = self._evaluate_on(server.url, server.token)
                    _cache_report(self.config.db, model.name, after)
                if before is None and live_model is not None and live_model.exists() \
                        and live_model != model:
                    self.phase("evaluating", "比較のため、現在のモデルでも評価しています",
                               after_json=json.dumps(summary(after), ensure_ascii=False))
                    server.load(live_model)
                    before = self._evaluate_on(server.url, server.token)
                    _cache_report(self.config.db, live_model.name, before)
        fields = {"before_json": json.dumps(summary(before), ensure_ascii=False),
                  "after_json": json.dumps(summary(after), ensure_ascii=False)}
        _update(self.config.db, self.id, **fields)
        dept = summary(after)["department_accuracy"] or 0.0  # type: ignore[index]
        if after.get("degraded_answers"):
            raise PublishFailed(f"評価中に {after['degraded_answers']} 件の質問に答えられませんでした。")
        if dept < self.config.min_accuracy:
            raise PublishFailed(f"新しいモデルの課の正解率 {dept:.1%} が基準 "
                                f"{self.config.min_accuracy:.0%} に届きません。公開しませんでした。")
        return before, after

    def _evaluate_on(self, url: str, token: str) -> dict:
        """The held-out questions through bot.chat.turn, the code path of POST /api/chat."""
        guide = load_guide(self.config.guide_dir, self.config.office_dir)
        return evaluate(self.config.heldout, asking_rasa(RasaClient(url, token, timeout=60), guide))

    def _live_model(self, url: Optional[str] = None) -> Optional[Path]:
        """The model file a running Rasa server (the first by default) has loaded."""
        url = url or rasa_urls(self.config.rasa_url)[0]
        try:
            name = RasaClient(url, self.config.rasa_token).model_file()
        except RasaUnavailable:
            raise PublishFailed("稼働中の Rasa サーバーに接続できません。") from None
        if not name:
            return None
        path = Path(name)
        if path.is_absolute():
            return path
        # Rasa reports only the file name: look where models are kept.
        candidates = [self.config.models_dir / path.name,
                      self.config.project_dir / "models" / path.name, REPO / "models" / path.name]
        return next((c for c in candidates if c.exists()), candidates[0])

    # publishing ----------------------------------------------------------------------------

    def publish(self, model: Path, before: Optional[dict], after: dict) -> None:
        self.phase("publishing", "稼働中のサーバーに新しいモデルを読み込ませています"
                   "（読み込みの間、キオスクの応答が数秒遅くなることがあります）")
        urls = rasa_urls(self.config.rasa_url)
        previous = {url: self._live_model(url) for url in urls}
        if all(p is not None and p.name == model.name for p in previous.values()):
            self.phase("done", "このモデルはすでに公開されています。")
            return
        # One server at a time: while one loads, the others keep taking turns.
        for i, url in enumerate(urls):
            if previous[url] is not None and previous[url].name == model.name:
                continue
            try:
                self._swap(url, model)
            except PublishFailed as err:
                for done in urls[:i]:
                    if previous[done] is not None and previous[done].exists():
                        try:
                            self._swap(done, previous[done])
                        except PublishFailed:
                            pass  # reported below: the first failure is what staff need to know
                where = f"（サーバー {i + 1}/{len(urls)}）" if len(urls) > 1 else ""
                raise PublishFailed(f"{err}{where}") from None
        dept_before = (summary(before) or {}).get("department_accuracy")
        dept_after = summary(after)["department_accuracy"]  # type: ignore[index]
        figures = (f"課の正解率 {dept_before:.1%} → {dept_after:.1%}" if dept_before is not None
                   else f"課の正解率 {dept_after:.1%}")
        self.phase("done", f"新しいモデル {model.name} を公開しました（{figures}）。")


    def _swap(self, url: str, model: Path) -> None:
        """PUT /model on one live server and check that it reports the new model."""
        try:
            RasaClient(url, self.config.rasa_token).load_model(str(model.resolve()),
                                                              self.config.server_timeout)
        except RasaUnavailable as err:
            raise PublishFailed(f"モデルの切り替えに失敗しました: {err}") from None
        now = self._live_model(url)
        if now is None or now.name != model.name:
            raise PublishFailed("切り替え後のサーバーが新しいモデルを報告しません。")


class TemporaryRasa:
    """A Rasa server on a free port for evaluation: same action server, trackers in memory."""

    def __init__(self, config: PublishConfig, model: Path,
                 log: Optional[collections.deque] = None):
        # log: the job's developer log, which gets the server's last lines if it fails to start.
        self.config, self.model, self.log = config, model, log
        self.port = rasa_server.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_urlsafe(16)
        self.proc: Optional[subprocess.Popen] = None
        self.workdir: Optional[Path] = None

    def __enter__(self) -> "TemporaryRasa":
        self.workdir = Path(tempfile.mkdtemp(prefix="guide-eval-"))
        endpoints = self.workdir / "endpoints.yml"
        # Only the action server: evaluation turns must not reach the visitors' conversation store.
        endpoints.write_text(f'action_endpoint:\n  url: "{self.config.actions_url}"\n', encoding="utf-8")
        credentials = self.workdir / "credentials.yml"
        credentials.write_text("rest:\n", encoding="utf-8")
        self.proc = subprocess.Popen(
            rasa_server.command(self.model, self.port, endpoints, credentials),
            cwd=self.config.project_dir, env=rasa_server.env(self.token, _env(self.config)),
            stdout=open(self.workdir / "rasa.log", "ab"),
            stderr=subprocess.STDOUT)
        self._wait_for(self.model)
        return self

    def _wait_for(self, model: Path) -> None:
        deadline = time.monotonic() + self.config.server_timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                if self.log is not None:
                    self.log.extend(clean_line(line) for line in self.log_tail(TAIL_LINES))
                raise PublishFailed("評価用の Rasa サーバーが起動できませんでした。"
                                    "詳しい記録は「開発者向けの記録」にあります。")
            try:
                if Path(RasaClient(self.url, self.token).model_file(timeout=2) or "").name == model.name:
                    return
            except RasaUnavailable:
                pass
            time.sleep(1)
        raise PublishFailed("評価用の Rasa サーバーが時間内に準備できませんでした。")

    def log_tail(self, lines: int) -> list[str]:
        """The last meaningful lines the temporary server wrote, for the failure message."""
        try:
            text = (self.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
        except (OSError, TypeError):
            return []
        meaningful = [line.strip() for line in text.splitlines()
                      if line.strip() and "Warning" not in line and not line.startswith(" ")]
        return meaningful[-lines:]

    def load(self, model: Path) -> None:
        try:
            RasaClient(self.url, self.token).load_model(str(model.resolve()), self.config.server_timeout)
        except RasaUnavailable as err:
            raise PublishFailed(f"評価用サーバーで現在のモデルを読み込めませんでした（{err}）") from None
        self._wait_for(model)

    def __exit__(self, *_exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
