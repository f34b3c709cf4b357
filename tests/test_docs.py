"""The repository's own documentation stands alone: no links outside it, every demo sign-in
listed, and `flask demo` (what `make run` runs) prints every one of them."""

from __future__ import annotations

import pathlib
import re

from tracker.demo import demo_command, demo_logins

ROOT = pathlib.Path(__file__).parents[1]


def test_no_document_points_outside_the_repository():
    for doc in [ROOT / "README.md", *ROOT.glob("docs/*.md")]:
        assert "../shared" not in doc.read_text(), doc
    readme = (ROOT / "README.md").read_text()
    assert "docs/product.md" in readme
    for target in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / target).exists(), target


def test_every_demo_sign_in_is_listed_and_printed(app):
    readme = (ROOT / "README.md").read_text()
    output = app.test_cli_runner().invoke(demo_command).output
    for email, _role in demo_logins():
        assert f"`{email}`" in readme
        assert email in output
    assert "lawyer2@tracker.example" in output


#: files of the workplace, not of the product: no product file names them
OUTSIDE = re.compile(r"(?<![\w/])(DESIGN|API|STYLE)\.md\b|steering repo")


def test_no_product_file_names_a_file_outside_the_repository():
    """Code, comments, tests, tools and docs point to the product's own documents (`docs/`),
    never to the design notes the product was built from; the history in decisions.md aside."""
    found = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".git", ".venv", "node_modules") or not path.is_file():
            continue
        if path.suffix not in (".py", ".md", ".html", ".txt", ".toml", ".cfg", ".js", ".css"):
            continue
        if path == ROOT / "docs" / "decisions.md" or path == pathlib.Path(__file__):
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []
