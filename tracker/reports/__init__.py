"""Reports: exports of lists (CSV, XLSX), and later dashboards, PDFs and calendars."""
