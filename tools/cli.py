"""`guide`: the command line for visitors' questions, data checks, evaluation and training."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bot.chat import turn
from bot.evaluation import asking_kiosk, asking_rasa, evaluate, print_report
from bot.guide_data import GuideDataError, load_guide
from bot.model_build import model_path, rasa_validate_command, train_into, unread_training_files
from bot.nlu_export import GENERATED, render, write
from bot.rasa_client import RasaClient
from bot.settings import DEFAULT_OFFICE, REPO, SettingsError, load_settings, office_dir
from bot.tracker_store import delete_old_conversations, tracker_store_url
from back_office.accounts import ROLES, AccountError, add_user, audit, list_users, remove_user
from back_office.inbox import delete_older_than as delete_old_feedback_and_decisions
from back_office.staff_calls import StaffCallStore
from tools import bench
from tools.dependency_audit import run as audit_dependencies


def cmd_model_path(_args) -> int:
    print(model_path())
    return 0


def cmd_train(args) -> int:
    """Train only when the training data or config changed since the last model."""
    target = model_path()
    if target.exists() and not args.force:
        print(f"model is up to date: {target.relative_to(REPO)}")
        return 0
    started = time.monotonic()
    if not train_into(target):
        print(f"rasa train did not produce {target.name}", file=sys.stderr)
        return 1
    print(f"trained {target.relative_to(REPO)} in {time.monotonic() - started:.1f} s")
    return 0


def _load_office(settings, office: str):
    """The guide with one office's data pack; the shared part from settings.guide_dir."""
    return load_guide(settings.guide_dir, office_dir(office))


def cmd_check(args) -> int:
    """Validate the guide data, the generated NLU file, and (optionally) Rasa's data.

    ``--office NAME`` validates that office's data pack with the shared data instead of the
    configured one. The generated NLU file is always checked against the default office's
    pack (kanazawa), from which it is rendered: other offices reuse the same trained model.
    """
    try:
        settings = load_settings()
        office = args.office or settings.office
        if args.office or "GUIDE_OFFICE_DIR" not in os.environ:
            pack = office_dir(office)
        else:
            pack = settings.office_dir
    except SettingsError as err:
        print(f"settings: ERROR {err}", file=sys.stderr)
        return 1
    try:
        guide = load_guide(settings.guide_dir, pack)
        default = guide if pack.resolve() == office_dir(DEFAULT_OFFICE).resolve() \
            else _load_office(settings, DEFAULT_OFFICE)
    except (GuideDataError, SettingsError) as err:
        print(f"guide data: ERROR {err}", file=sys.stderr)
        return 1
    print(f"guide data ({office}): ok ({len(guide.sections)} sections, "
          f"{len(guide.procedures)} procedures, {len(guide.redirects)} redirects, "
          f"{len(guide.programs)} programs)")
    for line in language_report(guide):
        print(line)
    generated = REPO / GENERATED
    if not generated.exists() or generated.read_text(encoding="utf-8") != render(default):
        print(f"{GENERATED}: ERROR out of date; run `guide export-nlu`", file=sys.stderr)
        return 1
    print(f"{GENERATED}: ok (fresh)")
    unread = unread_training_files()
    for problem in unread:
        print(f"training data: ERROR {problem}", file=sys.stderr)
    if unread:
        return 1
    if args.no_rasa:
        return 0
    rc = subprocess.call(rasa_validate_command(), cwd=REPO)
    print("rasa data validate: " + ("ok" if rc == 0 else "ERROR"))
    return rc


def language_report(guide) -> list[str]:
    """Per language: entries translated / missing / unreviewed, and the fixed texts' state."""
    from bot import languages
    from bot.wording import responses
    reference = {"responses": set(responses()),
                 "screen": set(guide.packs["en"].texts.get("screen", {})) if "en" in guide.packs
                 else set()}
    japanese = dict(languages.iter_japanese(guide))
    lines = []
    for st in languages.status(guide.languages, guide.packs, japanese, reference):
        lines.append(f"language {st.code}: {st.translated} entries translated, {st.missing} missing, "
                     f"{st.unreviewed} unreviewed; {st.fields_missing} fields of them still in "
                     f"Japanese; texts: {st.texts_missing} missing, {st.texts_unreviewed} unreviewed")
    return lines


