"""The dependency audit of issue 11, proof 7: the OSV mirror's version matching, its HTTP
answers, pip-audit end to end against it, and the snapshot writer.

The advisories here are made up for the tests (ids TEST-*), shaped like the PyPA database's:
the real snapshot is data kept outside the repository (docs/security.md)."""

from __future__ import annotations

import gzip
import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from tools import audit_deps, osv_mirror, refresh_advisories
from tools.osv_mirror import Snapshot, affects, in_range


def advisory(vid: str, name: str, events: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    affected: dict[str, Any] = {
        "package": {"ecosystem": "PyPI", "name": name},
        "ranges": [{"type": "ECOSYSTEM", "events": events}],
    }
    affected.update(extra.pop("affected", {}))
    return {"id": vid, "details": f"{vid} details", "affected": [affected], **extra}


VULNS = [
    # a sandbox escape fixed in 2.10.1, and an older one fixed in 2.8.1
    advisory("TEST-2019-1", "jinja2", [{"introduced": "0"}, {"fixed": "2.10.1"}]),
    advisory("TEST-2016-1", "Jinja2", [{"introduced": "0"}, {"fixed": "2.8.1"}]),
    # two windows, events out of order
    advisory(
        "TEST-2023-1",
        "werkzeug",
        [{"fixed": "2.2.3"}, {"introduced": "3.0.0"}, {"introduced": "0"}, {"fixed": "3.0.1"}],
    ),
    # last_affected, and an explicit list of versions only
    advisory("TEST-2021-1", "mpmath", [{"introduced": "0.19"}, {"last_affected": "1.2.1"}]),
    {
        "id": "TEST-2020-1",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "flask"}, "versions": ["0.12"]}],
    },
    # another ecosystem's package of the same name does not count
    {
        "id": "TEST-NPM-1",
        "affected": [{"package": {"ecosystem": "npm", "name": "flask"}, "versions": ["1.0"]}],
    },
    advisory("TEST-W-1", "flask", [{"introduced": "0"}], withdrawn="2024-01-01T00:00:00Z"),
]
PACKAGES = ["flask", "jinja2", "markupsafe", "mpmath", "werkzeug"]
SOURCE = {"name": "test advisories", "url": "-", "commit": "c0ffee" * 6, "date": "2026-11-01"}


@pytest.fixture
def snapshot_file(tmp_path: Path) -> Path:
    path = tmp_path / "advisories.json.gz"
    refresh_advisories.write({"sources": [SOURCE], "packages": PACKAGES, "vulns": VULNS}, path)
    return path


@pytest.fixture
def snapshot(snapshot_file: Path) -> Snapshot:
    return osv_mirror.load(snapshot_file)


def ids(found: list[dict[str, Any]]) -> set[str]:
    return {v["id"] for v in found}


# --- matching ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        ("jinja2", "2.7", {"TEST-2019-1", "TEST-2016-1"}),
        ("Jinja2", "2.10", {"TEST-2019-1"}),
        ("JINJA2", "2.10.1", set()),
        ("jinja2", "2.10.1rc1", {"TEST-2019-1"}),  # a pre-release comes before the fix
        ("jinja2", "3.1.6", set()),
        ("werkzeug", "2.2.2", {"TEST-2023-1"}),
        ("werkzeug", "2.2.3", set()),
        ("werkzeug", "3.0.0", {"TEST-2023-1"}),
        ("werkzeug", "3.0.1", set()),
        ("mpmath", "0.18", set()),
        ("mpmath", "1.2.1", {"TEST-2021-1"}),
        ("mpmath", "1.3.0", set()),
        ("flask", "0.12", {"TEST-2020-1", "TEST-W-1"}),  # withdrawn: pip-audit drops it
        ("flask", "0.12.0", {"TEST-2020-1", "TEST-W-1"}),  # the same version spelled longer
        ("flask", "1.0", {"TEST-W-1"}),
        ("markupsafe", "0.1", set()),
        ("jinja2", "not a version", set()),
    ],
)
def test_query(snapshot, name, version, expected):
    assert ids(snapshot.query(name, version)) == expected


