"""A small PDF document builder for Tracker's reports (zone report, evidence pack).

Library: **fpdf2**. It is pure Python (its own dependencies, fontTools and Pillow, are wheels),
needs no system libraries (WeasyPrint needs Pango/Cairo/HarfBuzz from the OS), embeds a TrueType
font as a subset of the glyphs actually used (a report with Korean text stays ~100 KB though the
font holds all 11,172 Hangul syllables), and has the pieces a report needs: tables whose header
row repeats on every page and whose cells wrap, page-number aliases and document metadata.
ReportLab would also do, but its table and CJK handling needs more code for the same result.

Hangul comes from the font the package ships (Noto Sans KR, SIL OFL 1.1, see fonts/README.md),
never from one the machine happens to have, so a PDF looks the same wherever it is made.

Every string goes through Flask-Babel: build and write a document inside
`flask_babel.force_locale(locale)` (the report modules do) so labels, the heat map's axes and
the footer are in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from flask_babel import gettext
from fpdf import FPDF
from fpdf.enums import TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from tracker.cases import labels
from tracker.i18n import format_day, format_when

FONT_DIR = Path(__file__).with_name("fonts")
FAMILY = "NotoSansKR"

#: score bounds of the risk levels (likelihood × impact), as in tracker.cases.risk.LEVEL_BOUNDS
LEVEL_BOUNDS = ((4, "low"), (9, "medium"), (16, "high"), (25, "critical"))

#: (fill, text) colours per level; each text colour has at least 4.5:1 contrast on its fill
LEVEL_COLOURS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "low": ((0xA5, 0xD6, 0xA7), (0x0B, 0x2E, 0x0F)),  # light green, near-black green
    "medium": ((0xFF, 0xE0, 0x82), (0x3E, 0x2C, 0x00)),  # amber, dark brown
    "high": ((0xFF, 0xB7, 0x4D), (0x1A, 0x10, 0x00)),  # orange, near black
    "critical": ((0xB7, 0x1C, 0x1C), (0xFF, 0xFF, 0xFF)),  # dark red, white (6.5:1)
}
HEADER_FILL = (0xE8, 0xEA, 0xF0)
MUTED = (0x55, 0x5B, 0x66)
TEXT = (0x11, 0x11, 0x11)


def level_of(score: int) -> str:
    """The risk level of a likelihood × impact score (1–25)."""
    for bound, level in LEVEL_BOUNDS:
        if score <= bound:
            return level
    raise ValueError(f"score {score} is outside 1–25")


def format_time(value: dt.datetime | dt.date | str | None) -> str:
    """A date or a time as the reader writes it, a time in the reader's zone (the one helper
    of the pages, `tracker.i18n`); an ISO text (a manifest's value) is read first."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            return format_when(value) if len(value) > 10 else format_day(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return format_when(value)
    return format_day(value)


class _Pdf(FPDF):
    """FPDF with the footer "page X / Y" in the reader's language."""

    footer_text: str = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        # {nb} is replaced by the page count when the document is closed
        self.cell(
            0,
            5,
            gettext("page %(page)s / %(total)s", page=self.page_no(), total="{nb}"),
            align="R",
        )


class Document:
    """A report: a cover block, then headings, paragraphs, tables and heat maps, page numbers
    in the footer. Build and write it inside `force_locale(locale)`."""

    def __init__(
        self,
        *,
        title: str,
        subtitle: str = "",
        generated_at: dt.datetime,
        generated_by: str,
        locale: str,
        subject: str = "",
    ) -> None:
        pdf = _Pdf(orientation="portrait", unit="mm", format="A4")
        pdf.add_font(FAMILY, "", str(FONT_DIR / "NotoSansKR-Regular.ttf"))
        pdf.add_font(FAMILY, "B", str(FONT_DIR / "NotoSansKR-Bold.ttf"))
        pdf.set_margins(15, 15, 15)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_title(title)
        pdf.set_subject(subject or subtitle or title)
        pdf.set_author(generated_by)
        pdf.set_creator("Tracker")
        pdf.set_lang(locale)
        pdf.set_creation_date(
            generated_at if generated_at.tzinfo else generated_at.replace(tzinfo=dt.UTC)
        )
        pdf.footer_text = title
        pdf.add_page()
        self.pdf = pdf
        self._cover(title, subtitle, generated_at, generated_by)

    @property
    def width(self) -> float:
        return float(self.pdf.epw)

    def _cover(
        self, title: str, subtitle: str, generated_at: dt.datetime, generated_by: str
    ) -> None:
        pdf = self.pdf
        pdf.set_text_color(*TEXT)
        pdf.set_font(FAMILY, "B", 20)
        pdf.multi_cell(0, 10, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            pdf.set_font(FAMILY, "", 13)
            pdf.multi_cell(0, 7, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
        pdf.set_font(FAMILY, "", 9)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(
            0,
            5,
            gettext(
                "Generated at %(time)s by %(name)s",
                time=format_time(generated_at),
                name=generated_by,
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_draw_color(*MUTED)
        pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.l_margin + pdf.epw, pdf.get_y() + 2)
        pdf.ln(6)
        pdf.set_text_color(*TEXT)

    def heading(self, text: str) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # keep a heading with what follows it
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(FAMILY, "B", 13)
        pdf.set_text_color(*TEXT)
        pdf.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def paragraph(self, text: str, *, muted: bool = False) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "", 9.5)
        pdf.set_text_color(*(MUTED if muted else TEXT))
        pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*TEXT)
        pdf.ln(1)

    def key_values(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label–value pairs as a two-column table without a header."""
        self.table([], rows, widths=(1, 2.5))

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float] | None = None,
        styles: Callable[[int, int, str], FontFace | None] | None = None,
        font_size: float = 8.5,
    ) -> None:
        """A table whose header row repeats on every page and whose cells wrap long text.
        `styles(row, column, text)` may give a cell its own colours (e.g. a risk level)."""
        pdf = self.pdf
        pdf.set_font(FAMILY, "", font_size)
        pdf.set_text_color(*TEXT)
        pdf.set_fill_color(0xFF, 0xFF, 0xFF)  # cells without a style of their own are white
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.2)
        columns = len(header) if header else max((len(r) for r in rows), default=1)
        with pdf.table(
            col_widths=tuple(widths) if widths else None,
            first_row_as_headings=bool(header),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL, color=TEXT),
            repeat_headings=1,
            line_height=font_size * 0.55,
            padding=1.2,
            text_align="LEFT",
            cell_fill_mode=TableCellFillMode.NONE,
            borders_layout="SINGLE_TOP_LINE" if header else "HORIZONTAL_LINES",
            width=pdf.epw,
        ) as table:
            if header:
                row = table.row()
                for text in header:
                    row.cell(text)
            for r, values in enumerate(rows):
                row = table.row()
                for c in range(columns):
                    text = values[c] if c < len(values) else ""
                    row.cell(text or "–", style=styles(r, c, text) if styles else None)
        pdf.ln(2)

    def heat_map(self, cells: Sequence[Sequence[int]], unreviewed: int) -> None:
        """The 5×5 risk matrix: rows likelihood 1–5 (5 at the top), columns impact 1–5, the
        number of projects in each cell, coloured by the cell's level; a legend beneath."""
        pdf = self.pdf
        size, label_w = 16.0, 24.0
        needed = size * 5 + 40
        if pdf.get_y() + needed > pdf.h - pdf.b_margin:
            pdf.add_page()
        x0 = pdf.l_margin + label_w
        y0 = pdf.get_y()
        pdf.set_draw_color(0xFF, 0xFF, 0xFF)
        pdf.set_line_width(0.6)
        for likelihood in range(5, 0, -1):
            y = y0 + (5 - likelihood) * size
            pdf.set_font(FAMILY, "", 8)
            pdf.set_text_color(*TEXT)
            pdf.set_xy(pdf.l_margin, y)
            pdf.cell(label_w - 2, size, str(likelihood), align="R")
            for impact in range(1, 6):
                count = int(cells[likelihood - 1][impact - 1])
                fill, ink = LEVEL_COLOURS[level_of(likelihood * impact)]
                x = x0 + (impact - 1) * size
                pdf.set_fill_color(*fill)
                pdf.rect(x, y, size, size, style="DF")
                pdf.set_xy(x, y)
                pdf.set_text_color(*ink)
                pdf.set_font(FAMILY, "B" if count else "", 12 if count else 9)
                pdf.cell(size, size, str(count) if count else "·", align="C")
        # axes
        pdf.set_text_color(*TEXT)
        pdf.set_font(FAMILY, "", 8)
        for impact in range(1, 6):
            pdf.set_xy(x0 + (impact - 1) * size, y0 + 5 * size)
            pdf.cell(size, 5, str(impact), align="C")
        pdf.set_xy(x0, y0 + 5 * size + 5)
        pdf.set_font(FAMILY, "B", 8)
        pdf.cell(5 * size, 5, gettext("Impact →"), align="C")
        pdf.set_xy(pdf.l_margin, y0)
        pdf.multi_cell(label_w - 6, 4, gettext("Likelihood ↑"), align="L")
        # legend and totals, to the right of the matrix
        lx = x0 + 5 * size + 8
        ly = y0
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.2)
        for level in ("low", "medium", "high", "critical"):
            fill, _ink = LEVEL_COLOURS[level]
            pdf.set_fill_color(*fill)
            pdf.rect(lx, ly + 1, 5, 5, style="DF")
            pdf.set_xy(lx + 7, ly)
            pdf.set_font(FAMILY, "", 9)
            pdf.cell(40, 7, labels.label(level))
            ly += 8
        total = sum(int(n) for row in cells for n in row)
        pdf.set_xy(lx, ly + 4)
        pdf.multi_cell(
            pdf.l_margin + pdf.epw - lx,
            5,
            gettext("Projects with a current review: %(n)s", n=total)
            + "\n"
            + gettext("Projects without a current review: %(n)s", n=unreviewed),
        )
        pdf.set_xy(pdf.l_margin, y0 + 5 * size + 14)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def level_style(level: str) -> FontFace:
    """A table cell coloured as the risk level it names."""
    fill, ink = LEVEL_COLOURS[level]
    return FontFace(emphasis="BOLD", color=ink, fill_color=fill)