def cmd_export_nlu(_args) -> int:
    # Rendered from the default office's pack: one trained model serves every office.
    path = write(_load_office(load_settings(), DEFAULT_OFFICE), REPO)
    print(f"wrote {path.relative_to(REPO)}")
    return 0


def _asking():
    """Questions through bot.chat.turn against the configured Rasa server, as /api/chat does."""
    settings = load_settings()
    rasa = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout)
    return asking_rasa(rasa, load_guide(settings.guide_dir, settings.office_dir))


def cmd_ask(args) -> int:
    """One question through the same code path as POST /api/chat."""
    session = args.session or f"cli-{os.getpid()}-{int(time.time())}"
    if args.text.startswith("/"):
        settings = load_settings()
        rasa = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout)
        answer = turn(rasa, load_guide(settings.guide_dir, settings.office_dir), session,
                      payload=args.text)
    else:
        answer = _asking()(session, args.text)
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0


def cmd_eval(args) -> int:
    settings = load_settings()
    guide = load_guide(settings.guide_dir, settings.office_dir)
    if args.url:
        ask = asking_kiosk(url=args.url, lang=args.lang)
    else:
        rasa = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout)
        ask = asking_rasa(rasa, guide, args.lang)
    report = evaluate(Path(args.file), ask, guide, lang=args.expect_lang or args.lang)
    print_report(report, show_misses=not args.quiet)
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def _staff_db(args) -> Path:
    return Path(args.db) if args.db else load_settings().var_dir / "staff.db"


def cmd_staff_add_user(args) -> int:
    """Create a staff console account; the password comes from a prompt or stdin, never argv."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            print("passwords do not match", file=sys.stderr)
            return 1
    try:
        user = add_user(_staff_db(args), args.name, password, args.role)
    except AccountError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"added {user.name} ({user.role}) to {_staff_db(args)}")
    return 0


def cmd_staff_remove_user(args) -> int:
    """Delete an account; the last active admin cannot be removed."""
    try:
        remove_user(_staff_db(args), args.name)
    except AccountError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    audit(_staff_db(args), "user_removed", None, "cli", args.name)
    print(f"removed {args.name} from {_staff_db(args)}")
    return 0


def cmd_staff_list_users(args) -> int:
    for user in list_users(_staff_db(args)):
        last = time.strftime("%Y-%m-%d %H:%M", time.localtime(user.last_login)) if user.last_login else "-"
        print(f"{user.name}\t{user.role}\t{'active' if user.active else 'disabled'}\tlast sign-in {last}")
    return 0


def _retention_once(args) -> None:
    settings = load_settings()
    days = args.days if args.days is not None else settings.retention_days
    url = args.url or tracker_store_url(REPO / args.endpoints)
    count = delete_old_conversations(url, days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {count} conversations older than {days:g} days", flush=True)
    if args.dry_run:
        return
    kiosk_db = Path(args.kiosk_db) if args.kiosk_db else settings.var_dir / "kiosk.db"
    staff_db = Path(args.staff_db) if args.staff_db else settings.var_dir / "staff.db"
    if kiosk_db.exists():
        calls = StaffCallStore(kiosk_db).delete_older_than(days)
        print(f"deleted {calls} staff calls older than {days:g} days", flush=True)
    if staff_db.exists():
        for what, n in delete_old_feedback_and_decisions(staff_db, days).items():
            print(f"deleted {n} {what} older than {days:g} days", flush=True)


def _interval(text: str) -> float:
    """'24h', '30m', '90s' or a number of seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        seconds = float(text[:-1]) * units[text[-1]] if text[-1:] in units else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an interval: {text!r} (e.g. 24h)") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError("the interval must be positive")
    return seconds


