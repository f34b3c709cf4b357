"""The portfolio across projects: every IP asset and risk review in the caller's scope."""
