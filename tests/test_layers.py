"""Imports only point down the layers drawn in docs/architecture.md ("The layers").

Every module under tracker/ is parsed (imports at module level and inside functions alike);
an import of a package in a higher layer is an arrow that climbs, and fails here with its
file, line and arrow."""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator

TRACKER = pathlib.Path(__file__).parents[1] / "tracker"

#: bottom to top; a package may import its own layer and those below it, never one above.
#: A top-level module (tracker/ui.py) or package (tracker/cases/) is one unit.
LAYERS: list[tuple[str, ...]] = [
    ("errors", "clock", "i18n", "extensions"),
    ("db", "keys", "sealing", "mail"),
    ("web", "audit", "records"),
    ("policy",),
    ("ui", "record_names"),
    ("auth",),
    ("cases",),
    ("attachments",),
    ("deadlines",),
    ("reports",),
    ("transfers",),
    ("oversight",),
    ("dashboard",),
    ("api", "ops"),
    ("views", "demo", "models", "blueprints", "kinds", "__init__"),
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}

#: the tables the shared layer reads: who is signed in, and the projects scope is about
READS_DOWN_INTO_DOMAINS = {
    ("tracker.policy", "tracker.auth.models"),
    ("tracker.policy", "tracker.cases.projects.models"),
    ("tracker.web.current", "tracker.auth.models"),
}

#: arrows another change removes (file, unit it climbs to); an entry that no longer climbs
#: fails `test_no_known_exception_is_stale`, so the list only shrinks
KNOWN: set[tuple[str, str]] = set()


def _module(path: pathlib.Path) -> str:
    parts = path.relative_to(TRACKER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = TRACKER.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or path.is_dir()


def _targets(node: ast.AST, package: str) -> Iterator[str]:
    """The tracker modules one import statement loads (`from tracker import policy` is
    tracker.policy; `from tracker.cases.labels import LABELS` is tracker.cases.labels)."""
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            full = f"{base}.{alias.name}"
            yield full if _is_module(full) else base


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def arrows() -> Iterator[tuple[str, int, str, str, str]]:
    """(file, line, imported module, from unit, to unit) for every import between units."""
    for path in sorted(TRACKER.rglob("*.py")):
        module = _module(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        source = _unit(module)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for target in sorted(set(_targets(node, package))):
                if target.split(".")[0] != "tracker" or _unit(target) == source:
                    continue
                if (module, target) in READS_DOWN_INTO_DOMAINS:
                    continue
                name = str(path.relative_to(TRACKER))
                yield name, node.lineno, target, source, _unit(target)


def climbing() -> list[tuple[str, int, str, str, str]]:
    return [a for a in arrows() if RANK.get(a[4], -1) > RANK.get(a[3], -1)]


def test_every_package_has_a_layer():
    units = {_unit(_module(p)) for p in TRACKER.rglob("*.py")}
    assert sorted(units - set(RANK)) == [], "add it to LAYERS and to docs/architecture.md"


def test_no_import_climbs():
    found = [
        f"tracker/{name}:{line} imports {target}: {src} -> {dst} climbs"
        for name, line, target, src, dst in climbing()
        if (name, dst) not in KNOWN
    ]
    assert found == [], "\n".join(found)


def test_no_known_exception_is_stale():
    still = {(name, dst) for name, _line, _target, _src, dst in climbing()}
    assert KNOWN - still == set(), "remove these from KNOWN: they no longer climb"


def test_the_layers_are_drawn_in_the_architecture_notes():
    notes = (TRACKER.parent / "docs" / "architecture.md").read_text()
    section = notes.split("## The layers", 1)[1].split("\n## ", 1)[0]
    missing = [u for u in RANK if f"{u}/" not in section and f"{u}.py" not in section]
    assert missing == []
