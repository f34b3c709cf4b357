"""The 5 × 5 likelihood × impact heat map as server-side SVG (no script, CSP-safe).

`heat_map_svg(cells, link=...)`: `cells[l-1][i-1]` is the number of projects whose current
review scored likelihood l and impact i (the API's `heat_map.cells`). Likelihood 5 is drawn at
the top, impact 5 at the right. Each cell is a link when `link(l, i)` gives a URL. Text
alternatives: the SVG's <title>/<desc> (also naming the unreviewed count) and an aria-label per
cell. Every text is escaped; colours keep text contrast at 4.5:1 or more (WCAG AA).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from tracker.cases import labels

SIZE = 5
CELL = 56
LEFT = 64  # room for the likelihood axis
TOP = 8
BOTTOM = 56  # room for the impact axis
#: (upper score bound, level, fill, text colour): the risk levels of docs/product.md
LEVELS = (
    (4, "low", "#d3f0dc", "#0b3d1b"),
    (9, "medium", "#fff1b8", "#4a3900"),
    (16, "high", "#ffc9a3", "#5c2200"),
    (25, "critical", "#a61b1b", "#ffffff"),
)
AXIS_TEXT = "#1a1a1a"


def level_colours(score: int) -> tuple[str, str, str]:
    for bound, level, fill, text in LEVELS:
        if score <= bound:
            return level, fill, text
    raise ValueError(f"score {score} out of range")


def _check(cells: Sequence[Sequence[int]]) -> None:
    if len(cells) != SIZE or any(len(row) != SIZE for row in cells):
        raise ValueError("cells must be 5 rows of 5 counts")
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for row in cells for n in row):
        raise ValueError("counts must be non-negative integers")


def _safe_url(url: str) -> str:
    if not (url.startswith("/") and not url.startswith("//")) and not url.startswith(
        ("https://", "http://")
    ):
        raise ValueError("a heat map link must be a site path or an http(s) URL")
    return url


def heat_map_svg(
    cells: Sequence[Sequence[int]],
    link: Callable[[int, int], str | None] | None = None,
    *,
    unreviewed: int | None = None,
    id_prefix: str = "heatmap",
) -> Markup:
    """The heat map as SVG markup, safe to place in a Jinja template as it is."""
    _check(cells)
    width = LEFT + SIZE * CELL + 8
    height = TOP + SIZE * CELL + BOTTOM
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    total = sum(sum(row) for row in cells)
    desc = ngettext(
        "%(num)d project with a current review, by likelihood (rows) and impact (columns).",
        "%(num)d projects with a current review, by likelihood (rows) and impact (columns).",
        total,
    )
    if unreviewed is not None:
        desc += " " + ngettext(
            "%(num)d project has no current review.",
            "%(num)d projects have no current review.",
            unreviewed,
        )
    title = _("Risk heat map")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="heat-map" role="group" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{escape(title_id)}" aria-describedby="{escape(desc_id)}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(desc)}</desc>',
    ]
    for likelihood in range(1, SIZE + 1):
        y = TOP + (SIZE - likelihood) * CELL
        for impact in range(1, SIZE + 1):
            x = LEFT + (impact - 1) * CELL
            count = cells[likelihood - 1][impact - 1]
            level, fill, ink = level_colours(likelihood * impact)
            label = _(
                "Likelihood %(likelihood)d, impact %(impact)d (%(level)s): %(count)s",
                likelihood=likelihood,
                impact=impact,
                level=labels.label(level),
                count=ngettext("%(num)d project", "%(num)d projects", count),
            )
            body = (
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{fill}" '
                f'stroke="#ffffff" stroke-width="2"/>'
                f'<text x="{x + CELL // 2}" y="{y + CELL // 2 + 6}" text-anchor="middle" '
                f'font-size="18" font-weight="bold" fill="{ink}" aria-hidden="true">{count}</text>'
            )
            url = link(likelihood, impact) if link else None
            attrs = (
                f'class="cell" data-likelihood="{likelihood}" data-impact="{impact}" '
                f'data-count="{count}" aria-label="{escape(label)}"'
            )
            if url:
                parts.append(f'<a href="{escape(_safe_url(url))}" {attrs}>{body}</a>')
            else:
                parts.append(f'<g role="img" {attrs}>{body}</g>')
    parts.extend(_axes(height))
    parts.append("</svg>")
    # reviewed: every interpolated text is escaped above
    return Markup("".join(parts))  # noqa: S704  # nosec B704


def _axes(height: int) -> list[str]:
    out = []
    for n in range(1, SIZE + 1):
        x = LEFT + (n - 1) * CELL + CELL // 2
        y = TOP + SIZE * CELL + 18
        out.append(
            f'<text x="{x}" y="{y}" text-anchor="middle" fill="{AXIS_TEXT}" '
            f'font-size="13">{n}</text>'
        )
        ly = TOP + (SIZE - n) * CELL + CELL // 2 + 5
        out.append(
            f'<text x="{LEFT - 10}" y="{ly}" text-anchor="end" fill="{AXIS_TEXT}" '
            f'font-size="13">{n}</text>'
        )
    impact, likelihood = _("Impact"), _("Likelihood")
    centre_x = LEFT + SIZE * CELL // 2
    out.append(
        f'<text x="{centre_x}" y="{height - 12}" text-anchor="middle" fill="{AXIS_TEXT}" '
        f'font-size="14">{escape(impact)} →</text>'
    )
    centre_y = TOP + SIZE * CELL // 2
    out.append(
        f'<text x="18" y="{centre_y}" text-anchor="middle" fill="{AXIS_TEXT}" font-size="14" '
        f'transform="rotate(-90 18 {centre_y})">{escape(likelihood)} →</text>'
    )
    return out