def cmd_retention(args) -> int:
    """Delete what is older than the retention period from every store: conversations in the
    tracker store, staff calls (var/kiosk.db), feedback and inbox decisions (var/staff.db).
    With --every, repeat forever (the `retention` process of the Procfile)."""
    while True:
        _retention_once(args)
        if not args.every:
            return 0
        time.sleep(args.every)


def cmd_audit(args) -> int:
    return audit_dependencies(refresh_from=args.refresh_from, safety_db=args.safety_db)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="guide", description="金沢区役所 lobby guide")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ask", help="ask the guide a question; prints the /api/chat JSON")
    p.add_argument("text")
    p.add_argument("--session")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("check", help="validate guide data and Rasa training data")
    p.add_argument("--no-rasa", action="store_true", help="skip `rasa data validate`")
    p.add_argument("--office", help="validate this office's data pack (data/offices/NAME) "
                   "instead of GUIDE_OFFICE's")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("export-nlu", help="regenerate data/nlu/generated_from_guide.yml")
    p.set_defaults(func=cmd_export_nlu)
    p = sub.add_parser("train", help="train the model if its inputs changed")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_train)
    p = sub.add_parser("model-path", help="print the model file for the current inputs")
    p.set_defaults(func=cmd_model_path)
    p = sub.add_parser("eval", help="routing accuracy on a held-out question file")
    p.add_argument("file")
    p.add_argument("--url", help="evaluate a running kiosk at this URL instead of in-process")
    p.add_argument("--lang", help="send this language as the kiosk's button does (else detected)")
    p.add_argument("--expect-lang", help="report how many answers came in this language")
    p.add_argument("--json", help="also write the report as JSON here")
    p.add_argument("--quiet", action="store_true", help="do not list every miss")
    p.set_defaults(func=cmd_eval)
    staff = sub.add_parser("staff", help="staff console accounts").add_subparsers(
        dest="staff_command", required=True)
    p = staff.add_parser("add-user", help="create an account (password from a prompt or stdin)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=list(ROLES),
                   help="viewer (閲覧のみ), front_desk (受付: also marks staff calls handled), "
                        "editor (編集者), admin (管理者)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--db", help="the staff database (default: var/staff.db)")
    p.set_defaults(func=cmd_staff_add_user)
    p = staff.add_parser("remove-user", help="delete an account (not the last admin)")
    p.add_argument("name")
    p.add_argument("--db", help="the staff database (default: var/staff.db)")
    p.set_defaults(func=cmd_staff_remove_user)
    p = staff.add_parser("list-users", help="list accounts")
    p.add_argument("--db", help="the staff database (default: var/staff.db)")
    p.set_defaults(func=cmd_staff_list_users)
    p = sub.add_parser("retention", help="delete conversations, staff calls, feedback and inbox "
                       "decisions older than the retention period")
    p.add_argument("--days", type=float, help="retention in days (default GUIDE_RETENTION_DAYS or 30)")
    p.add_argument("--endpoints", default="endpoints.yml")
    p.add_argument("--url", help="SQLAlchemy URL of the tracker store (instead of endpoints.yml)")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--kiosk-db", help="the staff calls (default: var/kiosk.db)")
    p.add_argument("--staff-db", help="feedback and inbox decisions (default: var/staff.db)")
    p.add_argument("--every", type=_interval, metavar="INTERVAL",
                   help="run again after each INTERVAL (e.g. 24h) until stopped")
    p.set_defaults(func=cmd_retention)
    p = sub.add_parser("audit", help="check requirements.lock against the advisory snapshot "
                       "in security/ (pip-audit needs network: make audit-live)")
    p.add_argument("--refresh-from", type=Path, metavar="DIR",
                   help="rebuild the snapshot from a pypa/advisory-database checkout")
    p.add_argument("--safety-db", type=Path, metavar="FILE",
                   help="also match against safety-db's data/insecure.json (ranges only)")
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("bench", help="stock vs faq-matcher vs shipped: accuracy, latency, load, "
                       "training, memory (writes results/bench/)")
    bench.add_arguments(p)
    p.set_defaults(func=bench.main)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
