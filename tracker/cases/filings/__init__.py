"""The filings of an IP asset (its family): one per office, each with its own dates and events."""
