"""Print the size figures the code is held to: function median (body lines, docstring not
counted) and modules over 300 lines. `python tools/code_metrics.py [tracker]`"""

from __future__ import annotations

import ast
import pathlib
import statistics
import sys


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        body = body[1:]
    if not body:
        return 0
    return (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1


def main(root: pathlib.Path) -> int:
    lengths, large = [], []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text()
        lines = len(source.splitlines())
        if lines > 300:
            large.append((lines, str(path)))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lengths.append(_body_lines(node))
    print(f"modules: {len(list(root.rglob('*.py')))}, functions: {len(lengths)}")
    print(
        f"function body lines: median {statistics.median(lengths)}, mean "
        f"{statistics.mean(lengths):.1f}, max {max(lengths)}"
    )
    print(f"modules over 300 lines: {len(large)}")
    for lines, name in large:
        print(f"  {lines:5d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "tracker")))
