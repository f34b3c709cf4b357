"""The heat map SVG: well-formed XML, 25 cells with their counts and links, text alternatives,
escaped text and readable colours."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask_babel import force_locale
from markupsafe import Markup

from tracker.reports import heatmap

NS = {"svg": "http://www.w3.org/2000/svg"}
CELLS = [[(l * 10 + i) % 4 for i in range(1, 6)] for l in range(1, 6)]  # noqa: E741
CELLS[4][4] = 7  # likelihood 5, impact 5


def link(likelihood: int, impact: int) -> str | None:
    if (likelihood, impact) == (1, 1):
        return None
    return f"/projects?likelihood={likelihood}&impact={impact}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def cells(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("class") == "cell"]


def test_parses_as_svg_with_25_cells_counts_and_links():
    markup = heatmap.heat_map_svg(CELLS, link, unreviewed=3)
    assert isinstance(markup, Markup)
    root = parse(markup)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    found = cells(root)
    assert len(found) == 25
    seen = set()
    for el in found:
        l, i = int(el.get("data-likelihood")), int(el.get("data-impact"))  # noqa: E741
        seen.add((l, i))
        assert el.get("data-count") == str(CELLS[l - 1][i - 1])
        assert el.find("svg:text", NS).text == str(CELLS[l - 1][i - 1])
        if (l, i) == (1, 1):
            assert el.tag.endswith("}g") and el.get("role") == "img" and el.get("href") is None
        else:
            assert el.tag.endswith("}a")
            assert el.get("href") == f"/projects?likelihood={l}&impact={i}"
    assert seen == {(l, i) for l in range(1, 6) for i in range(1, 6)}  # noqa: E741
    assert "&amp;impact=" in str(markup)  # the & of the URL is escaped in the markup


def test_text_alternatives_in_english():
    root = parse(heatmap.heat_map_svg(CELLS, link, unreviewed=3, id_prefix="zone-1"))
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title.get("id") == "zone-1-title" and title.text == "Risk heat map"
    assert root.get("aria-labelledby") == "zone-1-title"
    assert root.get("aria-describedby") == "zone-1-desc"
    total = sum(map(sum, CELLS))
    assert desc.text == (
        f"{total} projects with a current review, by likelihood (rows) and impact (columns). "
        "3 projects have no current review."
    )
    top_right = next(
        c for c in cells(root) if (c.get("data-likelihood"), c.get("data-impact")) == ("5", "5")
    )
    assert top_right.get("aria-label") == "Likelihood 5, impact 5 (Critical): 7 projects"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "Impact →" in texts and "Likelihood →" in texts


def test_text_alternatives_in_korean():
    with force_locale("ko"):
        root = parse(heatmap.heat_map_svg(CELLS, link))
    assert root.find("svg:title", NS).text == "위험 히트맵"
    top_right = next(
        c for c in cells(root) if (c.get("data-likelihood"), c.get("data-impact")) == ("5", "5")
    )
    # the count the cell shows stands in its name as a word of its own (WCAG 2.5.3, axe's
    # label-content-name-mismatch): "7 건", not "7건"
    assert top_right.get("aria-label") == "발생 가능성 5, 영향도 5 (심각): 과제 7 건"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "영향도 →" in texts and "발생 가능성 →" in texts


def test_likelihood_five_is_drawn_on_top_and_impact_five_on_the_right():
    found = {
        (c.get("data-likelihood"), c.get("data-impact")): c
        for c in cells(parse(heatmap.heat_map_svg(CELLS)))
    }
    rect = {k: el.find("svg:rect", NS) for k, el in found.items()}
    assert float(rect[("5", "1")].get("y")) < float(rect[("1", "1")].get("y"))
    assert float(rect[("1", "5")].get("x")) > float(rect[("1", "1")].get("x"))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_every_text_colour_has_at_least_4_5_to_1_contrast():
    assert _contrast("#000000", "#ffffff") == pytest.approx(21)  # the formula itself
    for _bound, _level, fill, ink in heatmap.LEVELS:
        assert _contrast(fill, ink) >= 4.5, (fill, ink)
    assert _contrast(heatmap.AXIS_TEXT, "#ffffff") >= 4.5
    # each cell uses its level's colours
    root = parse(heatmap.heat_map_svg(CELLS))
    for c in cells(root):
        score = int(c.get("data-likelihood")) * int(c.get("data-impact"))
        _level, fill, ink = heatmap.level_colours(score)
        assert c.find("svg:rect", NS).get("fill") == fill
        assert c.find("svg:text", NS).get("fill") == ink


def test_text_is_escaped_and_bad_input_refused():
    root = parse(heatmap.heat_map_svg(CELLS, id_prefix='x"><script>'))
    assert root.find("svg:title", NS).get("id") == 'x"><script>-title'
    with pytest.raises(ValueError, match="http"):
        heatmap.heat_map_svg(CELLS, lambda l, i: "javascript:alert(1)")  # noqa: E741
    with pytest.raises(ValueError, match="http"):
        heatmap.heat_map_svg(CELLS, lambda l, i: "//evil.example/")  # noqa: E741
    with pytest.raises(ValueError, match="5 rows"):
        heatmap.heat_map_svg(CELLS[:4])
    with pytest.raises(ValueError, match="non-negative"):
        heatmap.heat_map_svg([[0] * 5] * 4 + [[0, 0, -1, 0, 0]])
