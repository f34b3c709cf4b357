"""What a file's name says it is, and whether its bytes agree (docs/decisions.md, "Rough
edges (issue 10)": a mismatch is refused).

The content type is detected from the bytes (`content.detect`); a name whose extension is in
`NAME_TYPES` must carry one of the types listed for it. Formats without a reliable signature
(text, CSV, IGES, and the ASCII CAD formats, which may start with a comment) accept any text;
Office Open XML files are ZIP archives whose parts may come in any order, so a plain ZIP passes
for them. Programs and scripts Windows runs on a double-click accept nothing: their bytes never
match what their name promises to do. A name with no extension, or one not listed, is not
compared (there is nothing to compare it with).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from tracker.errors import InvalidInput

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
HWPX = "application/hwp+zip"
OLE = "application/x-ole-storage"
ZIP = "application/zip"
TEXT = frozenset(
    {"text/plain", "application/json", "application/xml", "image/vnd.dxf", "model/stl"}
)
ZIPS = frozenset({ZIP, WORD, EXCEL, POWERPOINT, ODT, ODS, ODP, HWPX})

#: what each detected type is called in a message
TYPE_LABELS: dict[str, LazyString] = {
    "application/pdf": _l("a PDF document"),
    WORD: _l("a Word document"),
    EXCEL: _l("an Excel workbook"),
    POWERPOINT: _l("a PowerPoint presentation"),
    ODT: _l("an OpenDocument text"),
    ODS: _l("an OpenDocument spreadsheet"),
    ODP: _l("an OpenDocument presentation"),
    HWPX: _l("a Hangul HWPX document"),
    OLE: _l("an Office 97-2003 or Hangul HWP document"),
    ZIP: _l("a ZIP archive"),
    "image/png": _l("a PNG image"),
    "image/jpeg": _l("a JPEG image"),
    "image/gif": _l("a GIF image"),
    "image/tiff": _l("a TIFF image"),
    "image/webp": _l("a WebP image"),
    "application/x-7z-compressed": _l("a 7z archive"),
    "application/gzip": _l("a gzip archive"),
    "application/x-xz": _l("an xz archive"),
    "application/x-tar": _l("a tar archive"),
    "application/x-hdf5": _l("HDF5 data"),
    "application/vnd.apache.parquet": _l("Parquet data"),
    "model/step": _l("a STEP model"),
    "image/vnd.dwg": _l("a DWG drawing"),
    "image/vnd.dxf": _l("a DXF drawing"),
    "model/stl": _l("an STL model"),
    "application/json": _l("JSON text"),
    "application/xml": _l("XML text"),
    "text/plain": _l("plain text"),
}
_PROGRAM = _l("a program or script")
_TEXT = _l("text")


def _names(
    extensions: str, label: LazyString, accepted: frozenset[str]
) -> dict[str, tuple[LazyString, frozenset[str]]]:
    return {ext: (label, accepted) for ext in extensions.split()}


#: extension -> (what the name says the file is, the detected types that agree with it)
NAME_TYPES: dict[str, tuple[LazyString, frozenset[str]]] = {
    **_names("pdf", TYPE_LABELS["application/pdf"], frozenset({"application/pdf"})),
    # a password-protected Office file is an OLE2 container holding the encrypted package
    **_names("docx docm dotx dotm", TYPE_LABELS[WORD], frozenset({WORD, ZIP, OLE})),
    **_names("xlsx xlsm xltx xltm", TYPE_LABELS[EXCEL], frozenset({EXCEL, ZIP, OLE})),
    **_names("pptx pptm potx ppsx", TYPE_LABELS[POWERPOINT], frozenset({POWERPOINT, ZIP, OLE})),
    **_names("odt", TYPE_LABELS[ODT], frozenset({ODT})),
    **_names("ods", TYPE_LABELS[ODS], frozenset({ODS})),
    **_names("odp", TYPE_LABELS[ODP], frozenset({ODP})),
    **_names("hwpx", TYPE_LABELS[HWPX], frozenset({HWPX})),
    **_names("hwp ppt pps pot", TYPE_LABELS[OLE], frozenset({OLE})),
    # Word saves RTF under .doc, and Excel's "XML Spreadsheet 2003", tab-separated and HTML
    # exports are all named .xls: text is what they are
    **_names("doc dot xls xlt", TYPE_LABELS[OLE], TEXT | {OLE}),
    **_names("zip", TYPE_LABELS[ZIP], ZIPS),
    **_names("png", TYPE_LABELS["image/png"], frozenset({"image/png"})),
    **_names("jpg jpeg jpe jfif", TYPE_LABELS["image/jpeg"], frozenset({"image/jpeg"})),
    **_names("gif", TYPE_LABELS["image/gif"], frozenset({"image/gif"})),
    **_names("tif tiff", TYPE_LABELS["image/tiff"], frozenset({"image/tiff"})),
    **_names("webp", TYPE_LABELS["image/webp"], frozenset({"image/webp"})),
    **_names(
        "7z", TYPE_LABELS["application/x-7z-compressed"], frozenset({"application/x-7z-compressed"})
    ),
    **_names("gz tgz", TYPE_LABELS["application/gzip"], frozenset({"application/gzip"})),
    **_names("xz txz", TYPE_LABELS["application/x-xz"], frozenset({"application/x-xz"})),
    **_names("tar", TYPE_LABELS["application/x-tar"], frozenset({"application/x-tar"})),
    **_names("h5 hdf5 he5", TYPE_LABELS["application/x-hdf5"], frozenset({"application/x-hdf5"})),
    **_names(
        "parquet",
        TYPE_LABELS["application/vnd.apache.parquet"],
        frozenset({"application/vnd.apache.parquet"}),
    ),
    **_names("step stp p21", TYPE_LABELS["model/step"], TEXT | {"model/step"}),
    **_names("dwg", TYPE_LABELS["image/vnd.dwg"], frozenset({"image/vnd.dwg"})),
    **_names("dxf", TYPE_LABELS["image/vnd.dxf"], TEXT),
    **_names("stl", TYPE_LABELS["model/stl"], TEXT),
    **_names(
        "txt text csv tsv json xml md log ini cfg yaml yml igs iges html htm svg rtf tex",
        _TEXT,
        TEXT,
    ),
    **_names(
        "exe dll com scr msi msp cpl pif bat cmd vbs vbe js jse wsf wsh hta ps1 lnk jar reg",
        _PROGRAM,
        frozenset(),
    ),
}


def extension(filename: str) -> str:
    """The lower-case extension of `filename` without its dot ('' when there is none)."""
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def check_name(filename: str, detected: str) -> None:
    """Raise InvalidInput (422 on `file`) when `filename`'s extension names a type the
    detected content type does not agree with; the message names both, in the reader's
    language."""
    ext = extension(filename)
    if ext not in NAME_TYPES:
        return
    expected, accepted = NAME_TYPES[ext]
    if detected in accepted:
        return
    raise InvalidInput(
        {
            "file": [
                _(
                    "The name says %(expected)s (.%(ext)s) but the content is %(detected)s. "
                    "Nothing was stored: rename the file to match its content, or choose the "
                    "right file.",
                    expected=str(expected),
                    ext=ext,
                    detected=str(TYPE_LABELS.get(detected, detected)),
                )
            ]
        }
    )
