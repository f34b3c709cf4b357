"""The one exception of backing up and restoring."""


class BackupError(RuntimeError):
    """A backup or restore refused or failed; the message names no record content."""
