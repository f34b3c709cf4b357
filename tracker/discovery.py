"""Finding each domain's parts, so a domain plugs in by adding files (no central lists to edit).

A domain package `tracker/<domain>/` may have `models.py`, HTML blueprints in `views.py` or
`*_views.py` (a module-level `bp`), CLI commands in `cli.py` (a module-level `commands` list),
and Korean catalogues in `translations*/`. API modules are `tracker/api/*.py` with a `blp`.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import tracker

PACKAGE_DIR = Path(tracker.__file__).parent


def domains() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(PACKAGE_DIR)])
        if info.ispkg and info.name not in ("api", "templates", "static", "translations")
    )


def _modules(package: str, wanted: str) -> list[ModuleType]:
    path = PACKAGE_DIR / package if package else PACKAGE_DIR
    found = []
    for info in sorted(pkgutil.iter_modules([str(path)]), key=lambda i: i.name):
        if info.ispkg:
            continue
        if info.name == wanted or (wanted == "views" and info.name.endswith("_views")):
            prefix = f"tracker.{package}." if package else "tracker."
            found.append(importlib.import_module(prefix + info.name))
    return found


def model_modules() -> list[ModuleType]:
    return [m for d in domains() for m in _modules(d, "models")]


def view_modules() -> list[ModuleType]:
    return [m for d in domains() for m in _modules(d, "views")]


def cli_modules() -> list[ModuleType]:
    return [m for d in domains() for m in _modules(d, "cli")]


def api_modules() -> list[ModuleType]:
    path = PACKAGE_DIR / "api"
    modules = [
        importlib.import_module(f"tracker.api.{info.name}")
        for info in sorted(pkgutil.iter_modules([str(path)]), key=lambda i: i.name)
        if not info.ispkg
    ]
    return [m for m in modules if hasattr(m, "blp")]


def translation_directories() -> str:
    """Every `translations*` folder in the package, relative to it, for Flask-Babel."""
    dirs = sorted(
        p.relative_to(PACKAGE_DIR).as_posix()
        for p in PACKAGE_DIR.glob("**/translations*")
        if p.is_dir()
    )
    return ";".join(dirs)
