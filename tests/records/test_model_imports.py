"""The cross-cutting parts reach the records through the registry (docs/architecture.md
"Adding a record kind"): no module of deadlines, dashboard, oversight, reports or
attachments imports a record model. Every import (module level and inside functions) is
parsed and resolved: a mapped class, a name of a `models` module or a `models` module itself
fails here, whatever module re-exports it, unless it is allowed below."""

from __future__ import annotations

import ast
import importlib
import pathlib
from collections.abc import Iterator
from typing import Any

TRACKER = pathlib.Path(__file__).parents[2] / "tracker"

CROSS_CUTTING = ("deadlines", "dashboard", "oversight", "reports", "attachments")

#: what anyone may name: scope and people (projects, users, organisations, zones, their
#: notifications) and the audit trail, which is no record kind; a package's own models are
#: allowed too (the attachments and their versions, the reminder log)
ALLOWED: dict[str, set[str]] = {
    "tracker.auth.models": {"User", "Organization", "Zone"},
    "tracker.cases.projects.models": {"Project"},
    "tracker.audit.models": {"AuditEvent", "AuditHead"},
    #: a person's notices (about records, named by type and id): no record kind either
    "tracker.auth.notifications": {"Notification"},
}


def _is_models(module: str) -> bool:
    return module.rpartition(".")[2] == "models"


def _allowed(owner: str, name: str, unit: str) -> bool:
    return owner.startswith(f"tracker.{unit}.") or name in ALLOWED.get(owner, set())


def _resolve(base: str, name: str) -> tuple[str, Any]:
    """The module an imported name is defined in, and the object (a module for a module)."""
    try:
        module = importlib.import_module(f"{base}.{name}")
        return module.__name__, module
    except ModuleNotFoundError:
        value = getattr(importlib.import_module(base), name)
        return getattr(value, "__module__", None) or base, value


def _forbidden(base: str, name: str, unit: str) -> bool:
    owner, value = _resolve(base, name)
    if owner == f"{base}.{name}":  # a module: all of its models at once
        return _is_models(owner) and not owner.startswith(f"tracker.{unit}.")
    mapped = isinstance(value, type) and hasattr(value, "__table__")
    if mapped or _is_models(base):
        return not _allowed(owner if mapped else base, name, unit)
    return False


def model_imports(source: str, module: str) -> Iterator[str]:
    """`line: import` for every record model the module's source imports."""
    unit = module.split(".")[1]
    package = module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_models(alias.name) and not alias.name.startswith(f"tracker.{unit}."):
                    yield f"{node.lineno}: import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("tracker"):
                continue
            for alias in node.names:
                if _forbidden(base, alias.name, unit):
                    yield f"{node.lineno}: from {base} import {alias.name}"


def _modules() -> Iterator[tuple[pathlib.Path, str]]:
    for unit in CROSS_CUTTING:
        for path in sorted((TRACKER / unit).rglob("*.py")):
            parts = path.relative_to(TRACKER.parent).with_suffix("").parts
            yield path, ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_cross_cutting_package_imports_a_record_model():
    found = [
        f"tracker/{path.relative_to(TRACKER)}:{line}"
        for path, module in _modules()
        for line in model_imports(path.read_text(), module)
    ]
    assert found == [], "ask the registry (tracker.records) instead:\n" + "\n".join(found)


def test_the_check_finds_a_record_model_however_it_is_imported():
    imports = "\n".join(
        [
            "from tracker.cases.ndas.models import Nda",
            "from tracker.transfers.models import UNDECIDED",
            "from tracker.cases.sessions import models",
            "import tracker.cases.reviews.models",
            "from tracker.cases.ndas.service import Nda as Agreement",
            "from tracker.auth.models import User, Organization, Zone",
            "from tracker.cases.projects.models import Project",
            "from tracker.audit.models import AuditEvent",
            "from tracker.dashboard.sections import SECTION_LIMIT",
        ]
    )
    found = list(model_imports(imports, "tracker.dashboard.example"))
    assert [f.split(": ", 1)[0] for f in found] == ["1", "2", "3", "4", "5"]


def test_a_package_may_import_its_own_models():
    source = "from tracker.attachments.models import RECORD_TYPES, Attachment, AttachmentVersion"
    assert list(model_imports(source, "tracker.attachments.example")) == []
    assert list(model_imports(source, "tracker.reports.example")) != []
