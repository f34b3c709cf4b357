"""Real PDF checks with poppler-utils: text extraction and rendering page 1 to PNG."""

from __future__ import annotations

import io
import pathlib
import subprocess

from PIL import Image, ImageStat


def pdf_text(pdf: bytes, tmp_path: pathlib.Path, *, layout: bool = False) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True).stdout.decode()


def page_count(pdf: bytes, tmp_path: pathlib.Path) -> int:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def page_one_png(pdf: bytes, tmp_path: pathlib.Path, dpi: int = 60) -> bytes:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    return (tmp_path / "page.png").read_bytes()


def ink(png: bytes) -> tuple[float, int]:
    """(standard deviation of the grey levels, number of distinct colours) of an image: a blank
    page has 0 and 1."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    grey = ImageStat.Stat(image.convert("L")).stddev[0]
    colours = image.getcolors(maxcolors=1 << 20)
    return grey, len(colours or [])


def squash(text: str) -> str:
    """Text without whitespace: table cells wrap where they like, and pdftotext may drop the
    spaces around a number."""
    return "".join(text.split())
