"""Report folders are written safely: no followed links, no overwritten user files, no half-written runs."""

import json

import pytest

from qderive.derivations.registry import Registry
from qderive.derivations.report import MANIFEST, WRITERS, ReportError, write_report

SYSTEM = Registry.discover().get("purcell")
REPORT = SYSTEM.report(SYSTEM.parameter_set())


def test_writes_manifest_with_parameters_and_version(tmp_path):
    summary = write_report(REPORT, tmp_path / "r")
    manifest = json.loads((tmp_path / "r" / MANIFEST).read_text())
    assert set(manifest["files"]) == set(summary.files) == {"report.md", "results.json", "report.html"}
    assert manifest["parameters"]["g"] == SYSTEM.defaults["g"] and manifest["version"]
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    assert results["validation"]["passed"] is True and results["derivation"]["name"] == "purcell"


def test_symlink_is_never_followed(tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("precious")
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "results.json").symlink_to(target)
    with pytest.raises(ReportError, match="symbolic link"):
        write_report(REPORT, folder)
    assert target.read_text() == "precious"
    link = tmp_path / "link"
    link.symlink_to(folder)
    with pytest.raises(ReportError, match="symbolic link"):
        write_report(REPORT, link)


def test_user_files_are_never_overwritten_or_deleted(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "report.md").write_text("my own notes")
    with pytest.raises(ReportError, match="not written by a qderive report"):
        write_report(REPORT, folder)
    assert (folder / "report.md").read_text() == "my own notes"
    other = tmp_path / "s"
    write_report(REPORT, other)
    (other / "notes.txt").write_text("keep me")
    write_report(REPORT, other)  # a rerun replaces its own files and keeps the user's
    assert (other / "notes.txt").read_text() == "keep me" and (other / "report.md").exists()


def test_failed_run_leaves_the_previous_report(tmp_path):
    folder = tmp_path / "r"
    write_report(REPORT, folder)
    before = (folder / "results.json").read_text()

    def broken(report, staging):
        (staging / "partial.txt").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_report(REPORT, folder, (*WRITERS, broken))
    assert (folder / "results.json").read_text() == before and not (folder / "partial.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no staging folder left behind
