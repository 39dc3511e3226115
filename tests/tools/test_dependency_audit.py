"""The offline dependency audit: real advisories from the vendored snapshot, real lock file."""

import json

from tools.dependency_audit import LOCK, REVIEWED, SNAPSHOT, affects, audit, range_findings, read_lock, run

SNAPSHOT_DATA = json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_a_known_vulnerable_pin_is_found():
    # PYSEC-2024-24 (aiohttp static-route path traversal) is fixed in 3.9.2.
    found = {f.advisory for f in audit({"aiohttp": "3.9.1"}, SNAPSHOT_DATA)}
    assert "PYSEC-2024-24" in found
    assert "PYSEC-2024-24" not in {f.advisory for f in audit({"aiohttp": "3.9.2"}, SNAPSHOT_DATA)}


def test_range_events_are_read_in_order():
    advisory = {"ranges": [[{"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "2.0"},
                            {"last_affected": "2.1"}]]}
    assert [affects(advisory, v) for v in ["0.9", "1.0", "1.1", "1.2", "2.0", "2.1", "2.2"]] == \
        [False, True, True, False, True, True, False]


def test_safety_db_ranges_match_with_prereleases():
    insecure = {"$meta": {}, "Some_Package": ["<2.0", ">=3.0.0rc1,<3.0.1"]}
    keys = [f.review_key for f in range_findings({"some-package": "3.0.0rc2"}, insecure)]
    assert keys == ["some-package"]
    assert range_findings({"some-package": "2.5"}, insecure) == []


def test_every_pinned_package_is_in_the_snapshot_and_the_audit_passes(capsys):
    assert set(read_lock()) <= set(SNAPSHOT_DATA["packages"])
    assert run() == 0, capsys.readouterr().out


def test_an_unreviewed_advisory_fails_the_audit(tmp_path, capsys):
    lock = tmp_path / "requirements.lock"
    lock.write_text(LOCK.read_text(encoding="utf-8").replace("aiohttp==3.9.5", "aiohttp==3.9.1"),
                    encoding="utf-8")
    assert run(lock=lock, reviewed_file=REVIEWED) == 1
    out = capsys.readouterr().out
    assert "PYSEC-2024-24" in out and "NOT REVIEWED" in out


def test_a_package_missing_from_the_snapshot_fails_the_audit(tmp_path, capsys):
    lock = tmp_path / "requirements.lock"
    lock.write_text(LOCK.read_text(encoding="utf-8") + "not-yet-audited==1.0\n", encoding="utf-8")
    assert run(lock=lock, reviewed_file=REVIEWED) == 1
    assert "not-yet-audited" in capsys.readouterr().out
