"""Render page 1 of a sample zone report (Korean) to zone-report-ko.png with pdftoppm.
Run: .venv/bin/python docs/screenshots/zone_report.py"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))
os.environ["TRACKER_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="tracker-report-")

from tests.reports.samples import zone_data  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.reports.zone_report import render_zone_report  # noqa: E402

app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
with app.app_context(), tempfile.TemporaryDirectory() as tmp:
    pdf = Path(tmp) / "zone.pdf"
    pdf.write_bytes(render_zone_report(zone_data(), "ko"))
    subprocess.run(  # noqa: S603  (fixed arguments, poppler from PATH)
        [
            shutil.which("pdftoppm") or "/usr/bin/pdftoppm",
            "-png",
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(HERE / "zone-report-ko"),
        ],
        check=True,
    )
print(HERE / "zone-report-ko.png")