versions = st.builds(
    lambda parts: Version(".".join(map(str, parts))),
    st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(versions, versions, versions)
def test_a_range_holds_exactly_its_versions(low, high, version):
    """introduced..fixed holds low <= v < high; introduced..last_affected low <= v <= high."""
    low, high = min(low, high), max(low, high)
    fixed = [{"introduced": str(low)}, {"fixed": str(high)}]
    last = [{"last_affected": str(high)}, {"introduced": str(low)}]
    assert in_range(version, fixed) == (low <= version < high)
    assert in_range(version, last) == (low <= version <= high)
    assert in_range(version, [{"introduced": "0"}]) is True


def test_unknown_events_and_range_types_are_ignored():
    git_range = {"type": "GIT", "events": [{"introduced": "0"}]}
    entry = {"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [git_range]}
    assert not affects(entry, "1.0")
    assert not in_range(Version("1.0"), [{"limit": "2.0"}, {"introduced": "not-a-version"}])


def test_snapshot_says_what_it_covers(snapshot):
    assert snapshot.covers("MarkupSafe") and not snapshot.covers("requests")
    assert snapshot.date == "2026-11-01"


# --- the server ----------------------------------------------------------------------------------


def post(url: str, body: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_server_answers_osv_queries(snapshot):
    with osv_mirror.running(snapshot) as server:
        assert server.url.startswith("http://127.0.0.1:")
        query = {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.10"}
        status, body = post(server.url, json.dumps(query).encode())
        assert status == 200 and [v["id"] for v in body["vulns"]] == ["TEST-2019-1"]
        query["version"] = "3.1.6"
        assert post(server.url, json.dumps(query).encode()) == (200, {})
        query["package"]["ecosystem"] = "npm"
        assert post(server.url, json.dumps(query).encode()) == (200, {})
        assert post(server.url, b"{not json")[0] == 400
        assert post(server.url, b'{"package": {}}')[0] == 400
        assert post(server.url.replace("/v1/query", "/v1/vulns"), b"{}")[0] == 404
        assert server.queries == 3


# --- pip-audit end to end ------------------------------------------------------------------------


def audit(tmp_path: Path, snapshot: Snapshot, pins: str, ignore: dict[str, str] | None = None):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(pins)
    report = audit_deps.run_pip_audit(requirements, snapshot, ignore or {}, tmp_path)
    assert isinstance(report, dict), report
    return report, audit_deps.figure(report, snapshot, tmp_path / "advisories.json.gz")


def test_pip_audit_finds_a_known_vulnerable_pin(tmp_path, snapshot):
    report, (lines, found, unaudited) = audit(tmp_path, snapshot, "jinja2==2.10\nflask==1.0\n")
    vulns = {d["name"]: [v["id"] for v in d["vulns"]] for d in report["dependencies"]}
    assert vulns == {"jinja2": ["TEST-2019-1"], "flask": []}  # the withdrawn one is dropped
    assert found and not unaudited
    assert "  jinja2 2.10: TEST-2019-1 (fixed in 2.10.1)" in lines
    assert lines[-1].startswith("static: pip-audit: 1 known vulnerabilities; 2 of 2 packages")
    assert "snapshot of 2026-11-01" in lines[-1]


def test_pip_audit_passes_fixed_versions_and_counts_what_the_snapshot_lacks(tmp_path, snapshot):
    pins = "jinja2==3.1.6\nwerkzeug==3.0.1\nrequests==2.32.0\n"
    _report, (lines, found, unaudited) = audit(tmp_path, snapshot, pins)
    assert not found and unaudited
    assert "  requests 2.32.0: not in the advisory snapshot" in lines
    assert "0 known vulnerabilities; 2 of 3 packages audited" in lines[-1]
    assert lines[-1].endswith("; 1 not audited")


def test_a_reviewed_advisory_is_not_counted(tmp_path, snapshot):
    reviewed = tmp_path / "reviewed.txt"
    reviewed.write_text("# comment\nTEST-2019-1  the sandbox is not used here\n")
    ignore = audit_deps.reviewed(reviewed)
    assert ignore == {"TEST-2019-1": "the sandbox is not used here"}
    _report, (_lines, found, _unaudited) = audit(tmp_path, snapshot, "jinja2==2.10\n", ignore)
    assert not found
    reviewed.write_text("TEST-2019-1\n")
    with pytest.raises(SystemExit):
        audit_deps.reviewed(reviewed)


def test_the_command_exits_1_on_a_vulnerability(tmp_path, snapshot_file):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("werkzeug==2.2.2\n")
    empty = tmp_path / "reviewed.txt"
    empty.write_text("")
    argv = [str(requirements), "--snapshot", str(snapshot_file), "--reviewed", str(empty)]
    assert audit_deps.main(argv) == 1
    requirements.write_text("werkzeug==3.0.1\n")
    assert audit_deps.main(argv) == 0
    requirements.write_text("werkzeug==3.0.1\nrequests==2.32.0\n")
    assert audit_deps.main(argv) == 0
    assert audit_deps.main([*argv, "--require-all"]) == 1


# --- the snapshot writer -------------------------------------------------------------------------

YAML_ADVISORY = """\
id: PYSEC-TEST-{n}
details: made up {n}
affected:
- package:
    name: {name}
    ecosystem: PyPI
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: "0"
    - fixed: {fixed}
  versions:
  - "1.0"
references:
- type: WEB
  url: https://example.test/{n}
modified: "2021-07-05T00:01:22.043149Z"
published: 2014-05-19T14:55:00Z
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_the_snapshot_holds_every_advisory_of_our_packages_with_its_source(tmp_path):
    repo = tmp_path / "advisory-database"
    for n, (name, fixed) in enumerate([("Jinja2", "2.10.1"), ("jinja2", "1.1"), ("other", "9")]):
        folder = repo / "vulns" / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"PYSEC-TEST-{n}.yaml").write_text(
            YAML_ADVISORY.format(n=n, name=name, fixed=fixed)
        )
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-qm", "advisories")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Jinja2==3.1.6\nMarkupSafe==3.0.2\n-e .\n")
    out = tmp_path / "snapshot.json.gz"
    argv = ["-o", str(out), "--requirements", str(requirements), "--pypa-git", str(repo / ".git")]
    assert refresh_advisories.main(argv) == 0
    data = json.loads(gzip.decompress(out.read_bytes()))
    (source,) = data["sources"]
    assert source["commit"] == git(repo, "rev-parse", "HEAD") and source["licence"] == "CC-BY-4.0"
    assert source["date"] == git(repo, "log", "-1", "--format=%cI")
    assert data["packages"] == ["jinja2", "markupsafe"]
    # both jinja2 advisories, the one fixed long ago too; "other" is not ours
    assert [v["id"] for v in data["vulns"]] == ["PYSEC-TEST-0", "PYSEC-TEST-1"]
    first = data["vulns"][0]
    assert "references" not in first and first["published"].startswith("2014-05-19")
    assert first["affected"][0]["package"] == {"ecosystem": "PyPI", "name": "jinja2"}
    # the same input gives the same bytes, and the mirror reads it
    again = tmp_path / "again.json.gz"
    assert refresh_advisories.main([*argv[:0], "-o", str(again), *argv[2:]]) == 0
    assert again.read_bytes() == out.read_bytes()
    assert ids(osv_mirror.load(out).query("jinja2", "2.10")) == {"PYSEC-TEST-0"}
