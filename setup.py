"""Build step: compile the Korean message catalogues (.po -> .mo) into the wheel.

The .mo files are build products (not in git); without this a wheel or `pip install .` would
ship only the .po files and Korean would silently fall back to English. Everything else is
declared in pyproject.toml."""

from __future__ import annotations

import pathlib

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in pathlib.Path("tracker").glob("**/translations*/*/LC_MESSAGES/*.po"):
            target = pathlib.Path(self.build_lib) / po.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parts[-3])
            with target.open("wb") as out:
                write_mo(out, catalog)


setup(cmdclass={"build_py": BuildPyWithCatalogues})
