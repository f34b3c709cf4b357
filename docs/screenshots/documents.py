"""Screenshots of the documents the tracker hands out, made through the real endpoints on a
throw-away demo database:

- zone-report-ko.png: page 1 of the zone report PDF an operator downloads (pdftoppm);
- export-xlsx-ko.png: the transfer request list as XLSX, opened as a spreadsheet shows it.
  No spreadsheet program is installed here, so the workbook is read back with openpyxl
  (cell values and number formats as stored) and drawn as a grid with column letters and
  row numbers in headless chromium: what the screenshot shows is what the file holds.

Run: .venv/bin/python docs/screenshots/documents.py
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))

instance = tempfile.mkdtemp(prefix="tracker-docs-")
os.environ["TRACKER_INSTANCE_PATH"] = instance

import flask_migrate  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.db import db  # noqa: E402
from tracker.demo import DEMO_PASSWORD, load_demo  # noqa: E402

app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/docs.db"})
with app.app_context():
    flask_migrate.upgrade()
    load_demo()
    db.session.commit()
server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"


def _cell(value: object, number_format: str) -> tuple[str, str]:
    """(text, css class) of a cell as a spreadsheet would show it."""
    if isinstance(value, dt.datetime):
        fmt = "%Y-%m-%d %H:%M:%S" if "hh" in number_format else "%Y-%m-%d"
        return value.strftime(fmt), "date"
    if value is None:
        return "", ""
    return str(value), ""


def sheet_html(data: bytes, title: str) -> str:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    head = "".join(f"<th>{get_column_letter(c)}</th>" for c in range(1, sheet.max_column + 1))
    rows = []
    for r, row in enumerate(sheet.iter_rows(), start=1):
        cells = []
        for cell in row:
            text, cls = _cell(cell.value, cell.number_format)
            cls = f"{cls} hdr" if r == 1 else cls
            cells.append(f'<td class="{cls}">{html.escape(text)}</td>')
        rows.append(f"<tr><th>{r}</th>{''.join(cells)}</tr>")
    return f"""<!doctype html><html lang="ko"><meta charset="utf-8"><style>
body{{margin:0;font:13px 'Noto Sans CJK KR','Noto Sans KR',sans-serif}}
.bar{{background:#1d6f42;color:#fff;padding:6px 10px;font-weight:bold}}
.tab{{background:#eee;padding:4px 10px;border-top:1px solid #ccc}}
table{{border-collapse:collapse}}
th{{background:#f0f0f0;color:#444;font-weight:normal;border:1px solid #d0d0d0;padding:2px 6px}}
td{{border:1px solid #d8d8d8;padding:2px 6px;max-width:260px;white-space:nowrap;
   overflow:hidden;text-overflow:ellipsis}}
td.date{{text-align:right}} td.hdr{{font-weight:bold;background:#fafafa}}
</style><div class="bar">{html.escape(title)}</div><table><tr><th></th>{head}</tr>
{"".join(rows)}</table><div class="tab">{html.escape(sheet.title)}</div></html>"""


with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
    )
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 600})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "operator@tracker.example")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{base}/zone")
    link = page.locator("a[href*='report.pdf']").first.get_attribute("href")
    pdf = page.request.get(base + str(link))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf", pdf.status
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "zone.pdf"
        path.write_bytes(pdf.body())
        subprocess.run(  # noqa: S603  (fixed arguments, poppler from PATH)
            [
                shutil.which("pdftoppm") or "/usr/bin/pdftoppm",
                *("-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile"),
                str(path),
                str(HERE / "zone-report-ko"),
            ],
            check=True,
        )
    print("wrote zone-report-ko.png")
    export = page.request.get(f"{base}/api/v1/transfers?format=xlsx")
    assert export.ok, export.status
    name = export.headers["content-disposition"]
    shot = context.new_page()
    shot.set_content(sheet_html(export.body(), f"transfer-requests.xlsx — {name}"))
    shot.screenshot(path=str(HERE / "export-xlsx-ko.png"), full_page=True)
    print("wrote export-xlsx-ko.png")
    browser.close()
server.shutdown()
