"""Audit `requirements.lock` against a snapshot of the PyPA advisory database.

pip-audit asks PyPI's per-release JSON API (or OSV) at run time; neither answers from the
build machines this project is made on, so the audit also works from a snapshot kept in the
repository: `security/advisories.json`, the PYSEC advisories for every package in the lock,
cut down to what matching needs. Each advisory that affects a pinned version must have a
reviewed handling in `security/reviewed.yml`; one without fails the audit, so bumping a pin
or refreshing the snapshot makes someone read the new advisory.

Refresh the snapshot from a checkout of https://github.com/pypa/advisory-database:
    guide audit --refresh-from ../advisory-database

The PYSEC database is thin for 2024 on. PyUp's public safety-db (`data/insecure.json`,
version ranges without advisory texts, CC BY-NC-SA so not copied here) is more complete;
`guide audit --safety-db path/to/insecure.json` matches the lock against it too, and each
affected package needs a handling in the same file, keyed by the package name.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from bot.settings import REPO

SNAPSHOT = REPO / "security" / "advisories.json"
REVIEWED = REPO / "security" / "reviewed.yml"
LOCK = REPO / "requirements.lock"


def normalise_name(name: str) -> str:
    """PEP 503: the advisory database and the lock spell names differently."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path = LOCK) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[normalise_name(name.split("[", 1)[0])] = version.split(";", 1)[0].strip()
    return pins


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    fixed_in: str
    summary: str

    @property
    def review_key(self) -> str:
        """PYSEC advisories are reviewed one by one; safety-db ranges per package, since
        its public file names no advisory."""
        return self.advisory if self.advisory.startswith("PYSEC") else self.package


def _in_range(version: Version, events: list[dict]) -> bool:
    """OSV ECOSYSTEM range: events in order; affected from `introduced` until `fixed`."""
    affected = False
    for event in events:
        try:
            if "introduced" in event:
                if event["introduced"] == "0" or version >= Version(event["introduced"]):
                    affected = True
            elif "fixed" in event and version >= Version(event["fixed"]):
                affected = False
            elif "last_affected" in event and version > Version(event["last_affected"]):
                affected = False
        except InvalidVersion:
            continue
    return affected


def affects(advisory: dict, version: str) -> bool:
    if version in advisory.get("versions", []):
        return True
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    return any(_in_range(parsed, events) for events in advisory.get("ranges", []))


def audit(pins: dict[str, str], snapshot: dict) -> list[Finding]:
    findings = []
    for advisory in snapshot["advisories"]:
        version = pins.get(advisory["package"])
        if version is not None and affects(advisory, version):
            findings.append(Finding(advisory["package"], version, advisory["id"],
                                    tuple(advisory.get("aliases", [])),
                                    advisory.get("fixed", "") or "none", advisory["summary"]))
    return sorted(findings, key=lambda f: (f.package, f.advisory))


def range_findings(pins: dict[str, str], insecure: dict) -> list[Finding]:
    """Matches against safety-db's ranges-only file: {package: [specifier, ...]}."""
    findings = []
    for name, specs in insecure.items():
        version = pins.get(normalise_name(name))
        if version is None or name.startswith("$"):
            continue
        for spec in specs:
            try:
                hit = Version(version) in SpecifierSet(spec, prereleases=True)
            except (InvalidSpecifier, InvalidVersion):
                continue
            if hit:
                findings.append(Finding(normalise_name(name), version,
                                        f"safety-db {spec}", (), "-",
                                        "safety-db range (advisory text not public)"))
    return sorted(findings, key=lambda f: (f.package, f.advisory))


def _compact(raw: dict, package: str) -> dict | None:
    """Keep what matching and the report need; the full text stays in the database."""
    if raw.get("withdrawn"):
        return None
    ranges, versions, fixed = [], [], []
    for entry in raw.get("affected", []):
        if normalise_name(entry["package"]["name"]) != package:
            continue
        versions += entry.get("versions", [])
        for r in entry.get("ranges", []):
            if r.get("type") == "ECOSYSTEM":
                ranges.append(r["events"])
                fixed += [e["fixed"] for e in r["events"] if "fixed" in e]
    if ranges:  # the enumerated versions only repeat what the ranges say
        versions = []
    summary = (raw.get("summary") or raw.get("details") or "").strip().split("\n")[0]
    return {"id": raw["id"], "package": package, "aliases": raw.get("aliases", []),
            "summary": summary[:240], "fixed": ", ".join(fixed), "ranges": ranges,
            "versions": versions}


def refresh(database: Path, pins: dict[str, str]) -> dict:
    vulns = database / "vulns"
    if not vulns.is_dir():
        raise SystemExit(f"{database}: no vulns/ folder; expected a pypa/advisory-database checkout")
    wanted = set(pins)
    advisories = []
    for folder in sorted(vulns.iterdir()):
        package = normalise_name(folder.name)
        if folder.is_dir() and package in wanted:
            for file in sorted(folder.glob("*.yaml")):
                entry = _compact(yaml.safe_load(file.read_text(encoding="utf-8")), package)
                if entry:
                    advisories.append(entry)
    try:
        commit = subprocess.run(["git", "-C", str(database), "log", "-1", "--format=%H %cs"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown (not a git checkout)"
    return {"source": "https://github.com/pypa/advisory-database", "commit": commit,
            "packages": sorted(wanted), "advisories": advisories}


def load_reviewed(path: Path = REVIEWED) -> dict[str, dict]:
    reviewed = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for advisory, entry in reviewed.items():
        if not isinstance(entry, dict) or not str(entry.get("handling", "")).strip():
            raise SystemExit(f"{path}: {advisory} needs a 'handling' text")
    return reviewed


def run(refresh_from: Path | None = None, safety_db: Path | None = None,
        lock: Path = LOCK, reviewed_file: Path = REVIEWED) -> int:
    pins = read_lock(lock)
    if refresh_from is not None:
        data = refresh(refresh_from, pins)
        SNAPSHOT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {SNAPSHOT.relative_to(REPO)}: {len(data['advisories'])} advisories "
              f"for {len(pins)} pinned packages, database {data['commit']}")
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    unaudited = sorted(set(pins) - set(snapshot["packages"]))
    findings = audit(pins, snapshot)
    reviewed = load_reviewed(reviewed_file)
    print(f"advisory snapshot: {snapshot['source']} at {snapshot['commit']}")
    print(f"{len(pins)} pinned packages, {len(findings)} advisories affect a pinned version")
    if safety_db is not None:
        ranges = range_findings(pins, json.loads(safety_db.read_text(encoding="utf-8")))
        print(f"{safety_db}: {len(ranges)} vulnerable ranges contain a pinned version")
        findings += ranges
    unreviewed = []
    for f in findings:
        handling = reviewed.get(f.review_key, {}).get("handling")
        mark = "reviewed" if handling else "NOT REVIEWED"
        print(f"  {f.package}=={f.version}  {f.advisory} ({', '.join(f.aliases) or '-'})"
              f"  fixed in {f.fixed_in}  [{mark}]")
        if not handling:
            unreviewed.append(f)
            print(f"      {f.summary}")
    stale = sorted(set(reviewed) - {f.review_key for f in findings})
    if safety_db is None:  # package entries can only be checked when the range file is given
        stale = [key for key in stale if key.startswith("PYSEC")]
    if stale:
        print(f"reviewed entries that no longer match a pin (remove them): {', '.join(stale)}")
    if unaudited:
        print(f"not in the snapshot (added to the lock since; refresh it): {', '.join(unaudited)}")
    if unreviewed or unaudited:
        print(f"FAILED: {len(unreviewed)} unreviewed advisories, {len(unaudited)} packages unaudited;"
              f" add a handling to {reviewed_file.name} or upgrade the pin")
        return 1
    return 0
