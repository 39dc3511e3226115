"""`guide bench`: the stock Rasa+GiNZA pipeline, a classic FAQ matcher and the shipped pipeline
side by side, on this machine, on the held-out visitor questions, in one run.

For each Rasa pipeline (stock = config.baseline.yml, shipped = config.yml) the bench trains a
model into a temporary directory (fresh training cache, so it is a full retrain; stock's DIET and
ResponseSelector for fewer epochs unless ``--stock-epochs 0``, see STOCK_EPOCHS), starts its own
Rasa server + action server + kiosk (gunicorn, as in the Procfile) on loopback ports from
``--port-base`` with a temporary SQLite tracker store, and measures: routing accuracy through
``/api/chat``, sequential ``/model/parse`` latency, ``/api/chat`` latency and errors under
concurrent kiosk sessions, throughput, training time, model size, the Rasa server's peak RSS and
its cold start. The faq-matcher (TF-IDF char n-grams + nearest training example, no Rasa) is
measured in-process. For the shipped pipeline it also breaks one turn down into stages and
profiles the servers under load with py-spy (when installed).

Results: results/bench/bench.json and bench.md (the table, also printed). Nothing here asserts
a timing; tests/test_bench.py tests the statistics, the table and the faq-matcher only.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import requests
import yaml

from bot import rasa_server
from bot.answers import button
from bot.evaluation import is_correct, asking_kiosk, evaluate, expected_of, load_questions, summarise
from bot.guide_data import load_guide
from bot.model_build import rasa_train_command
from bot.normalize import normalize
from bot.rasa_client import RasaClient
from bot.rasa_server import port_free
from bot.settings import HELDOUT_DIR, REPO, load_settings
from tools.loadgen import run_load

HELDOUT = HELDOUT_DIR / "visitor_questions.yml"
RESULTS = REPO / "results" / "bench"
PIPELINES = ("stock", "faq-matcher", "shipped")
CONFIGS = {"stock": "config.baseline.yml", "shipped": "config.yml"}
TOKEN = "bench-token-not-secret"
# Stock's DIET,ResponseSelector epochs in the default run (DIET's training accuracy is 0.93 after
# 3 epochs, the ResponseSelector's 0.31 after 10); `make bench-full` (0) trains the config's 100.
STOCK_EPOCHS = "10,60"
BIN = Path(sys.executable).parent


# ---------------------------------------------------------------------------------------------
# Statistics

def percentile(values: Iterable[float], p: float) -> Optional[float]:
    """The p-th percentile with linear interpolation between closest ranks (numpy's default)."""
    xs = sorted(values)
    if not xs:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, not {p}")
    k = (len(xs) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _round(x: Optional[float], digits: int = 2) -> Optional[float]:
    return None if x is None else round(x, digits)


def latency_summary(seconds: Iterable[float]) -> dict[str, Any]:
    """n, p50/p95/p99, mean and max in milliseconds from latencies in seconds."""
    ms = [s * 1000.0 for s in seconds]
    return {"n": len(ms), "p50_ms": _round(percentile(ms, 50)), "p95_ms": _round(percentile(ms, 95)),
            "p99_ms": _round(percentile(ms, 99)),
            "mean_ms": _round(sum(ms) / len(ms)) if ms else None,
            "max_ms": _round(max(ms)) if ms else None}


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    """a / b, or None when either is missing or b is 0."""
    if a is None or b is None or b == 0:
        return None
    return a / b


# ---------------------------------------------------------------------------------------------
# The classic FAQ matcher: TF-IDF over character n-grams, nearest training example

_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def strip_markup(text: str) -> str:
    """Training-data entity annotations removed: 「[住民票](item)を」 → 「住民票を」."""
    return _MARKUP.sub(r"\1", text)


def load_nlu_examples(nlu_dir: Path) -> list[tuple[str, str]]:
    """(text, intent) for every intent example in data/nlu/*.yml (retrieval keys kept whole)."""
    examples: list[tuple[str, str]] = []
    for path in sorted(Path(nlu_dir).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent") if isinstance(block, dict) else None
            if not intent:
                continue  # synonyms, lookup tables, regexes
            raw = block.get("examples") or []
            lines = raw.splitlines() if isinstance(raw, str) else [
                (e.get("text") if isinstance(e, dict) else str(e)) or "" for e in raw]
            for line in lines:
                line = line.strip()
                if line.startswith("- "):
                    line = line[2:]
                text = strip_markup(line.strip())
                if text:
                    examples.append((text, intent))
    return examples


def destination_of_label(guide, label: str) -> tuple[str, Any]:
    """A training label in the terms of bot.evaluation.predicted_of.

    procedure → its section's department name; section → department; redirect, program and
    facility → their id; clarification → clarify; anything else (greet, out_of_scope, ask_fee…)
    → out_of_scope.
    """
    family, _, item_id = label.partition("/")
    if not item_id:
        return "out_of_scope", True
    kind = guide.kind_of(item_id)
    if kind == "procedure":
        return "department", guide.sections[guide.procedures[item_id].section].name
    if kind == "section":
        return "department", guide.sections[item_id].name
    if kind in ("redirect", "program", "facility"):
        return kind, item_id
    if kind == "clarification":
        return "clarify", True
    return "out_of_scope", True


class FaqMatcher:
    """The classic FAQ bot: the label of the most similar training example wins.

    TF-IDF over character n-grams (within word boundaries, 1–3 like the shipped featuriser) of
    the normalised text; cosine similarity; no threshold, no model of the question type.
    A question sharing no n-gram with any example is out of scope.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), analyzer: str = "char_wb"):
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self._vectorizer = None
        self._matrix = None
        self._labels: list[str] = []

    def fit(self, texts: list[str], labels: list[str]) -> "FaqMatcher":
        from sklearn.feature_extraction.text import TfidfVectorizer

        if len(texts) != len(labels) or not texts:
            raise ValueError("texts and labels must be non-empty and of the same length")
        self._vectorizer = TfidfVectorizer(analyzer=self.analyzer, ngram_range=self.ngram_range,
                                           preprocessor=lambda t: normalize(t).lower(),
                                           sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(texts).tocsr()
        self._labels = list(labels)
        return self

    def match(self, text: str) -> tuple[Optional[str], float]:
        """(label of the nearest example, its cosine similarity); (None, 0.0) without overlap."""
        if self._vectorizer is None:
            raise RuntimeError("FaqMatcher.fit() first")
        query = self._vectorizer.transform([text])
        sims = (self._matrix @ query.T).toarray().ravel()
        best = int(sims.argmax()) if sims.size else 0
        if not sims.size or sims[best] <= 0.0:
            return None, 0.0
        return self._labels[best], float(sims[best])

    def predict(self, text: str) -> Optional[str]:
        return self.match(text)[0]


def faq_rows(guide, matcher: FaqMatcher, questions: list[dict]) -> list[dict]:
    """Rows in the shape bot.evaluation.summarise reads."""
    rows = []
    for q in questions:
        label = matcher.predict(q["text"])
        predicted = destination_of_label(guide, label) if label else ("out_of_scope", True)
        expected = expected_of(q)
        rows.append({"text": q["text"], "expected": list(expected), "predicted": list(predicted),
                     "correct": is_correct(expected, predicted)})
    return rows


def _guide():
    """The guide the servers serve: the settings' guide dir (and office pack, when there is one)."""
    settings = load_settings()
    office = getattr(settings, "office_dir", None)
    return load_guide(settings.guide_dir, office) if office is not None else load_guide(settings.guide_dir)


def bench_faq(questions: list[dict], parse_n: int) -> dict[str, Any]:
    guide = _guide()
    examples = load_nlu_examples(REPO / "data" / "nlu")
    started = time.perf_counter()
    matcher = FaqMatcher().fit([t for t, _ in examples], [label for _, label in examples])
    fit_s = time.perf_counter() - started
    report = summarise(faq_rows(guide, matcher, questions))
    texts = [q["text"] for q in questions]
    for text in texts[:10]:
        matcher.predict(text)  # warm-up
    lat = []
    for i in range(parse_n):
        t0 = time.perf_counter()
        matcher.predict(texts[i % len(texts)])
        lat.append(time.perf_counter() - t0)
    return {"accuracy": accuracy_figures(report), "parse": latency_summary(lat),
            "train_s": round(fit_s, 3), "train_examples": len(examples), "report": report}


def accuracy_figures(report: dict) -> dict[str, Any]:
    kinds = report["by_kind"]
    oos = kinds.get("out_of_scope", {})
    n_oos = oos.get("n") or 0
    return {
        "n": report["total"],
        "overall": report["accuracy"],
        "department": kinds.get("department", {}).get("accuracy"),
        "redirect": kinds.get("redirect", {}).get("accuracy"),
        "program": kinds.get("program", {}).get("accuracy"),
        "facility": kinds.get("facility", {}).get("accuracy"),
        "clarify": kinds.get("clarify", {}).get("accuracy"),
        "out_of_scope": oos.get("accuracy"),
        # Safety: share of out-of-scope questions NOT sent to a counter or elsewhere.
        "out_of_scope_safe": (round(1 - report["out_of_scope_routed"] / n_oos, 4) if n_oos else None),
        "out_of_scope_routed": report["out_of_scope_routed"],
        "degraded_answers": report.get("degraded_answers", 0),
    }


# ---------------------------------------------------------------------------------------------
# Processes

class Server:
    """A process this bench started, in its own process group, logging to a file."""

    def __init__(self, name: str, cmd: list[str], log: Path, env: Optional[dict] = None):
        self.name = name
        self.log = log
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([str(c) for c in cmd], cwd=REPO, env=env,
                                     stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        else:
            # The leader is gone; its group (gunicorn workers…) may not be.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(unreadable: {exc})"


def wait_until(check: Callable[[], bool], timeout: float, what: str, server: Server,
               interval: float = 0.1) -> float:
    """Seconds from the server's start until check() is true."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if not server.alive():
            # The log's tail goes into the error: the work directory (and the log) is removed
            # when the run ends, unless --keep-workdir.
            raise RuntimeError(f"{what} exited early with code {server.proc.returncode}; "
                               f"end of {server.log}:\n{_tail(server.log)}")
        if check():
            return time.perf_counter() - server.started
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout} s; see {server.log}")


def _get_ok(url: str, **kw) -> bool:
    try:
        return requests.get(url, timeout=2, **kw).status_code == 200
    except requests.RequestException:
        return False


def _parse_ok(rasa_url: str) -> bool:
    try:
        return "intent" in RasaClient(rasa_url, TOKEN, timeout=5).parse("住民票がほしい")
    except (requests.RequestException, ValueError):
        return False


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM (kB) of a live process from /proc/<pid>/status."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    except (FileNotFoundError, ValueError, ProcessLookupError):
        pass
    return out


def group_rss_mb(pid: int) -> Optional[float]:
    """Current RSS of a process and its children (gunicorn master + workers), MiB."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except (FileNotFoundError, ValueError):
        pass
    total = sum(proc_status(p).get("VmRSS", 0) for p in pids)
    return round(total / 1024, 1) if total else None


class Stack:
    """Rasa server + kiosk (gunicorn) for one model, sharing one action server."""

    def __init__(self, name: str, model: Path, workdir: Path, rasa_port: int, kiosk_port: int,
                 actions_url: str, tracker: str = "sqlite", kiosk: bool = True):
        self.name, self.model, self.workdir = name, model, workdir
        self.rasa_port, self.kiosk_port = rasa_port, kiosk_port
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        self.kiosk_url = f"http://127.0.0.1:{kiosk_port}"
        self.actions_url = actions_url
        self.tracker = tracker
        self.want_kiosk = kiosk
        self.rasa: Optional[Server] = None
        self.kiosk: Optional[Server] = None
        self.cold_start_s: Optional[float] = None

    def start(self) -> None:
        endpoints = self.workdir / f"endpoints-{self.name}.yml"
        text = f'action_endpoint:\n  url: "{self.actions_url}/webhook"\n'
        if self.tracker == "sqlite":
            text += (f"tracker_store:\n  type: SQL\n  dialect: sqlite\n"
                     f"  db: {self.workdir / f'trackers-{self.name}.db'}\n")
        endpoints.write_text(text, encoding="utf-8")
        for port in (self.rasa_port, self.kiosk_port) if self.want_kiosk else (self.rasa_port,):
            if not port_free(port):
                raise RuntimeError(f"port {port} is in use; choose another --port-base")
        env = rasa_server.env(TOKEN)
        self.rasa = Server(f"rasa-{self.name}", rasa_server.command(self.model, self.rasa_port, endpoints),
                           self.workdir / f"rasa-{self.name}.log", env)
        # Cold start: process start → first successful /model/parse.
        self.cold_start_s = wait_until(lambda: _parse_ok(self.rasa_url), 600, f"Rasa ({self.name})",
                                       self.rasa)
        if self.want_kiosk:
            kenv = dict(env, RASA_URL=self.rasa_url, RASA_TOKEN=TOKEN,
                        GUIDE_VAR_DIR=str(self.workdir / f"var-{self.name}"))
            # As in the Procfile.
            self.kiosk = Server(f"kiosk-{self.name}", [
                BIN / "gunicorn", "--workers", "2", "--threads", "8",
                "--bind", f"127.0.0.1:{self.kiosk_port}", "--access-logfile", "-",
                "kiosk_ui:create_app()"], self.workdir / f"kiosk-{self.name}.log", kenv)
            wait_until(lambda: _get_ok(f"{self.kiosk_url}/api/health"), 120, f"kiosk ({self.name})",
                       self.kiosk)

    def stop(self) -> None:
        for server in (self.kiosk, self.rasa):
            if server:
                server.stop()


# ---------------------------------------------------------------------------------------------
# Measurements

def train_model(config: str, out_dir: Path, name: str, cache_dir: Path, log: Path) -> tuple[float, Path]:
    """`rasa train` from scratch (empty cache) into out_dir; (seconds, model path)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache_dir.mkdir(parents=True)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", RASA_CACHE_DIRECTORY=str(cache_dir))
    cmd = rasa_train_command(out_dir, name, config=config)
    started = time.perf_counter()
    with open(log, "ab") as fh:
        rc = subprocess.call(cmd, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    model = out_dir / f"{name}.tar.gz"
    if rc != 0 or not model.exists():
        raise RuntimeError(f"rasa train --config {config} failed (rc {rc}); see {log}")
    return seconds, model


def config_with_epochs(src: Path, epochs: dict[str, int], dest: Path) -> Path:
    """A copy of a Rasa config with the epochs of the named components changed (stock: DIET and
    ResponseSelector). Comments are not kept; the copy lives only for the run."""
    config = yaml.safe_load(src.read_text(encoding="utf-8"))
    trained = {c["name"]: c for c in config.get("pipeline", []) if "epochs" in c}
    unknown = sorted(set(epochs) - set(trained))
    if unknown:
        raise ValueError(f"{src} has no {', '.join(unknown)} with epochs to set")
    for name, n in epochs.items():
        trained[name]["epochs"] = n
    dest.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def stock_epochs(text: str) -> dict[str, int]:
    """--stock-epochs: "10,60" (DIET, ResponseSelector), one number for both, or 0 for the
    config's own."""
    wanted = f"--stock-epochs wants N, or DIET,RESPONSESELECTOR epochs, or 0: {text!r}"
    try:
        values = [int(x) for x in str(text).split(",") if x.strip()]
    except ValueError:
        raise ValueError(wanted) from None
    if len(values) == 1:
        values *= 2
    if len(values) != 2 or any(v < 0 for v in values) or (0 in values and any(values)):
        raise ValueError(wanted)
    return {} if not any(values) else dict(zip(("DIETClassifier", "ResponseSelector"), values))


_COMPONENT = re.compile(r"Starting to train component '(\w+)'")
_METRIC = re.compile(r"\b([a-z]_(?:acc|f1)|t_loss)=([0-9.]+)")


def final_training_metrics(log_text: str) -> dict[str, dict[str, float]]:
    """The last value of each progress-bar metric (t_loss, i_acc, r_acc, e_f1) per trained
    component, from a `rasa train` log: how far a model fitted its training data when it stopped."""
    out: dict[str, dict[str, float]] = {}
    parts = _COMPONENT.split(log_text)
    for name, body in zip(parts[1::2], parts[2::2]):
        metrics = {k: float(v) for k, v in _METRIC.findall(body)}
        if metrics:
            out[name] = metrics
    return out


def measure_parse(rasa_url: str, texts: list[str], n: int, warmup: int = 10) -> list[float]:
    """Sequential POST /model/parse over the texts (keep-alive), seconds each."""
    rasa = RasaClient(rasa_url, TOKEN, timeout=30)
    for text in texts[:warmup]:
        rasa.parse(text)
    lat = []
    for i in range(n):
        t0 = time.perf_counter()
        rasa.parse(texts[i % len(texts)])
        lat.append(time.perf_counter() - t0)
    return lat


def button_payloads(guide, limit: int = 40) -> list[str]:
    """Button payloads as the kiosk sends them: procedures, then sections."""
    out = [button("", "request", pid)["payload"] for pid in sorted(guide.procedures)]
    out = out[: limit - 10] + [button("", "section", sid)["payload"] for sid in sorted(guide.sections)][:10]
    return out[:limit]


def load_level(kiosk_url: str, concurrency: int, duration: float, texts: list[str],
               payloads: list[str], think: float = 0.0) -> dict[str, Any]:
    res = run_load(kiosk_url, concurrency, duration, texts, payloads, think=think)
    return {"concurrency": concurrency, "think_s": think, "duration_s": duration,
            "elapsed_s": round(res.elapsed_s, 2),
            "answers": res.answers, "errors": res.errors, "error_kinds": res.error_kinds,
            "resent": res.resent, "answers_per_s": round(res.throughput, 2), **latency_summary(res.latencies_s)}


# py-spy's pseudo-frames for --subprocesses / --threads: `process 123:"…"`, `thread (0x7f…)`.
_META_FRAME = re.compile(r"^(process \d+:|thread \(0x)")


def parse_collapsed(path: Path, top: int = 15) -> dict[str, Any]:
    """Top functions from py-spy's raw (collapsed-stack) output: own and inclusive samples."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    stages: Counter = Counter()
    total = 0
    line_no = re.compile(r":\d+\)$")
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [line_no.sub(")", f) for f in stack.split(";") if f and not _META_FRAME.match(f)]
        if not frames:
            continue
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
        stages[stage_of(frames)] += n
    pct = lambda c: round(100 * c / total, 1) if total else 0.0  # noqa: E731
    return {"samples": total,
            "stages": [{"stage": s, "pct": pct(c)} for s, c in stages.most_common()],
            "own": [{"frame": f, "pct": pct(c)} for f, c in own.most_common(top)],
            # Frames on (nearly) every stack — the server's main loop — say nothing; left out.
            "inclusive": [{"frame": f, "pct": pct(c)} for f, c in inclusive.most_common()
                          if c < 0.9 * total][:top]}


# Where a sample of the Rasa server is spent: the deepest frame matching one of these
# (file fragment, optional function) names the stage; earlier entries win on the same frame.
STAGE_MARKERS = [
    ("tracker store (SQLAlchemy/SQLite)", ("sqlalchemy/", "sqlite3/", "rasa/core/tracker_store.py")),
    ("lock store", ("rasa/core/lock_store.py",)),
    ("NLU pipeline", ("rasa/nlu/", "rasa/engine/", "spacy/", "sudachipy", "ginza/", "sklearn/",
                      "scipy/", "tensorflow/", "numpy/", "rasa_plugins/", "dask/",
                      "parse_message (rasa/core/processor.py")),
    ("policies", ("rasa/core/policies/", "rasa/core/featurizers/", "rasa/shared/core/generator.py",
                  "predict_next_with_tracker", "_predict_next_with_tracker")),
    ("action server call + response", ("rasa/core/actions/action.py", "aiohttp/", "jsonschema/",
                                       "rasa/utils/endpoints.py")),
    ("tracker (de)serialisation + events", ("rasa/shared/core/trackers.py", "rasa/shared/core/events.py",
                                            "rasa/shared/core/domain.py", "json/")),
    ("REST channel / HTTP API", ("rasa/core/channels/", "rasa/server.py", "sanic/", "httptools")),
]


def stage_of(frames: list[str]) -> str:
    """The stage of one stack (root first): the deepest frame naming a stage, else other."""
    for frame in reversed(frames):
        for stage, markers in STAGE_MARKERS:
            if any(m in frame for m in markers):
                return stage
    return "other (asyncio, logging, …)"


def py_spy() -> Optional[str]:
    found = BIN / "py-spy"
    return str(found) if found.exists() else shutil.which("py-spy")


def start_profile(pid: int, seconds: int, out: Path, subprocesses: bool = False) -> Optional[subprocess.Popen]:
    exe = py_spy()
    if not exe:
        return None
    cmd = [exe, "record", "-d", str(seconds), "-r", "97", "-f", "raw", "-o", str(out),
           "--pid", str(pid), "--nonblocking"]
    if subprocesses:
        cmd.append("--subprocesses")
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(str(out) + ".log", "wb"))


def _intent_action(intent: str) -> Optional[str]:
    """The custom action the rules run for an intent (None: a plain utterance)."""
    if intent in ("request", "section", "program", "facility"):
        return "action_route_visitor"
    return {"nlu_fallback": "action_suggest", "ask_what_to_bring": "action_answer_detail",
            "ask_fee": "action_answer_detail", "ask_floor": "action_answer_detail",
            "ask_online": "action_answer_detail", "ask_hours": "action_answer_hours",
            "out_of_scope": "action_out_of_scope", "call_staff": "action_call_staff"}.get(intent)


def breakdown(stack: Stack, inmemory: Optional[Stack], texts: list[str], payloads: list[str],
              n: int) -> dict[str, Any]:
    """One /api/chat turn taken apart, sequentially (no concurrency), typed questions.

    /model/parse (Rasa HTTP + NLU), the REST webhook straight to Rasa (NLU + tracker store +
    policies + action server round trip), the action server alone (the same request Rasa sends),
    the tracker fetch the kiosk makes when a reply carries no intent, /api/chat through gunicorn,
    and — with a second Rasa on an in-memory tracker store — the webhook without SQLite.
    """
    texts = texts[:n]
    http = requests.Session()
    stages: dict[str, list[float]] = {k: [] for k in (
        "parse", "webhook_text", "webhook_button", "tracker_fetch", "actions", "api_chat_text",
        "api_chat_button", "webhook_text_inmemory")}
    domain = http.get(f"{stack.rasa_url}/domain", params={"token": TOKEN},
                      headers={"Accept": "application/json"}, timeout=30).json()
    version = http.get(f"{stack.rasa_url}/version", timeout=10).json().get("version")

    def timed(key, fn):
        t0 = time.perf_counter()
        out = fn()
        stages[key].append(time.perf_counter() - t0)
        return out

    for text in texts:
        timed("parse", lambda: http.post(f"{stack.rasa_url}/model/parse", params={"token": TOKEN},
                                         json={"text": text}, timeout=30).raise_for_status())
    action_requests = []
    run = uuid.uuid4().hex[:6]
    for i, text in enumerate(texts):
        sid = f"bench-bd-{run}-{i // 3:04d}"   # a visitor asks 3 questions (+3 taps)
        r = timed("webhook_text", lambda: http.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                                                    json={"sender": sid, "message": text}, timeout=30))
        r.raise_for_status()
        tracker = timed("tracker_fetch", lambda: http.get(
            f"{stack.rasa_url}/conversations/{sid}/tracker",
            params={"token": TOKEN, "include_events": "NONE"}, timeout=30).json())
        action = _intent_action(((tracker.get("latest_message") or {}).get("intent") or {}).get("name") or "")
        if action:
            full = http.get(f"{stack.rasa_url}/conversations/{sid}/tracker",
                            params={"token": TOKEN, "include_events": "ALL"}, timeout=30).json()
            action_requests.append({"next_action": action, "sender_id": sid, "tracker": full,
                                    "domain": domain, "version": version})
        payload = payloads[i % len(payloads)]
        timed("webhook_button", lambda: http.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                                                  json={"sender": sid, "message": payload}, timeout=30))
    for body in action_requests:
        timed("actions", lambda: http.post(f"{stack.actions_url}/webhook", json=body,
                                           timeout=30).raise_for_status())
    for i, text in enumerate(texts):
        sid = f"bench-bk-{run}-{i // 3:04d}"
        timed("api_chat_text", lambda: http.post(f"{stack.kiosk_url}/api/chat",
                                                 json={"session_id": sid, "text": text},
                                                 timeout=30).raise_for_status())
        payload = payloads[i % len(payloads)]
        timed("api_chat_button", lambda: http.post(f"{stack.kiosk_url}/api/chat",
                                                   json={"session_id": sid, "payload": payload},
                                                   timeout=30).raise_for_status())
    inmemory_cold = None
    if inmemory is not None:
        try:
            inmemory.start()
            inmemory_cold = inmemory.cold_start_s
            for text in texts[:5]:
                http.post(f"{inmemory.rasa_url}/webhooks/rest/webhook",
                          json={"sender": f"bench-warm-{run}", "message": text}, timeout=30)
            for i, text in enumerate(texts):
                sid = f"bench-bm-{run}-{i // 3:04d}"
                timed("webhook_text_inmemory", lambda: http.post(
                    f"{inmemory.rasa_url}/webhooks/rest/webhook",
                    json={"sender": sid, "message": text}, timeout=30).raise_for_status())
        finally:
            inmemory.stop()
    summary = {k: latency_summary(v) for k, v in stages.items() if v}
    p50 = lambda k: (summary.get(k) or {}).get("p50_ms")  # noqa: E731
    derived = {}
    if p50("api_chat_text") is not None and p50("webhook_text") is not None:
        derived["kiosk_overhead_ms"] = _round(p50("api_chat_text") - p50("webhook_text"))
    if None not in (p50("webhook_text"), p50("parse"), p50("actions")):
        derived["policies_tracker_rest_ms"] = _round(p50("webhook_text") - p50("parse") - p50("actions"))
    if p50("webhook_text_inmemory") is not None:
        derived["sqlite_tracker_store_ms"] = _round(p50("webhook_text") - p50("webhook_text_inmemory"))
    return {"n": len(texts), "stages": summary, "derived_p50": derived,
            "inmemory_cold_start_s": _round(inmemory_cold)}


# ---------------------------------------------------------------------------------------------
# Targets and the table

# Issue 19's targets (2 cores, every language's data in).
TARGETS = {
    "parse_p50_ms": 5.0, "parse_p95_ms": 8.0, "parse_speedup": 5.0, "chat_p50_ms_one_kiosk": 15.0,
    "answers_per_s": 100.0, "answers_per_s_level": 50, "train_s": 30.0, "rss_mb": 1024.0,
    "cold_start_s": 10.0,
}


def _g(d: Optional[dict], *path, default=None):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def _level(p: dict, c: int) -> Optional[dict]:
    for lvl in p.get("load") or []:
        if lvl["concurrency"] == c:
            return lvl
    return None


def sustained_throughput(p: dict) -> Optional[float]:
    """Answers/s under the highest offered load (the most concurrent sessions measured)."""
    levels = p.get("load") or []
    if not levels:
        return None
    return max(levels, key=lambda l: l["concurrency"])["answers_per_s"]


def evaluate_targets(results: dict) -> list[dict]:
    """Each target of the shipped pipeline: measured, stock, met?, and how far when missed."""
    P = results.get("pipelines", {})
    sh, st, faq = P.get("shipped") or {}, P.get("stock") or {}, P.get("faq-matcher") or {}
    out = []

    def add(name, measured, met, gap, stock=None, unit=""):
        out.append({"target": name, "measured": measured, "stock": stock, "unit": unit,
                    "met": met, "gap": gap if met is False else ""})

    acc_sh, acc_st, acc_faq = (_g(x, "accuracy", "overall") for x in (sh, st, faq))
    if acc_sh is not None:
        met = (acc_st is None or acc_sh >= acc_st) and (acc_faq is None or acc_sh > acc_faq)
        gaps = []
        if acc_st is not None and acc_sh < acc_st:
            gaps.append(f"{100 * (acc_sh - acc_st):+.1f} pt vs stock")
        if acc_faq is not None and acc_sh <= acc_faq:
            gaps.append(f"{100 * (acc_sh - acc_faq):+.1f} pt vs faq-matcher")
        add("accuracy ≥ stock and > faq-matcher", acc_sh, met, "; ".join(gaps), acc_st)
    for key, label in (("p50_ms", "parse_p50_ms"), ("p95_ms", "parse_p95_ms")):
        v = _g(sh, "parse", key)
        if v is not None:
            limit = TARGETS[label]
            add(f"NLU parse {key[:3]} ≤ {limit:g} ms", v, v <= limit,
                f"+{v - limit:.1f} ms over ({v / limit:.1f}× the target)", _g(st, "parse", key), "ms")
    s50, s95 = ratio(_g(st, "parse", "p50_ms"), _g(sh, "parse", "p50_ms")), \
        ratio(_g(st, "parse", "p95_ms"), _g(sh, "parse", "p95_ms"))
    if s50 is not None and s95 is not None:
        speed = min(s50, s95)
        add(f"NLU parse ≥ {TARGETS['parse_speedup']:g}× faster than stock (p50 and p95)", round(speed, 2),
            speed >= TARGETS["parse_speedup"], f"only {speed:.1f}× (p50 {s50:.1f}×, p95 {s95:.1f}×)",
            None, "×")
    one = _level(sh, 1)
    if one and one["p50_ms"] is not None:
        v, limit = one["p50_ms"], TARGETS["chat_p50_ms_one_kiosk"]
        st_one = _level(st, 1)
        add(f"/api/chat p50 ≤ {limit:g} ms for one kiosk", v, v <= limit,
            f"+{v - limit:.1f} ms over ({v / limit:.1f}× the target)", st_one["p50_ms"] if st_one else None,
            "ms")
    level = TARGETS["answers_per_s_level"]
    lvl = _level(sh, level)
    if lvl:
        thr, errs, limit = lvl["answers_per_s"], lvl["errors"], TARGETS["answers_per_s"]
        gap = [f"{thr - limit:.1f}/s short ({thr / limit:.0%} of the target)"] if thr < limit else []
        gap += [f"{errs} errors"] if errs else []
        st_lvl = _level(st, level)
        add(f"≥ {limit:g} answers/s at {level} kiosks, 0 errors", thr, thr >= limit and not errs,
            "; ".join(gap), st_lvl["answers_per_s"] if st_lvl else None, "/s")
    for key, unit, name in (("train_s", "s", f"full retrain ≤ {TARGETS['train_s']:g} s"),
                            ("rss_mb", "MiB", "Rasa server peak RSS ≤ 1.0 GiB"),
                            ("cold_start_s", "s", f"cold start ≤ {TARGETS['cold_start_s']:g} s")):
        v = sh.get(key)
        if v is not None:
            limit = TARGETS[key]
            add(name, v, v <= limit, f"+{v - limit:.1f} {unit} over ({v / limit:.1f}× the target)",
                st.get(key), unit)
    return out


def _fmt(v: Any, kind: str) -> str:
    if v is None:
        return "n/a"
    if kind == "pct":
        return f"{100 * v:.1f} %"
    if kind == "ms":
        return f"{v:.1f} ms"
    if kind == "s":
        return f"{v:.1f} s"
    if kind == "mb":
        return f"{v:.0f} MiB"
    if kind == "rate":
        return f"{v:.1f}/s"
    if kind == "int":
        return f"{int(v)}"
    return str(v)


def _ratio_cell(sh: Any, st: Any, kind: str) -> str:
    if kind in ("int",) or not isinstance(sh, (int, float)) or not isinstance(st, (int, float)):
        return "n/a" if kind != "int" or sh is None or st is None else f"{sh} vs {st}"
    r = ratio(sh, st)
    return "n/a" if r is None else f"{r:.2f}×"


def table_rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(metric, stock, faq-matcher, shipped, shipped/stock) as text."""
    P = results.get("pipelines", {})
    st, faq, sh = (P.get(k) or {} for k in ("stock", "faq-matcher", "shipped"))
    rows: list[tuple[str, str, str, str, str]] = []

    def row(label: str, getter: Callable[[dict], Any], kind: str) -> None:
        vals = [getter(p) if p else None for p in (st, faq, sh)]
        rows.append((label, *(_fmt(v, kind) for v in vals), _ratio_cell(vals[2], vals[0], kind)))

    row("accuracy, overall", lambda p: _g(p, "accuracy", "overall"), "pct")
    row("accuracy, department", lambda p: _g(p, "accuracy", "department"), "pct")
    row("accuracy, redirect", lambda p: _g(p, "accuracy", "redirect"), "pct")
    row("accuracy, program", lambda p: _g(p, "accuracy", "program"), "pct")
    row("accuracy, facility", lambda p: _g(p, "accuracy", "facility"), "pct")
    row("accuracy, clarify", lambda p: _g(p, "accuracy", "clarify"), "pct")
    row("out-of-scope safe (not routed)", lambda p: _g(p, "accuracy", "out_of_scope_safe"), "pct")
    row("out-of-scope routed to a counter", lambda p: _g(p, "accuracy", "out_of_scope_routed"), "int")
    for q in ("p50_ms", "p95_ms", "p99_ms"):
        row(f"NLU parse {q[:3]} (single message)", lambda p, q=q: _g(p, "parse", q), "ms")
    levels = sorted({lvl["concurrency"] for p in (st, sh) for lvl in p.get("load") or []})
    for c in levels:
        row(f"/api/chat p50 @ {c} sessions", lambda p, c=c: _g(_level(p, c), "p50_ms"), "ms")
        row(f"/api/chat p95 @ {c} sessions", lambda p, c=c: _g(_level(p, c), "p95_ms"), "ms")
        row(f"/api/chat errors @ {c} sessions", lambda p, c=c: _g(_level(p, c), "errors"), "int")
        row(f"answers/s @ {c} sessions", lambda p, c=c: _g(_level(p, c), "answers_per_s"), "rate")
    row("sustained throughput (max sessions)", lambda p: sustained_throughput(p), "rate")
    think = results.get("meta", {}).get("think_s")
    if think:
        tl = results.get("meta", {}).get("target_level")
        row(f"/api/chat p50 @ {tl} kiosks, {think:g} s think time", lambda p: _g(p, "load_paced", "p50_ms"), "ms")
        row(f"/api/chat p95 @ {tl} kiosks, {think:g} s think time", lambda p: _g(p, "load_paced", "p95_ms"), "ms")
        row(f"/api/chat errors @ {tl} kiosks, {think:g} s think time", lambda p: _g(p, "load_paced", "errors"), "int")
    row("training time (full data)", lambda p: p.get("train_s"), "s")
    # How far each model fitted its training data when training stopped (the progress bar's
    # last figures): shows whether stock's shorter training left it short of converging.
    row("question type, training accuracy at the end (DIET)",
        lambda p: _g(p, "training_fit", "DIETClassifier", "i_acc"), "pct")
    row("guide entry, training accuracy at the end (ResponseSelector)",
        lambda p: _g(p, "training_fit", "ResponseSelector", "r_acc"), "pct")
    row("model size", lambda p: p.get("model_mb"), "mb")
    row("Rasa server peak RSS (VmHWM)", lambda p: p.get("rss_mb"), "mb")
    row("cold start → first parse", lambda p: p.get("cold_start_s"), "s")
    return rows


def render_markdown(results: dict, target_level: int = 20) -> str:
    meta = results.get("meta", {})
    lines = ["# Benchmark: stock vs faq-matcher vs shipped", ""]
    lines.append(f"{meta.get('started', '')} · {meta.get('machine', '')} · held-out questions: "
                 f"{meta.get('questions', '?')} · load {meta.get('duration_s', '?')} s per level · "
                 f"load average before/after: {meta.get('loadavg_before', '?')} / {meta.get('loadavg_after', '?')}")
    epochs = _g(results, "pipelines", "stock", "epochs")
    if epochs:
        trained = " and ".join(f"{k} {v}" for k, v in epochs.items())
        lines += ["", f"stock: `{_g(results, 'pipelines', 'stock', 'config')}` trained with epochs "
                      f"{trained} instead of the config's 100 each, so the run fits 30 minutes "
                      f"(`make bench-full` trains all 100)."]
    stock_head = ("stock (" + "/".join(str(v) for v in epochs.values()) + " epochs)") if epochs else "stock"
    lines += ["", f"| metric | {stock_head} | faq-matcher | shipped | shipped/stock |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {' | '.join(r)} |" for r in table_rows(results)]
    targets = results.get("targets") or evaluate_targets(results)
    if targets:
        lines += ["", "## Targets (shipped)", "", "| target | shipped | stock | met | how far |",
                  "|---|---:|---:|:---:|---|"]
        for t in targets:
            unit = t["unit"]
            fmt = (lambda v: "n/a" if v is None else (f"{100 * v:.1f} %" if unit == "" else f"{v:g} {unit}"))
            lines.append(f"| {t['target']} | {fmt(t['measured'])} | {fmt(t['stock'])} | "
                         f"{'yes' if t['met'] else 'NO'} | {t['gap']} |")
    bd = results.get("breakdown")
    if bd:
        lines += ["", f"## One turn taken apart (shipped, sequential, n={bd['n']})", "",
                  "| stage | p50 | p95 |", "|---|---:|---:|"]
        for k, v in bd["stages"].items():
            lines.append(f"| {STAGE_LABELS.get(k, k)} | {_fmt(v['p50_ms'], 'ms')} | {_fmt(v['p95_ms'], 'ms')} |")
        for k, v in bd["derived_p50"].items():
            lines.append(f"| ≈ {STAGE_LABELS.get(k, k)} (p50 difference) | {_fmt(v, 'ms')} | |")
    prof = results.get("profile")
    if prof:
        for who, p in prof.items():
            if not p or not p.get("samples"):
                continue
            lines += ["", f"## Profile under load: {who} ({p['samples']} samples, py-spy)", ""]
            if who == "rasa" and p.get("stages"):
                lines += ["Rasa server CPU samples by stage: " + ", ".join(
                    f"{s['stage']} {s['pct']} %" for s in p["stages"]), ""]
            lines += ["| own % | function | | inclusive % | function |", "|---:|---|---|---:|---|"]
            for a, b in zip(p["own"][:12], p["inclusive"][:12]):
                lines.append(f"| {a['pct']} | `{a['frame']}` | | {b['pct']} | `{b['frame']}` |")
    lines += ["", "faq-matcher: in-process (no server), its training time is the TF-IDF fit; "
              "server-only figures are n/a.", ""]
    return "\n".join(lines)


STAGE_LABELS = {
    "parse": "Rasa /model/parse (HTTP + NLU)",
    "webhook_text": "Rasa REST webhook, typed (NLU + tracker + policies + actions)",
    "webhook_button": "Rasa REST webhook, button payload",
    "tracker_fetch": "Rasa GET tracker (kiosk's extra fetch when no intent in reply)",
    "actions": "action server alone (POST /webhook, same body Rasa sends)",
    "api_chat_text": "kiosk /api/chat, typed (gunicorn → Rasa → actions)",
    "api_chat_button": "kiosk /api/chat, button payload",
    "webhook_text_inmemory": "Rasa REST webhook, typed, in-memory tracker store",
    "kiosk_overhead_ms": "kiosk Flask/gunicorn + HTTP overhead",
    "policies_tracker_rest_ms": "policies + tracker store + REST channel",
    "sqlite_tracker_store_ms": "SQLite tracker store",
}


# ---------------------------------------------------------------------------------------------
# The run

def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except FileNotFoundError:
        return "?"


def _git_rev() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                             text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True,
                               text=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except OSError:
        return "?"


def bench_rasa(name: str, args, workdir: Path, actions_url: str, questions: list[dict],
               payloads: list[str], log: Callable[[str], None], results: dict) -> dict[str, Any]:
    config = (args.config_shipped if name == "shipped" else args.config_stock) or CONFIGS[name]
    out: dict[str, Any] = {"config": config}
    train_with = config
    epochs = args.stock_epochs if name == "stock" else {}
    if epochs:
        # Stock's DIET + ResponseSelector at 100 epochs each take over an hour here
        # (docs/benchmark.md); the default run gives them fewer, most to the ResponseSelector, which
        # converges slowest, so the whole run fits 30 minutes.
        train_with = str(config_with_epochs(REPO / config, epochs, workdir / "config.stock-epochs.yml"))
        out["epochs"] = epochs
    log(f"[{name}] training {config}{f' with epochs {epochs}' if epochs else ''} (fresh cache)…")
    train_log = workdir / f"train-{name}.log"
    out["train_s"], model = train_model(train_with, workdir / "models", f"bench-{name}",
                                        workdir / f"cache-{name}", train_log)
    out["train_s"] = round(out["train_s"], 1)
    out["training_fit"] = final_training_metrics(train_log.read_text(encoding="utf-8", errors="replace"))
    out["model_mb"] = round(model.stat().st_size / 2**20, 1)
    log(f"[{name}] trained in {out['train_s']} s, {out['model_mb']} MiB; starting Rasa…")
    base = args.port_base
    stack = Stack(name, model, workdir, base + 1, base + 2, actions_url)
    inmemory = None
    try:
        stack.start()
        out["cold_start_s"] = round(stack.cold_start_s, 2)
        log(f"[{name}] cold start {out['cold_start_s']} s; parse latency ({args.parse_n} requests)…")
        texts = [q["text"] for q in questions]
        out["parse"] = latency_summary(measure_parse(stack.rasa_url, texts, args.parse_n))
        log(f"[{name}] parse p50 {out['parse']['p50_ms']} ms p95 {out['parse']['p95_ms']} ms; "
            f"accuracy through /api/chat…")
        report = evaluate(HELDOUT, asking_kiosk(url=stack.kiosk_url))
        out["accuracy"] = accuracy_figures(report)
        out["report"] = report
        log(f"[{name}] accuracy {out['accuracy']['overall']:.1%} "
            f"(department {out['accuracy']['department']:.1%}, degraded {report['degraded_answers']})")
        levels = sorted(set(args.levels) | {args.target_level})
        out["load"] = []
        for c in levels:
            lvl = load_level(stack.kiosk_url, c, args.duration, texts, payloads)
            out["load"].append(lvl)
            log(f"[{name}] {c:>3} sessions: p50 {lvl['p50_ms']} ms p95 {lvl['p95_ms']} ms "
                f"{lvl['answers_per_s']}/s errors {lvl['errors']} {lvl['error_kinds'] or ''}")
            time.sleep(1)
        if args.think > 0:
            lvl = load_level(stack.kiosk_url, args.target_level, args.duration, texts, payloads,
                             think=args.think)
            out["load_paced"] = lvl
            log(f"[{name}] {args.target_level:>3} kiosks, {args.think:g} s think time: p50 {lvl['p50_ms']} ms "
                f"p95 {lvl['p95_ms']} ms {lvl['answers_per_s']}/s errors {lvl['errors']}")
        status = proc_status(stack.rasa.pid)
        out["rss_mb"] = round(status.get("VmHWM", 0) / 1024, 1) or None
        out["rss_now_mb"] = round(status.get("VmRSS", 0) / 1024, 1) or None
        out["kiosk_rss_mb"] = group_rss_mb(stack.kiosk.pid)
        log(f"[{name}] Rasa peak RSS {out['rss_mb']} MiB")
        if name == "shipped" and args.profile and py_spy():
            seconds = max(5, int(args.profile_seconds))
            log(f"[{name}] profiling Rasa, actions and kiosk with py-spy for {seconds} s "
                f"at {args.target_level} sessions…")
            outs = {k: workdir / f"profile-{k}.txt" for k in ("rasa", "actions", "kiosk")}
            procs = {"rasa": start_profile(stack.rasa.pid, seconds, outs["rasa"]),
                     "actions": start_profile(results["_actions_pid"], seconds, outs["actions"]),
                     "kiosk": start_profile(stack.kiosk.pid, seconds, outs["kiosk"], subprocesses=True)}
            time.sleep(0.5)
            lvl = load_level(stack.kiosk_url, args.target_level, seconds, texts, payloads)
            out["load_profiled"] = lvl
            profile = {}
            for k, p in procs.items():
                if p is None:
                    continue
                try:
                    p.wait(timeout=seconds + 60)
                except subprocess.TimeoutExpired:
                    p.kill()
                if outs[k].exists():
                    profile[k] = parse_collapsed(outs[k])
                    shutil.copy(outs[k], Path(args.out) / f"profile-{k}.txt")
            results["profile"] = profile
        if name == "shipped" and args.breakdown:
            log(f"[{name}] per-stage breakdown ({args.breakdown_n} turns)…")
            inmemory = Stack(f"{name}-inmemory", model, workdir, base + 3, base + 4, actions_url,
                             tracker="memory", kiosk=False)
            results["breakdown"] = breakdown(stack, inmemory, texts, payloads, args.breakdown_n)
    finally:
        if inmemory:
            inmemory.stop()
        stack.stop()
    return out


def run(args) -> dict[str, Any]:
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    questions = load_questions(HELDOUT)
    guide = _guide()
    payloads = button_payloads(guide)
    started = time.time()
    log_lines: list[str] = []

    def log(msg: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        log_lines.append(line)
        print(line, flush=True)

    results: dict[str, Any] = {"meta": {
        "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
        "machine": f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}",
        "git": _git_rev(), "questions": len(questions), "duration_s": args.duration,
        "levels": sorted(set(args.levels) | {args.target_level}), "target_level": args.target_level,
        "parse_n": args.parse_n, "think_s": args.think, "loadavg_before": _loadavg(),
        "pipelines": args.pipelines},
        "pipelines": {}}
    workdir = Path(tempfile.mkdtemp(prefix="guide-bench-"))
    actions = None

    def _terminate(signum, _frame):
        raise SystemExit(f"guide bench: stopped by signal {signum}")

    # SIGTERM (and SIGINT, which a background job ignores) unwind through the finally blocks,
    # so every server this run started is stopped.
    previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if "faq-matcher" in args.pipelines:
            log("[faq-matcher] fit + accuracy + in-process latency…")
            faq = bench_faq(questions, args.parse_n)
            results["pipelines"]["faq-matcher"] = faq
            log(f"[faq-matcher] accuracy {faq['accuracy']['overall']:.1%}, "
                f"p50 {faq['parse']['p50_ms']} ms, fit {faq['train_s']} s")
        rasa_names = [n for n in ("stock", "shipped") if n in args.pipelines]
        if rasa_names:
            actions_port = args.port_base
            if not port_free(actions_port):
                raise RuntimeError(f"port {actions_port} is in use; choose another --port-base")
            actions = Server("actions", [BIN / "python", "-m", "rasa_sdk", "--actions", "actions",
                                         "--port", actions_port], workdir / "actions.log",
                             dict(os.environ, SANIC_HOST="127.0.0.1"))
            actions_url = f"http://127.0.0.1:{actions_port}"
            wait_until(lambda: _get_ok(f"{actions_url}/health"), 120, "action server", actions)
            results["_actions_pid"] = actions.pid
            for name in rasa_names:
                results["pipelines"][name] = bench_rasa(name, args, workdir, actions_url, questions,
                                                        payloads, log, results)
            results["meta"]["actions_rss_peak_mb"] = round(
                proc_status(actions.pid).get("VmHWM", 0) / 1024, 1) or None
    finally:
        if actions:
            actions.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        results.pop("_actions_pid", None)
        results["meta"]["loadavg_after"] = _loadavg()
        results["meta"]["wall_s"] = round(time.time() - started, 1)
        results["targets"] = evaluate_targets(results)
        (out_dir / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=2),
                                            encoding="utf-8")
        md = render_markdown(results, args.target_level)
        (out_dir / "bench.md").write_text(md, encoding="utf-8")
        (out_dir / "bench.log").write_text("\n".join(log_lines) + "\n", encoding="utf-8")
        if args.keep_workdir:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(md)
    print(f"wrote {out_dir / 'bench.json'} and {out_dir / 'bench.md'} ({results['meta']['wall_s']} s)")
    return results


def add_arguments(p) -> None:
    ints = lambda s: [int(x) for x in s.split(",") if x.strip()]  # noqa: E731
    names = lambda s: [x.strip() for x in s.split(",") if x.strip()]  # noqa: E731
    p.add_argument("--pipelines", type=names, default=list(PIPELINES),
                   help="comma-separated subset of stock,faq-matcher,shipped (default: all three)")
    p.add_argument("--duration", type=float, default=20.0, help="seconds of load per concurrency level")
    p.add_argument("--levels", type=ints, default=[1, 10, 50], help="concurrent kiosk sessions")
    p.add_argument("--target-level", type=int, default=20,
                   help="the concurrency the /api/chat target is stated at (also measured)")
    p.add_argument("--think", type=float, default=1.0,
                   help="also run the target level with this many seconds between a kiosk's answer "
                        "and its next turn (a visitor reading; 0: skip)")
    p.add_argument("--parse-n", type=int, default=304, help="sequential /model/parse requests")
    p.add_argument("--breakdown-n", type=int, default=60, help="turns per stage in the breakdown")
    p.add_argument("--no-breakdown", dest="breakdown", action="store_false")
    p.add_argument("--no-profile", dest="profile", action="store_false")
    p.add_argument("--profile-seconds", type=float, default=15.0)
    p.add_argument("--port-base", type=int, default=5300,
                   help="actions on BASE, Rasa on BASE+1, kiosk on BASE+2, breakdown Rasa on BASE+3")
    p.add_argument("--out", default=str(RESULTS), help="where bench.json and bench.md go")
    p.add_argument("--config-shipped", help="bench this config as 'shipped' (a candidate change)")
    p.add_argument("--config-stock", help="bench this config as 'stock'")
    p.add_argument("--stock-epochs", type=stock_epochs, default=STOCK_EPOCHS,
                   help=f"epochs of stock's DIET and ResponseSelector instead of the config's 100 each, "
                        f"so the run fits 30 minutes on 2 cores: 'DIET,RS' or one number for both "
                        f"(default {STOCK_EPOCHS}; 0: as the config says, over an hour here)")
    p.add_argument("--rerender", action="store_true",
                   help="measure nothing: rewrite bench.md from bench.json and the kept profiles")
    p.add_argument("--keep-workdir", action="store_true", help="keep logs and models of the run")


def rerender(out_dir: Path) -> str:
    """bench.md again from bench.json (and the raw py-spy profiles kept next to it)."""
    results = json.loads((out_dir / "bench.json").read_text(encoding="utf-8"))
    for raw in sorted(out_dir.glob("profile-*.txt")):
        results.setdefault("profile", {})[raw.stem.removeprefix("profile-")] = parse_collapsed(raw)
    target_level = results.get("meta", {}).get("target_level", 20)
    results["targets"] = evaluate_targets(results)
    (out_dir / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    md = render_markdown(results, target_level)
    (out_dir / "bench.md").write_text(md, encoding="utf-8")
    return md


def main(args) -> int:
    if args.rerender:
        print(rerender(Path(args.out)))
        return 0
    unknown = [n for n in args.pipelines if n not in PIPELINES]
    if unknown:
        print(f"unknown pipeline(s): {', '.join(unknown)}; choose from {', '.join(PIPELINES)}",
              file=sys.stderr)
        return 2
    run(args)
    return 0
