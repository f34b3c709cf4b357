"""The data-sharing gate: transfer requests, their checks, decisions and the ledger."""
