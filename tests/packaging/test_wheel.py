"""A wheel built from a clean checkout (no compiled catalogues lying around) ships the .mo
files, so Korean works after `pip install`."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import zipfile

ROOT = pathlib.Path(__file__).parents[2]


def test_the_wheel_ships_compiled_catalogues(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "*.mo", "instance", "*.egg-info", "__pycache__", "build", "tests"
        ),
    )
    assert not list(source.glob("**/*.mo"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ".",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "dist"),
        ],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("tracker-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    catalogues = {n for n in names if n.endswith("/ko/LC_MESSAGES/messages.mo")}
    assert "tracker/translations/ko/LC_MESSAGES/messages.mo" in catalogues
    assert len(catalogues) == len(list(ROOT.glob("tracker/**/translations*/ko/LC_MESSAGES/*.po")))
