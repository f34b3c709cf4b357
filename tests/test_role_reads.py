"""The policy is the only place that decides by a user's role (docs/architecture.md, "The
policy"): elsewhere code asks `policy.can(user, action, obj)` or `policy.may(user, action)`,
and templates ask `can(...)` or get the decision from their view. Showing a role (its label,
an export column) is not deciding by it.

A role read that decides is: a comparison with a role (`user.role == "lawyer"`,
`role in (...)`), a table looked up by one (`QUEUES[user.role]`, `QUEUES.get(user.role)`), or
`policy.role_may` (callers use `policy.may`, which takes the user).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "tracker"

#: (module, function) -> why it may read a role; keep it short
ALLOWED: dict[tuple[str, str], str] = {
    ("auth/accounts.py", "_check_user_links"): (
        "an account gets the links its role's scope is built from (a company account an "
        "organisation of kind company, an operator a zone) where an admin sets the role"
    ),
    ("auth/organizations.py", "kind_conflicts"): (
        "the other side of the same link: an organisation with company accounts stays a company"
    ),
    ("api/accounts.py", "list_users"): "the account list filtered by the role an admin picks",
    ("auth/labels.py", "role_label"): "a role's name in the reader's language",
}

_TEMPLATE_READ = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot\s+in\b)")


def _is_role(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "role") or (
        isinstance(node, ast.Name) and node.id == "role"
    )


def _decides(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        # `role in ROLES` asks whether a value is a role at all: input validation
        known = all(isinstance(c, ast.Name) and c.id == "ROLES" for c in node.comparators)
        return not known and any(_is_role(n) for n in (node.left, *node.comparators))
    if isinstance(node, ast.Subscript):
        return _is_role(node.slice)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        lookup = name == "get" and bool(node.args) and _is_role(node.args[0])
        return lookup or name == "role_may"
    return False


def _reads(path: Path) -> list[tuple[str, int]]:
    """(enclosing function, line) of every role read that decides in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owner: dict[ast.AST, str] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):  # outer functions come first: the innermost one wins
                owner[node] = fn.name
    return [(owner.get(n, "<module>"), n.lineno) for n in ast.walk(tree) if _decides(n)]


def test_no_python_module_but_the_policy_decides_by_a_role():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "policy.py":
            continue
        found += [
            f"tracker/{rel}:{line} ({fn})" for fn, line in _reads(path) if (rel, fn) not in ALLOWED
        ]
    assert found == []


def test_every_allowed_read_is_still_there():
    """An allow-list row whose read has gone is removed, so the list stays short and true."""
    for rel, fn in ALLOWED:
        assert any(f == fn for f, _ in _reads(ROOT / rel)), (rel, fn)


def test_no_template_decides_by_a_role():
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted(ROOT.rglob("*.html"))
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _TEMPLATE_READ.search(text)
    ]
    assert found == []
